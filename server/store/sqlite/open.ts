// Opens (creating when needed) the server's SQLite file under the data directory.
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrations.js';
import { cacheStatements } from './statement-cache.js';

export const DB_FILE = 'outpost.db';

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
