// Opens the outbox's SQLite file and brings its schema up to date.
//
// Durability: WAL with synchronous=FULL. WAL alone (even with synchronous=NORMAL) already keeps every
// committed transaction when the process is killed (kill -9, crash): the commit has been written to
// the WAL file, and the OS page cache outlives the process. NORMAL can lose the last commits on a
// power cut or kernel panic; FULL fsyncs the WAL on each commit and keeps them. The outbox writes a
// few transactions an hour (a scan, a ticket, an ack batch), so FULL costs nothing noticeable and a
// ticket the person was told is "queued" survives a power cut too.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/** Each entry moves the schema from version i to i + 1. Never edit a released entry; append. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     last_seq INTEGER NOT NULL,          -- highest seq ever handed out; never goes down
     acked_through INTEGER NOT NULL,     -- highest seq the server has acknowledged
     full_requested INTEGER NOT NULL     -- 1: the next recorded snapshot goes out whole
   );
   INSERT INTO state (id, last_seq, acked_through, full_requested) VALUES (1, 0, 0, 0);
   CREATE TABLE items (
     seq INTEGER PRIMARY KEY,
     at TEXT NOT NULL,
     kind TEXT NOT NULL,
     body TEXT NOT NULL
   );
   CREATE TABLE baseline (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     snapshot TEXT NOT NULL,
     digest TEXT NOT NULL,
     at TEXT NOT NULL,
     trigger TEXT NOT NULL
   );
   CREATE TABLE dead_items (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     seq INTEGER NOT NULL,
     at TEXT,
     kind TEXT,
     body TEXT,
     code TEXT NOT NULL,
     reason TEXT NOT NULL,
     set_aside_at TEXT NOT NULL
   );`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Opens (creating if needed) the outbox file, owner-only, and migrates it. */
export function openOutboxDb(path: string): Db {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Create the file owner-only before SQLite touches it: SQLite gives the -wal and -shm files the
  // same permissions as the database file.
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`The outbox schema is version ${current}, newer than this agent knows (${SCHEMA_VERSION}).`);
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export function moveIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
