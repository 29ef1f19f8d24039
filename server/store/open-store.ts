// Which store the server and the CLI's store commands open: the embedded SQLite file in the data
// directory (the default), or a PostgreSQL database named by a postgres:// URL (--store, OUTPOST_STORE).
import { isPostgresUrl } from './postgres/open.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { openWorkerStore } from './sqlite/worker/worker-store.js';
import type { Store } from './store.js';

export interface StoreLocation {
  dataDir: string;
  /** A postgres:// URL; absent (or "sqlite") for the SQLite file under dataDir. */
  store?: string | undefined;
}

export function usesPostgres(where: StoreLocation): where is StoreLocation & { store: string } {
  return where.store !== undefined && isPostgresUrl(where.store);
}

/**
 * `sqliteWorker`: the server's way, SQLite's writes and store jobs in a worker thread beside a
 * read-only connection (sqlite/worker/worker-store.ts); without it (the CLI, tests of the store
 * itself) everything runs in place. PostgreSQL's driver is asynchronous either way.
 */
export async function openStore(where: StoreLocation, opts: { sqliteWorker?: boolean } = {}): Promise<Store> {
  if (usesPostgres(where)) return PostgresStore.open(where.store);
  return opts.sqliteWorker ? openWorkerStore(where.dataDir) : SqliteStore.open(where.dataDir);
}

/** Where the data is, for logs and messages: never the URL's password. */
export function describeStore(where: StoreLocation): string {
  if (!usesPostgres(where)) return where.dataDir;
  const url = new URL(where.store);
  url.password = '';
  url.search = '';
  return url.toString();
}
