// Every store test runs once per engine: `describeStores('...', (engine) => ...)` opens a describe
// block for SQLite (a temp data dir) and one for PostgreSQL (a fresh database in the test cluster,
// test/support/postgres.ts). Nothing is skipped: a PostgreSQL that cannot start fails the tests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import type pg from 'pg';
import { openStore, type StoreLocation } from '../../server/store/open-store.js';
import { createPool } from '../../server/store/postgres/open.js';
import { openDatabase } from '../../server/store/sqlite/open.js';
import { hashSecret } from '../../server/store/secrets.js';
import type { Store } from '../../server/store/store.js';
import { issueEnrolmentToken } from '../../server/store/tokens.js';
import { freshDatabase } from './postgres.js';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];
export const ENGINE_NAMES: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

export interface StoreUnderTest {
  engine: Engine;
  /** Where it lives: a second connection (the CLI, a restart) opens the same data. */
  where: StoreLocation;
  store: Store;
  /**
   * Runs SQL both engines understand, parameters written $1, $2..., on a connection of its own to the
   * store's data; the rows it returns. For tests that seed or look at rows without the store's API.
   */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** A device row as an enrolment leaves it (tests of tickets and the desk need no real enrolment). */
  addDevice(id: string, fields?: { hostname?: string; serial?: string }): Promise<void>;
  /** Closes the store and removes its data. */
  dispose(): Promise<void>;
}

interface SqlConnection {
  run<R>(text: string, params: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

function sqliteConnection(dataDir: string): SqlConnection {
  const db = openDatabase(dataDir);
  return {
    async run<R>(text: string, params: unknown[]): Promise<R[]> {
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
    },
    close: async () => void db.close(),
  };
}

function postgresConnection(url: string): SqlConnection {
  const pool: pg.Pool = createPool(url, 1);
  return {
    run: async <R>(text: string, params: unknown[]) => (await pool.query<R & pg.QueryResultRow>(text, params)).rows,
    close: () => pool.end(),
  };
}

const ADD_DEVICE = `INSERT INTO devices (id, install_id, hostname, serial, macs, secret_hash, first_seen, last_seen)
  VALUES ($1, 'inst', $2, $3, '[]', $4, 0, 0)`;

/** A new, empty store (schema in place) on `engine`. */
export async function freshStore(engine: Engine): Promise<StoreUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-store-'));
  const where: StoreLocation = engine === 'postgres' ? { dataDir, store: await freshDatabase() } : { dataDir };
  const store = await openStore(where);
  let connection: SqlConnection | null = null;
  const sql = <R>(text: string, params: unknown[] = []): Promise<R[]> => {
    connection ??= where.store ? postgresConnection(where.store) : sqliteConnection(dataDir);
    return connection.run<R>(text, params);
  };
  return {
    engine,
    where,
    store,
    sql,
    addDevice: async (id, fields = {}) =>
      void (await sql(ADD_DEVICE, [id, fields.hostname ?? `pc-${id}`, fields.serial ?? null, Buffer.from([0])])),
    dispose: async () => {
      await connection?.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One describe block per engine, named "<name> (SQLite)" and "<name> (PostgreSQL)". */
export function describeStores(name: string, body: (engine: Engine) => void): void {
  for (const engine of ENGINES) describe(`${name} (${ENGINE_NAMES[engine]})`, () => body(engine));
}

/**
 * Enrols one device through the store's own enrolment (a token issued and used at `at`), as an agent's
 * first connection would, for tests that then apply batches to it; its id. `tag` names its install id
 * and secret; the hostname is `tag` unless given.
 */
export async function enrolInStore(store: Store, tag: string, at: number, hostname = tag): Promise<string> {
  const token = await issueEnrolmentToken(store, {}, at);
  const enrolled = await store.enrol({
    tokenHash: hashSecret(token),
    hints: { installId: `inst-${tag}`, hostname, macs: [] },
    agentVersion: 't',
    secretHash: hashSecret(`secret-${tag}`),
    at,
  });
  assert.ok(enrolled.ok);
  return enrolled.deviceId;
}
