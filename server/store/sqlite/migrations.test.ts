import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { machine, pkg } from '../../../test/support/server/fixtures.js';
import { hashSecret } from '../secrets.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { DB_FILE } from './open.js';
import { SqliteStore } from './sqlite-store.js';

describe('schema migrations', () => {
  it('upgrades a schema 3 database: users backfilled, tokens listed by id, fleet software counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-migrate-'));
    try {
      const old = new Database(join(dir, DB_FILE));
      migrate(old, 3);
      const snapshot = {
        ...machine({ hostname: 'old-pc' }),
        users: [{ name: 'alice', terminal: 'tty1' }, { name: 'alice', terminal: 'pts/0' }, { name: 'bob' }],
      };
      old
        .prepare(
          `INSERT INTO devices (id, install_id, hostname, secret_hash, os, first_seen, last_seen) VALUES ('d1', 'i1', 'old-pc', x'00', ?, 1, 2)`,
        )
        .run(JSON.stringify({ platform: 'win32' }));
      old.prepare(`INSERT INTO snapshots (device_id, snapshot, updated_at) VALUES ('d1', ?, 2)`).run(JSON.stringify(snapshot));
      const addSoftware = old.prepare(
        `INSERT INTO software (device_id, item_key, name, version, source, scope) VALUES ('d1', ?, ?, ?, 'dpkg', 'machine')`,
      );
      for (const s of [pkg('bash', '5.2'), pkg('Bash', '5.1')]) addSoftware.run(`k-${s.name}`, s.name, s.version);
      old
        .prepare('INSERT INTO enrolment_tokens (hash, created_at, expires_at, uses_left) VALUES (?, 1, NULL, 2)')
        .run(hashSecret('old-token'));
      old.close();

      const store = SqliteStore.open(dir);
      try {
        const [device] = (await store.listDevices({ limit: 10, offset: 0 })).items;
        assert.deepEqual(device?.users, ['alice', 'bob']);
        assert.equal((await store.listDevices({ platform: 'windows', limit: 10, offset: 0 })).total, 1);
        const [token] = await store.listEnrolmentTokens(10);
        assert.match(token?.id ?? '', /^[0-9a-f]{16}$/);
        assert.deepEqual(
          { ...token, id: 'x' },
          { id: 'x', label: null, createdAt: 1, expiresAt: null, usesLeft: 2, used: 0, revoked: false },
        );
        const software = await store.listFleetSoftware({ limit: 10, offset: 0 });
        assert.deepEqual(
          software.items.map((s) => [s.devices, s.versions]),
          [[1, 2]],
        );

        const enrolled = await store.enrol({
          tokenHash: hashSecret('old-token'),
          hints: { installId: 'i2', hostname: 'new-pc', macs: [] },
          agentVersion: 't',
          secretHash: hashSecret('s'),
          at: 5,
        });
        assert.equal(enrolled.ok, true);
        assert.deepEqual(await store.getEnrolmentToken(token!.id).then((t) => [t?.used, t?.usesLeft]), [1, 1]);
      } finally {
        await store.close();
      }
      const reopened = new Database(join(dir, DB_FILE));
      assert.equal(
        (reopened.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value,
        String(SCHEMA_VERSION),
      );
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a schema 5 database to protocol 2: software out of the snapshot row, a full snapshot asked for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-migrate-'));
    try {
      const old = new Database(join(dir, DB_FILE));
      migrate(old, 5);
      const snapshot = machine({ hostname: 'old-pc', software: [pkg('bash', '5.2'), pkg('vim', '9')] });
      old
        .prepare(
          `INSERT INTO devices (id, install_id, hostname, secret_hash, os, first_seen, last_seen, digest, last_seq) VALUES ('d1', 'i1', 'old-pc', x'00', '{}', 1, 2, ?, 7)`,
        )
        .run('a'.repeat(64));
      old.prepare(`INSERT INTO snapshots (device_id, snapshot, updated_at) VALUES ('d1', ?, 2)`).run(JSON.stringify(snapshot));
      const addSoftware = old.prepare(
        `INSERT INTO software (device_id, item_key, name, version, arch, source, scope) VALUES ('d1', ?, ?, ?, 'amd64', 'dpkg', 'machine')`,
      );
      for (const s of snapshot.software) addSoftware.run(`dpkg\t${s.name}\tamd64\tmachine\t`, s.name, s.version);
      old.close();

      const store = SqliteStore.open(dir);
      try {
        const device = await store.getDevice('d1');
        // The old digest meant something else: none is kept, and the agent is asked for a full snapshot.
        assert.equal(device?.digest, null);
        assert.equal(device?.needsFull, true);
        // The device's snapshot still reads whole, its software now from the software table.
        assert.deepEqual(device?.snapshot, snapshot);
      } finally {
        await store.close();
      }
      const db = new Database(join(dir, DB_FILE));
      const row = db.prepare("SELECT snapshot, software_count, digests FROM snapshots WHERE device_id = 'd1'").get() as {
        snapshot: string;
        software_count: number;
        digests: string | null;
      };
      assert.equal('software' in (JSON.parse(row.snapshot) as object), false);
      assert.equal(row.software_count, 2);
      assert.equal(row.digests, null);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a schema 7 database: queued desk jobs keep their keys and are named as the protocol names the operation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-migrate-'));
    try {
      const old = new Database(join(dir, DB_FILE));
      migrate(old, 7);
      const add = old.prepare(
        `INSERT INTO desk_jobs (kind, key, payload, state, next_at, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, 1, 1)`,
      );
      add.run('ticket', 'ticket:d1:r1', JSON.stringify({ deviceId: 'd1', ref: 'r1' }), 1);
      add.run('note', 'note:d1:n1', JSON.stringify({ deviceId: 'd1', ref: 'r1', noteId: 'n1' }), 2);
      add.run('close', 'close:d1:r1', JSON.stringify({ deviceId: 'd1', ref: 'r1' }), 3);
      add.run('status', 'status:5:c1', JSON.stringify({ ticketId: 5, changeId: 'c1' }), 4);
      add.run('asset', 'asset:d1', JSON.stringify({ deviceId: 'd1' }), 5);
      old.close();

      const store = SqliteStore.open(dir);
      try {
        const kinds: string[] = [];
        for (let now = 1; now <= 5; now++) {
          const job = await store.desk.nextDue(now);
          kinds.push(`${job?.kind} ${job?.key}`);
          await store.desk.completeJob(job!.id, job!.revision, now);
        }
        assert.deepEqual(kinds, [
          'ticket.create ticket:d1:r1',
          'ticket.note note:d1:n1',
          'ticket.close close:d1:r1',
          'ticket.status status:5:c1',
          'asset asset:d1',
        ]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a schema 9 database: existing console accounts become admins with their password, sessions kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-migrate-'));
    try {
      const old = new Database(join(dir, DB_FILE));
      migrate(old, 9);
      old.prepare(`INSERT INTO admins (username, password_hash, created_at, updated_at) VALUES ('Alice', '$scrypt$h', 1, 1)`).run();
      old
        .prepare(
          `INSERT INTO admin_sessions (id_hash, username, csrf_token, created_at, expires_at) VALUES (?, 'Alice', 'csrf', 1000, 2000)`,
        )
        .run(Buffer.from('session-hash'));
      old.close();
      const store = SqliteStore.open(dir);
      try {
        const alice = await store.admins.getAdmin('alice');
        assert.equal(alice?.role, 'admin');
        assert.equal(alice?.source, 'local');
        assert.equal(alice?.passwordHash, '$scrypt$h');
        assert.equal(await store.admins.countTechnicians(), 0);
        const session = await store.admins.getSession(Buffer.from('session-hash'), 1500);
        assert.deepEqual([session?.username, session?.role, session?.csrfToken], ['Alice', 'admin', 'csrf']);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
