// Opens (creating when needed) the server's SQLite file under the data directory.
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrations.js';
import { cacheStatements } from './statement-cache.js';

export const DB_FILE = 'outpost.db';

/** WAL pages after which a commit checkpoints them into the database file (SQLite's default: 1,000). */
export const WAL_CHECKPOINT_PAGES = 10_000;

export function openDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DB_FILE);
  const db = new Database(file);
  try {
    chmodSync(file, 0o600); // holds credential hashes and every device's inventory
    db.pragma('journal_mode = WAL');
    // The CLI's `token create` writes while the server runs; wait for the lock rather than fail.
    db.pragma('busy_timeout = 5000');
    // NORMAL in WAL mode survives a process crash; a power cut may lose the last transactions, which
    // the protocol heals: the agent's next delta misses its baseline and a full snapshot follows.
    db.pragma('synchronous = NORMAL');
    // A first snapshot dirties a few hundred pages spread over the software key index and the fleet's
    // names; SQLite's default checkpoint (every 1,000 WAL pages) copied them back every few snapshots.
    // At 10,000 pages (~40 MB of WAL) a hot page is copied once for many batches: 10-15 % less CPU
    // per first snapshot at 1,500 devices (bench/snapshot-cost.mjs, README Numbers).
    db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    return cacheStatements(db);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** A second, read-only connection to the file a writer has opened (and migrated): WAL readers never wait for it. */
export function openReadOnlyDatabase(dataDir: string): Database.Database {
  const db = new Database(join(dataDir, DB_FILE), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return cacheStatements(db);
  } catch (err) {
    db.close();
    throw err;
  }
}
