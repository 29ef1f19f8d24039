// Every store test runs once per engine: `describeStores('...', (engine) => ...)` opens a describe
// block for SQLite (a temp data dir) and one for PostgreSQL (a fresh database in the test cluster,
// test/support/postgres.ts). Nothing is skipped: a PostgreSQL that cannot start fails the tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { createPool } from '../../server/store/postgres/open.js';
import { PostgresStore } from '../../server/store/postgres/postgres-store.js';
import { openDatabase } from '../../server/store/sqlite/open.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';
import { openStore, type StoreLocation } from '../../server/store/open-store.js';
import type { Store } from '../../server/store/store.js';
import { freshDatabase } from './postgres.js';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];
export const ENGINE_NAMES: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

export interface StoreUnderTest {
  engine: Engine;
  /** Where it lives: a second connection (the CLI, a restart) opens the same data. */
  where: StoreLocation;
  store: Store;
  /** Closes the store and removes its data. */
  dispose(): Promise<void>;
}

/** A new, empty store (schema in place) on `engine`. */
export async function freshStore(engine: Engine): Promise<StoreUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-store-'));
  const where: StoreLocation = engine === 'postgres' ? { dataDir, store: await freshDatabase() } : { dataDir };
  const store = await openStore(where);
  return {
    engine,
    where,
    store,
    dispose: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// A store with a SQL side door for tests of tickets, the desk and accounts (from wp-pgb).
export interface TestStore {
  engine: Engine;
  store: Store;
  /** A device row as an enrolment leaves it (tests of tickets and the desk need no real enrolment). */
  addDevice(id: string, hostname?: string): Promise<void>;
  /**
   * Runs SQL both engines understand, with parameters written $1, $2...; the rows it returns. For a
   * test to look at or change what the store keeps without its API (values only, never identifiers).
   */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

const ADD_DEVICE = `INSERT INTO devices (id, install_id, hostname, serial, macs, secret_hash, first_seen, last_seen)
  VALUES ($1, 'inst', $2, NULL, '[]', $3, 0, 0)`;

function sqliteStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-store-'));
  const db: Database.Database = openDatabase(dir);
  const store = new SqliteStore(db);
  const sql = async <R>(text: string, params: unknown[] = []): Promise<R[]> => {
    // SQLite's ? takes the values in order of appearance; a flag is 0/1 there.
    const values: unknown[] = [];
    const statement = db.prepare(
      text.replace(/\$(\d+)/g, (_, n: string) => {
        const v = params[Number(n) - 1];
        values.push(typeof v === 'boolean' ? Number(v) : v);
        return '?';
      }),
    );
    return statement.reader ? (statement.all(...values) as R[]) : (statement.run(...values), []);
  };
  return {
    engine: 'sqlite',
    store,
    addDevice: async (id, hostname = `pc-${id}`) => void (await sql(ADD_DEVICE, [id, hostname, Buffer.from([0])])),
    sql,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresStore(): Promise<TestStore> {
  const url = await freshDatabase();
  const store = await PostgresStore.open(url);
  // A pool of its own for the test's SQL, so that it never waits on the store's connections.
  const pool: pg.Pool = createPool(url, 2);
  const sql = async <R>(text: string, params: unknown[] = []): Promise<R[]> => (await pool.query<R & pg.QueryResultRow>(text, params)).rows;
  return {
    engine: 'postgres',
    store,
    addDevice: async (id, hostname = `pc-${id}`) => void (await sql(ADD_DEVICE, [id, hostname, Buffer.from([0])])),
    sql,
    async close() {
      await store.close();
      await pool.end();
    },
  };
}

/** A fresh, empty store on `engine`. */
export function openTestStore(engine: Engine): Promise<TestStore> {
  return engine === 'sqlite' ? Promise.resolve(sqliteStore()) : postgresStore();
}

/** One describe block per engine, named "<name> (SQLite)" and "<name> (PostgreSQL)". */
export function describeStores(name: string, body: (engine: Engine) => void): void {
  for (const engine of ENGINES) describe(`${name} (${ENGINE_NAMES[engine]})`, () => body(engine));
}
