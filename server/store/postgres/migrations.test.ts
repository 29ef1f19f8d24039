import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { after, describe, it } from 'node:test';
import type pg from 'pg';
import { freshDatabase } from '../../../test/support/postgres.js';
import { migrate as migrateSqlite, SCHEMA_VERSION } from '../sqlite/migrations.js';
import { migrate, PG_SCHEMA_VERSION, schemaVersion } from './migrations.js';
import { createPool } from './open.js';

/** Table (or view) name to its column names, sorted. */
type Shape = Record<string, string[]>;

function sqliteShape(): Shape {
  const db = new Database(':memory:');
  migrateSqlite(db);
  const shape: Shape = {};
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name <> 'sqlite_sequence'")
    .all();
  for (const { name } of tables) {
    shape[name] = db
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_xinfo('${name}')`)
      .all()
      .map((c) => c.name)
      .sort();
  }
  db.close();
  return shape;
}

async function postgresShape(pool: pg.Pool): Promise<Shape> {
  const r = await pool.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, column_name`,
  );
  const shape: Shape = {};
  for (const row of r.rows) (shape[row.table_name] ??= []).push(row.column_name);
  for (const columns of Object.values(shape)) columns.sort();
  return shape;
}

describe('PostgreSQL schema migrations', () => {
  const pools: pg.Pool[] = [];
  after(async () => Promise.all(pools.map((p) => p.end())));
  const pool = async () => {
    const p = createPool(await freshDatabase({ schema: false }), 2);
    pools.push(p);
    return p;
  };

  it('is at the same version as SQLite: a SQLite migration is ported under its own number', () => {
    assert.equal(PG_SCHEMA_VERSION, SCHEMA_VERSION);
  });

  it('gives PostgreSQL the same tables, views and columns SQLite has after all its migrations', async () => {
    const p = await pool();
    await migrate(p);
    const [pgShape, liteShape] = [await postgresShape(p), sqliteShape()];
    assert.deepEqual(Object.keys(pgShape).sort(), Object.keys(liteShape).sort());
    for (const table of Object.keys(liteShape)) assert.deepEqual(pgShape[table], liteShape[table], `columns of ${table}`);
  });

  it('migrates an empty database once: a second start (or a second process) changes nothing', async () => {
    const p = await pool();
    assert.equal(await schemaVersion(p), 0);
    await Promise.all([migrate(p), migrate(p)]);
    await migrate(p);
    assert.equal(await schemaVersion(p), PG_SCHEMA_VERSION);
  });

  it('refuses a database a newer Outpost migrated, and leaves it as it was', async () => {
    const p = await pool();
    await migrate(p);
    await p.query("UPDATE meta SET value = '999' WHERE key = 'schema_version'");
    await assert.rejects(migrate(p), /schema is version 999; this server knows up to \d+\. Upgrade Outpost/);
    assert.equal(await schemaVersion(p), 999);
  });
});
