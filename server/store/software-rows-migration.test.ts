// Migration 17 on both engines: a database at schema 16 with software rows (live, staged and left for
// the sweeper) comes out normalised, and every read of software answers as before.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { freshDatabase } from '../../test/support/postgres.js';
import { sqliteStatement } from '../../test/support/software-rows.js';
import { describeStores, type Engine } from '../../test/support/stores.js';
import { openStore } from './open-store.js';
import { migrate as migratePg } from './postgres/migrations.js';
import { createPool } from './postgres/open.js';
import { DB_FILE } from './sqlite/open.js';
import { migrate as migrateSqlite } from './sqlite/migrations.js';

const BEFORE = 16;
type Run = (text: string, params?: unknown[]) => Promise<unknown[]>;

/** A database at schema 16 on `engine`, a runner for SQL both engines take, and where it lives. */
async function oldDatabase(engine: Engine) {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-softrows-'));
  if (engine === 'sqlite') {
    const db = new Database(join(dataDir, DB_FILE));
    migrateSqlite(db, BEFORE);
    const run: Run = async (text, params = []) => {
      const { text: t, values } = sqliteStatement(text, params);
      const s = db.prepare(t);
      return s.reader ? s.all(...values) : (s.run(...values), []);
    };
    return { where: { dataDir }, run, close: async () => void db.close(), dataDir };
  }
  const url = await freshDatabase({ schema: false });
  const pool = createPool(url, 2);
  await migratePg(pool, BEFORE);
  const run: Run = async (text, params = []) => (await pool.query<Record<string, unknown>>(text, params)).rows;
  return { where: { dataDir, store: url }, run, close: () => pool.end(), dataDir };
}

const ADD = `INSERT INTO devices (id, install_id, hostname, macs, secret_hash, first_seen, last_seen) VALUES ($1, 'i', $1, '[]', $2, 0, 0)`;
const ROW = `INSERT INTO software_rows (device_id, gen, item_key, name, version, publisher, arch, source, scope, user_name, install_date)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

describeStores('software rows normalised (migration 17)', (engine) => {
  it('keeps every row of a schema 16 database, stores a shared package once, and reads software as before', async () => {
    const old = await oldDatabase(engine);
    try {
      for (const id of ['d1', 'd2']) await old.run(ADD, [id, Buffer.from([0])]);
      await old.run(`INSERT INTO snapshots (device_id, snapshot, updated_at, software_gen) VALUES ('d1', '{}', 0, 5), ('d2', '{}', 0, 0)`);
      const rows: unknown[][] = [
        ['d1', 5, 'dpkg\tbash\tamd64\tmachine\t', 'bash', '5.2', 'Debian', 'amd64', 'dpkg', 'machine', null, '2024-01-02'],
        ['d1', 5, 'windows-registry\tFirefox\t\tuser\talice', 'Firefox', null, null, null, 'windows-registry', 'user', 'alice', null],
        ['d1', 7, 'dpkg\tbash\tamd64\tmachine\t', 'bash', '5.3', 'Debian', 'amd64', 'dpkg', 'machine', null, null],
        ['d1', 3, 'dpkg\tzsh\tamd64\tmachine\t', 'zsh', '5.9', null, 'amd64', 'dpkg', 'machine', null, null],
        ['d2', 0, 'dpkg\tbash\tamd64\tmachine\t', 'bash', '5.2', 'Debian', 'amd64', 'dpkg', 'machine', null, '2023-05-06'],
      ];
      for (const r of rows) await old.run(ROW, r);
      // Generation 3 of d1, replaced by 5, half way through marking names when the server stopped.
      await old.run(
        `INSERT INTO software_garbage (device_id, gen, replaced_by, seq, at, trigger, mark_from)
         VALUES ('d1', 3, 5, 9, '2026-01-01T00:00:00Z', 'startup', 'dpkg\tbash\tamd64\tmachine\t')`,
      );
      await old.close();

      const store = await openStore(old.where);
      const after = engine === 'sqlite' ? new Database(join(old.dataDir, DB_FILE)) : createPool(old.where.store!, 1);
      const q = async (text: string): Promise<Record<string, unknown>[]> => {
        if (!(after instanceof Database)) return (await after.query<Record<string, unknown>>(text)).rows;
        const s = after.prepare(text);
        return s.reader ? (s.all() as Record<string, unknown>[]) : (s.run(), []);
      };
      try {
        assert.deepEqual(await store.listSoftware('d1'), [
          { name: 'bash', version: '5.2', publisher: 'Debian', arch: 'amd64', source: 'dpkg', scope: 'machine', installDate: '2024-01-02' },
          { name: 'Firefox', source: 'windows-registry', scope: 'user', user: 'alice' },
        ]);
        assert.deepEqual(await store.listSoftware('d2'), [
          { name: 'bash', version: '5.2', publisher: 'Debian', arch: 'amd64', source: 'dpkg', scope: 'machine', installDate: '2023-05-06' },
        ]);
        const bash = await store.softwareDetail('BASH', { limit: 10, offset: 0 });
        assert.equal(bash?.installs.total, 2);
        assert.deepEqual(
          bash?.versions.map((v) => [v.version, v.devices]),
          [['5.2', 2]],
        );
        // bash 5.2 from Debian is one package for both devices; the staged 5.3 and the old zsh are kept.
        assert.deepEqual(
          (await q(`SELECT version, publisher FROM software_packages ORDER BY version`)).map((r) => [r.version, r.publisher]),
          [
            ['', ''],
            ['5.2', 'Debian'],
            ['5.3', 'Debian'],
            ['5.9', ''],
          ],
        );
        assert.equal(Number((await q('SELECT count(*) AS n FROM device_software'))[0]!.n), 5);
        // Migration 20 retired the name-marking cursor and counted the live rows once: bash on both
        // devices at one version, Firefox on d1 with none (the staged 5.3 and the old zsh not counted).
        assert.deepEqual(
          (await q('SELECT mark_from FROM software_garbage')).map((r) => r.mark_from),
          [null],
        );
        assert.deepEqual(
          (await store.listFleetSoftware({ limit: 10, offset: 0 })).items.map((s) => [s.name, s.publisher, s.devices, s.versions]),
          [
            ['bash', 'Debian', 2, 1],
            ['Firefox', null, 1, 0],
          ],
        );
        // The sweeper finishes the old generation: zsh is recorded as removed, its row goes.
        while ((await store.sweepSoftware(500, 10)) > 0);
        assert.equal(Number((await q('SELECT count(*) AS n FROM device_software'))[0]!.n), 4);
        const [removed] = (await store.listChanges('d1', { limit: 5 })) ?? [];
        assert.deepEqual(removed?.removed, [{ name: 'zsh', version: '5.9', arch: 'amd64', source: 'dpkg', scope: 'machine' }]);
        // A device's rows go with it; the package the other device has stays.
        await q(`DELETE FROM devices WHERE id = 'd2'`);
        assert.equal(Number((await q('SELECT count(*) AS n FROM device_software'))[0]!.n), 3);
        assert.equal((await store.softwareDetail('bash', { limit: 10, offset: 0 }))?.installs.total, 1);
      } finally {
        if (after instanceof Database) after.close();
        else await after.end();
        await store.close();
      }
    } finally {
      rmSync(old.dataDir, { recursive: true, force: true });
    }
  });
});
