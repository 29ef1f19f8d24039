import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { after, describe, it } from 'node:test';
import type pg from 'pg';
import { freshPool } from '../../../test/support/postgres.js';
import { isOutpostError } from '../../../shared/errors.js';
import { migrate as migrateSqlite } from '../sqlite/migrations.js';
import { planCopy, PROCESS_TABLES } from './plan.js';
import { pgTables, sqliteTables, type PgTable, type SqliteTable } from './schemas.js';

function migratedSqlite(): Database.Database {
  const db = new Database(':memory:');
  migrateSqlite(db);
  return db;
}

const storeError = (code: string, pattern: RegExp) => (err: unknown) =>
  isOutpostError(err) && err.code === code && pattern.test(err.message);

describe('the copy plan (outpost store copy)', () => {
  const pools: pg.Pool[] = [];
  after(async () => Promise.all(pools.map((p) => p.end())));

  it('copies every table both schemas hold, each with every stored column, referenced tables first', async () => {
    const pool = await freshPool();
    pools.push(pool);
    const db = migratedSqlite();
    const [lite, pgSchema] = [sqliteTables(db), await pgTables(pool)];
    const plan = planCopy(lite, pgSchema);
    const copied = plan.map((t) => t.name).sort();
    // The SQLite schema's every table (its own sqlite_sequence bookkeeping aside)...
    const sqliteNames = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
      .map((t) => t.name)
      .filter((n) => n !== 'sqlite_sequence')
      .sort();
    assert.deepEqual(copied, sqliteNames);
    // ...and PostgreSQL's every base table: a table a migration adds is copied or the copy refuses.
    const pgNames = (
      await pool.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      )
    ).rows
      .map((r) => r.name)
      .filter((n) => !PROCESS_TABLES.includes(n))
      .sort();
    assert.deepEqual(copied, pgNames);
    for (const t of plan) {
      const stored = (db.prepare('SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0').all(t.name) as { name: string }[]).map(
        (c) => c.name,
      );
      assert.deepEqual(t.columns.map((c) => c.name).sort(), stored.sort(), `columns of ${t.name}`);
    }
    const position = (name: string) => plan.findIndex((t) => t.name === name);
    for (const t of pgSchema)
      for (const k of t.foreignKeys)
        if (k.references !== t.name) assert.ok(position(k.references) < position(t.name), `${k.references} before ${t.name}`);
    assert.deepEqual(plan.find((t) => t.name === 'devices')?.selfReferences.sort(), ['clone_of', 'duplicate_of']);
    assert.ok(!plan.find((t) => t.name === 'devices')!.columns.some((c) => c.name === 'platform'), 'a generated column is not copied');
    db.close();
  });

  it('refuses, by name, a table or a column one engine has and the other lacks', () => {
    const lite: SqliteTable[] = [{ name: 'devices', columns: ['id', 'hostname'], key: ['id'] }];
    const pgTable = (name: string, columns: string[]): PgTable => ({
      name,
      columns: columns.map((c) => ({ name: c, type: 'text' })),
      foreignKeys: [],
      sequences: [],
      alwaysIdentity: false,
    });
    assert.throws(
      () => planCopy(lite, [pgTable('devices', ['id', 'hostname']), pgTable('software_blobs', ['id'])]),
      storeError('E_STORE_VERSION', /only in PostgreSQL: software_blobs/),
    );
    assert.throws(
      () => planCopy([...lite, { name: 'extra', columns: ['a'], key: ['a'] }], [pgTable('devices', ['id', 'hostname'])]),
      storeError('E_STORE_VERSION', /only in SQLite: extra/),
    );
    assert.throws(
      () => planCopy(lite, [pgTable('devices', ['id', 'hostname', 'owner'])]),
      storeError('E_STORE_VERSION', /columns of devices .*only in PostgreSQL: owner/),
    );
    // The server's own process tables on PostgreSQL are not fleet data.
    assert.equal(planCopy(lite, [pgTable('devices', ['id', 'hostname']), pgTable('fleet_sessions', ['device_id'])]).length, 1);
  });
});
