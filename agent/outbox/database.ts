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
import type { Logger } from '../../shared/log.js';

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
  // 2: the endpoint's view of its tickets and worklogs (agent/tickets/), kept beside the queue so
  // that a ticket and the items carrying it are written in one transaction.
  `CREATE TABLE tickets (
     ref TEXT PRIMARY KEY,
     account TEXT,                       -- who raised it; NULL when only the server told us of it
     number INTEGER,                     -- the server's ticket number, once it has the ticket
     subject TEXT NOT NULL,
     description TEXT NOT NULL,
     priority TEXT NOT NULL,
     category TEXT,
     status TEXT NOT NULL,               -- 'queued' until the server's tickets message
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     server_notes TEXT NOT NULL DEFAULT '[]',
     close_seq INTEGER,                  -- a ticket.close item the server has not confirmed yet
     gone INTEGER NOT NULL DEFAULT 0     -- missing from the server's last full list (see ticket-store.ts)
   );
   CREATE INDEX tickets_by_account ON tickets (account, created_at);
   CREATE TABLE ticket_local_notes (
     note_id TEXT PRIMARY KEY,
     ref TEXT NOT NULL REFERENCES tickets (ref) ON DELETE CASCADE,
     seq INTEGER NOT NULL,               -- the ticket.note item carrying it
     author TEXT NOT NULL,
     text TEXT NOT NULL,
     at TEXT NOT NULL
   );
   CREATE TABLE worklogs (
     ref TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     ticket_id TEXT NOT NULL,
     technician TEXT NOT NULL,
     start TEXT NOT NULL,
     end TEXT NOT NULL,
     minutes INTEGER NOT NULL,
     description TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('queued', 'recorded', 'rejected')),
     error_code TEXT,
     error_message TEXT,
     created_at TEXT NOT NULL
   );
   CREATE INDEX worklogs_by_account ON worklogs (account, created_at);
   CREATE TABLE worklog_sessions (
     account TEXT PRIMARY KEY,           -- one running remote session per account
     ticket_id TEXT NOT NULL,
     technician TEXT NOT NULL,
     start TEXT NOT NULL
   );`,
  // 3: what IT did on a ticket that the person should hear about (agent/tickets/ticket-events.ts):
  // one row per reply or status change, marked once shown as a notification, and how far each
  // account has read each ticket.
  `CREATE TABLE ticket_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     ref TEXT NOT NULL REFERENCES tickets (ref) ON DELETE CASCADE,
     kind TEXT NOT NULL CHECK (kind IN ('reply', 'status', 'waiting')),
     status TEXT NOT NULL,               -- the ticket's status when it happened
     note_id TEXT,                       -- the reply's note, for kind = 'reply'
     text TEXT NOT NULL,
     at TEXT NOT NULL,
     shown INTEGER NOT NULL DEFAULT 0    -- 1 once a notification was shown (or skipped)
   );
   CREATE INDEX ticket_events_by_ref ON ticket_events (ref, id);
   CREATE INDEX ticket_events_unshown ON ticket_events (shown, id);
   CREATE TABLE ticket_reads (
     account TEXT NOT NULL,
     ref TEXT NOT NULL REFERENCES tickets (ref) ON DELETE CASCADE,
     last_event INTEGER NOT NULL,        -- the newest ticket_events.id this account has seen
     PRIMARY KEY (account, ref)
   );
   ALTER TABLE tickets ADD COLUMN reopen_seq INTEGER;  -- a ticket.reopen item the server has not confirmed yet`,
  // 4: the number people see, as the server formats it: the desk's "#4", or "OP-17" (shared/tickets.ts).
  `ALTER TABLE tickets ADD COLUMN label TEXT;`,
  // 5: software deployments (agent/deploy/): each deployment the server sent, by id, with its state,
  // so it runs once across restarts; and the server's deployment signing key, pinned.
  `CREATE TABLE deployments (
     id TEXT PRIMARY KEY,               -- the deployment id: one run per id, ever
     command TEXT NOT NULL,             -- the verified command (JSON)
     state TEXT NOT NULL,               -- queued | downloading | installing | succeeded | failed
     attempt INTEGER NOT NULL,
     next_at TEXT,                      -- not before (the window's start, a retry's wait)
     received_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE deploy_key (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     key TEXT NOT NULL,                 -- base64 SPKI Ed25519 public key
     pinned_at TEXT NOT NULL
   );`,
  // 6: a self-service request's typed part (shared/self-service.ts, JSON with its approval), kept
  // with its ticket so Get software and My tickets show where the approval stands, offline too.
  `ALTER TABLE tickets ADD COLUMN software_request TEXT;`,
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

/**
 * A file SQLite cannot read at all is moved aside (kept for inspection) and a new outbox started:
 * the agent keeps working, and the server's lastSeq in the next welcome brings the seq back up.
 */
export function openOrSetAside(path: string, now: () => Date, log: Logger): Db {
  try {
    return openOutboxDb(path);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') throw err;
    const aside = `${path}.corrupt-${now().getTime()}`;
    for (const suffix of ['', '-wal', '-shm']) moveIfPresent(path + suffix, aside + suffix);
    log.error(
      { code: 'E_OUTBOX_CORRUPT', sqlite: code, movedTo: aside },
      'the outbox file is unreadable; it was set aside and a new one started',
    );
    return openOutboxDb(path);
  }
}

export function moveIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
