// Store tests on both engines: `describeStores` runs a suite once on the embedded SQLite file and once
// on PostgreSQL (a database of the private test cluster, ./postgres.ts). Nothing is skipped: when
// PostgreSQL cannot start, the PostgreSQL half fails with the reason.
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
import type { Store } from '../../server/store/store.js';
import { freshDatabase } from './postgres.js';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

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

/** The suite once per engine, titled with it; `open` gives the suite a fresh store of that engine. */
export function describeStores(title: string, suite: (open: () => Promise<TestStore>, engine: Engine) => void): void {
  for (const engine of ENGINES) describe(`${title} (${engine})`, () => suite(() => openTestStore(engine), engine));
}
