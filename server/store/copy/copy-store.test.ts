import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { freshDatabase } from '../../../test/support/postgres.js';
import { isOutpostError } from '../../../shared/errors.js';
import { migrate as migrateSqlite } from '../sqlite/migrations.js';
import { DB_FILE, openDatabase } from '../sqlite/open.js';
import { createPool } from '../postgres/open.js';
import { schemaVersion } from '../postgres/migrations.js';
import { copySqliteToPostgres, type CopyEvent } from './copy-store.js';
import { planCopy } from './plan.js';
import { pgTables, sqliteTables } from './schemas.js';
import { quoted } from './table-copy.js';

const dirs: string[] = [];
const pools: pg.Pool[] = [];
after(async () => {
  await Promise.all(pools.map((p) => p.end()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'outpost-copy-'));
  dirs.push(d);
  return d;
};

const poolOn = (url: string) => {
  const p = createPool(url, 2);
  pools.push(p);
  return p;
};

const storeError = (code: string, pattern: RegExp) => (err: unknown) =>
  isOutpostError(err) && err.code === code && pattern.test(err.message);

/** A small store with the awkward parts: devices cloned from each other both ways, a deleted ticket's id, files, flags, triggers. */
function seededDataDir(): string {
  const dir = tempDir();
  const db = openDatabase(dir);
  const device = db.prepare(
    "INSERT INTO devices (id, install_id, hostname, macs, secret_hash, first_seen, last_seen, online, os) VALUES (?, 'inst', ?, '[]', ?, 1, 2, ?, ?)",
  );
  device.run('dev-a', 'pc-a', Buffer.from([1, 2, 3]), 0, JSON.stringify({ platform: 'linux' }));
  device.run('dev-b', 'pc-b', Buffer.from([0, 255]), 1, JSON.stringify({ platform: 'win32' }));
  db.prepare("UPDATE devices SET clone_of = 'dev-b' WHERE id = 'dev-a'").run();
  db.prepare("UPDATE devices SET duplicate_of = 'dev-a', duplicate_reason = 'serial' WHERE id = 'dev-b'").run();
  const ticket = db.prepare(
    `INSERT INTO tickets (device_id, ref, subject, description, priority, status, requester, requester_account, device, hostname,
       created_at, received_at, updated_at, public_updated_at) VALUES ('dev-a', ?, ?, 'd', 'normal', 'open', 'Alice', 'alice', 'pc-a', 'pc-a', 1, 1, 1, 1)`,
  );
  for (const n of [1, 2, 3, 4, 5]) ticket.run(`ref-${n}`, `subject ${n} with 'quotes', "doubles", \\ and {braces}`);
  db.prepare("DELETE FROM tickets WHERE ref = 'ref-5'").run(); // its id 5 was handed out: never again
  const note = db.prepare(
    "INSERT INTO ticket_notes (ticket_id, note_id, author, text, visibility, from_endpoint, at) VALUES (?, ?, 'it', ?, 'customer', ?, 3)",
  );
  for (let i = 0; i < 7; i++) note.run(1 + (i % 4), `n${i}`, `note ${i}`, i % 2);
  db.prepare(
    "INSERT INTO ticket_attachments (ticket_id, name, type, size, sha256, screenshot, content, created_at) VALUES (1, 'log.txt', 'text/plain', 4, 'x', 1, ?, 4)",
  ).run(Buffer.from([0, 1, 2, 254]));
  // Software as migration 17 stores it: the package once, each device's row holding ids.
  const key = db.prepare("INSERT INTO software_keys (item_key, name, source, scope) VALUES (?, ?, 'dpkg', 'machine')");
  const pkg = db.prepare("INSERT INTO software_packages (key_id, version, publisher) VALUES (?, '1.0', '')");
  const softwareDevice = db.prepare('INSERT INTO software_devices (device_id) VALUES (?)');
  const row = db.prepare('INSERT INTO device_software (device_num, gen, key_id, package_id) VALUES (?, 0, ?, ?)');
  const packages = ['curl', 'git', 'vim'].map((name) => {
    const keyId = Number(key.run(`${name}-key`, name).lastInsertRowid);
    return { name, keyId, packageId: Number(pkg.run(keyId).lastInsertRowid) };
  });
  for (const d of ['dev-a', 'dev-b']) {
    const num = Number(softwareDevice.run(d).lastInsertRowid);
    for (const p of packages) row.run(num, p.keyId, p.packageId);
  }
  db.prepare(
    `INSERT INTO software_names (name, publisher, devices, versions) SELECT k.name, NULL, 2, 1 FROM software_keys k WHERE true
     ON CONFLICT(name) DO UPDATE SET devices = 2, versions = 1`,
  ).run();
  db.prepare("INSERT INTO software_name_versions (name, version, rows) SELECT lower(name), '1.0', 2 FROM software_keys").run();
  db.prepare("INSERT INTO meta (key, value) VALUES ('admin_token_sha256', 'abc')").run();
  db.close();
  return dir;
}

/** Every row of a table in key order, flags as 0/1 and files as hex, so both engines print alike. */
async function rowsOf(db: Database.Database, pool: pg.Pool, table: string, columns: string[], key: string[]) {
  const order = key.map(quoted).join(', ');
  const list = columns.map(quoted).join(', ');
  const norm = (row: Record<string, unknown>) =>
    Object.fromEntries(
      columns.map((c) => {
        const v = row[c];
        return [c, Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'boolean' ? Number(v) : v];
      }),
    );
  const lite = (db.prepare(`SELECT ${list} FROM ${quoted(table)} ORDER BY ${order}`).all() as Record<string, unknown>[]).map(norm);
  const pgRows = (await pool.query<Record<string, unknown>>(`SELECT ${list} FROM ${quoted(table)} ORDER BY ${order}`)).rows.map(norm);
  return { lite, pgRows };
}

describe('copying a SQLite store into PostgreSQL', () => {
  it('copies every row of every table as it is, in small batches, and moves the sequences past the ids SQLite gave out', async () => {
    const dir = seededDataDir();
    const url = await freshDatabase({ schema: false });
    const events: CopyEvent[] = [];
    const report = await copySqliteToPostgres({ from: dir, to: url, batch: { rows: 2, bytes: 1 << 20 }, onEvent: (e) => events.push(e) });
    const pool = poolOn(url);
    const db = new Database(join(dir, DB_FILE), { readonly: true });
    const plan = planCopy(sqliteTables(db), await pgTables(pool));
    for (const t of plan) {
      if (t.name === 'meta') continue;
      const { lite, pgRows } = await rowsOf(
        db,
        pool,
        t.name,
        t.columns.map((c) => c.name),
        t.key,
      );
      assert.deepEqual(pgRows, lite, `rows of ${t.name}`);
    }
    assert.equal((await pool.query<{ value: string }>("SELECT value FROM meta WHERE key = 'admin_token_sha256'")).rows[0]?.value, 'abc');
    assert.equal(report.tables.find((t) => t.name === 'tickets')?.rows, 4);
    assert.equal(
      report.tables.find((t) => t.name === 'software_names')?.rows,
      3,
      'the name counts come over as they are, not doubled by triggers',
    );
    // Ticket 5 was deleted in SQLite: PostgreSQL's next ticket is 6, as SQLite's would have been.
    const next = await pool.query<{ id: number }>("SELECT nextval(pg_get_serial_sequence('tickets', 'id'))::bigint AS id");
    assert.equal(next.rows[0]!.id, 6);
    const noteSeq = await pool.query<{ id: number }>("SELECT nextval(pg_get_serial_sequence('ticket_notes', 'seq'))::bigint AS id");
    assert.equal(noteSeq.rows[0]!.id, 8);
    // The fleet counts come over as they are, ready to read (kept on write since migration 20).
    assert.deepEqual(
      (await pool.query('SELECT name, devices, versions FROM software_names ORDER BY name')).rows,
      ['curl', 'git', 'vim'].map((name) => ({ name, devices: 2, versions: 1 })),
    );
    const notes = events.filter((e) => e.kind === 'progress' && e.table === 'ticket_notes');
    assert.deepEqual(
      notes.map((e) => (e.kind === 'progress' ? e.copied : 0)),
      [2, 4, 6, 7],
      'ticket_notes went in 4 batches of at most 2',
    );
    const start = events.find((e) => e.kind === 'start');
    assert.equal(start?.kind === 'start' ? start.onlineDevices : -1, 1, 'a device marked connected is reported (was the server stopped?)');
    db.close();
  });

  it('refuses a PostgreSQL database that already holds Outpost data, and leaves it as it was', async () => {
    const dir = seededDataDir();
    const url = await freshDatabase();
    const pool = poolOn(url);
    await pool.query("INSERT INTO meta (key, value) VALUES ('admin_token_sha256', 'from a server that ran here')");
    await assert.rejects(copySqliteToPostgres({ from: dir, to: url }), storeError('E_STORE_NOT_EMPTY', /already holds data \(meta\)/));
    assert.equal((await pool.query('SELECT 1 FROM devices')).rowCount, 0);
    await pool.query("DELETE FROM meta WHERE key = 'admin_token_sha256'");
    await pool.query(
      "INSERT INTO devices (id, install_id, hostname, macs, secret_hash, first_seen, last_seen) VALUES ('x', 'i', 'h', '[]', '\\x00', 0, 0)",
    );
    await assert.rejects(copySqliteToPostgres({ from: dir, to: url }), storeError('E_STORE_NOT_EMPTY', /devices/));
    assert.equal((await pool.query('SELECT 1 FROM tickets')).rowCount, 0);
  });

  it("refuses a database holding another application's tables", async () => {
    const url = await freshDatabase({ schema: false });
    const pool = poolOn(url);
    await pool.query('CREATE TABLE invoices (id int)');
    await assert.rejects(copySqliteToPostgres({ from: seededDataDir(), to: url }), storeError('E_STORE_NOT_EMPTY', /not an Outpost store/));
    assert.equal(await schemaVersion(pool), 0, 'no Outpost schema was added to it');
  });

  it('refuses a SQLite store or a PostgreSQL database at another schema version, naming both', async () => {
    const old = tempDir();
    const db = new Database(join(old, DB_FILE));
    migrateSqlite(db, 15);
    db.close();
    const empty = await freshDatabase({ schema: false });
    await assert.rejects(
      copySqliteToPostgres({ from: join(old, DB_FILE), to: empty }),
      storeError('E_STORE_VERSION', /SQLite store is at schema version 15; this Outpost copies version \d+\. Start this version/),
    );
    assert.equal(await schemaVersion(poolOn(empty)), 0, 'the target was not touched');
    const newer = await freshDatabase();
    await poolOn(newer).query("UPDATE meta SET value = '999' WHERE key = 'schema_version'");
    await assert.rejects(
      copySqliteToPostgres({ from: seededDataDir(), to: newer }),
      storeError('E_STORE_VERSION', /PostgreSQL database is at schema version 999/),
    );
    await assert.rejects(
      copySqliteToPostgres({ from: join(old, 'nothing-here'), to: empty }),
      storeError('E_NOT_FOUND', /no such file or directory/),
    );
  });

  it('names the table whose row PostgreSQL refuses (text with a NUL character), and keeps nothing', async () => {
    const dir = seededDataDir();
    const db = openDatabase(dir);
    db.prepare("UPDATE tickets SET subject = ? WHERE ref = 'ref-2'").run('nul \u0000 inside');
    db.close();
    const url = await freshDatabase();
    await assert.rejects(
      copySqliteToPostgres({ from: dir, to: url }),
      storeError('E_STORE_COPY_MISMATCH', /^tickets: PostgreSQL refused a row \(.*\); rolled back/),
    );
    assert.equal((await poolOn(url).query('SELECT 1 FROM devices')).rowCount, 0, 'the devices copied before it are gone too');
  });

  it('says which database it cannot reach, without its password', async () => {
    const nowhere = `postgresql://outpost:secret-pw-9@${encodeURIComponent(join(tempDir(), 'no-socket-here'))}/outpost`;
    await assert.rejects(copySqliteToPostgres({ from: seededDataDir(), to: nowhere }), (err: unknown) => {
      assert.ok(
        isOutpostError(err) && err.code === 'E_CONFIG' && /^--to postgresql:\/\/outpost@.*: cannot connect/.test(err.message),
        String(err),
      );
      assert.doesNotMatch(err.message, /secret-pw-9/);
      return true;
    });
  });

  it('rolls the whole copy back when a table does not end with the rows the source holds', async () => {
    const url = await freshDatabase();
    const pool = poolOn(url);
    // A rule (not a trigger, so the copy cannot switch it off) that drops every note silently.
    await pool.query('CREATE RULE drop_notes AS ON INSERT TO ticket_notes DO INSTEAD NOTHING');
    await assert.rejects(
      copySqliteToPostgres({ from: seededDataDir(), to: url }),
      storeError('E_STORE_COPY_MISMATCH', /ticket_notes: PostgreSQL holds 0 rows after the copy, SQLite 7; rolled back/),
    );
    assert.equal((await pool.query('SELECT 1 FROM devices')).rowCount, 0, 'nothing was kept');
    assert.equal((await pool.query('SELECT 1 FROM tickets')).rowCount, 0);
  });
});
