// The service-desk sync's queue, links and cursor in PostgreSQL (the DeskStore contract, desk-records.ts).
// Several server processes may share the database: a job is claimed by exactly one of them
// (FOR UPDATE SKIP LOCKED) and held by a lease on its next_at while it runs, so a process that dies
// mid-job hands it back when the lease ends instead of losing it.
import type pg from 'pg';
import type { Priority } from '../../../shared/tickets.js';
import {
  deskStatusKey,
  type DeskJob,
  type DeskJobState,
  type DeskLinkKind,
  type DeskStore,
  type ImportedDeskTicket,
  type NewDeskJob,
} from '../desk-records.js';
import type { NewServerNote } from '../ticket-records.js';
import { toJob, type JobRow } from '../desk-rows.js';
import { importDeskTicket, softwareCatalog } from './desk-rows.js';
import { createDeskWakeup } from './desk-wakeup.js';
import { inTransaction, type Queryable } from './tx.js';

export interface PgDeskStore extends DeskStore {
  /** Writes one job inside the caller's transaction (a batch's, a ticket change's). */
  enqueueIn(db: Queryable, job: NewDeskJob, at: number): Promise<void>;
  /** Tells the sync engine jobs were committed (after the caller's commit). */
  notify(): void;
  /** The status the desk is known to have for a ticket (desk_state), read in the caller's transaction. */
  knownDeskStatusIn(db: Queryable, ticketId: number): Promise<string | null>;
  /** Resolves once this process hears other processes' jobs (after onEnqueued set a listener). */
  whenListening(): Promise<void>;
  /** Stops listening for other processes' jobs (before the pool ends). */
  close(): Promise<void>;
}

/** Errors are shown in the status API; a desk's answer can be long. */
const MAX_ERROR_CHARS = 2000;

/**
 * How long a claimed job stays invisible to the other processes. Longer than any one desk job (the
 * desk client's timeouts are seconds); a process that dies mid-job hands it back after this.
 */
export const DESK_JOB_LEASE_MS = 10 * 60_000;

const INSERT_JOB = `
  INSERT INTO desk_jobs (kind, key, payload, state, next_at, created_at, updated_at)
  VALUES ($1, $2, $3, 'queued', $4, $4, $4) ON CONFLICT (key) DO NOTHING`;
const REARM_JOB = `
  INSERT INTO desk_jobs AS j (kind, key, payload, state, next_at, created_at, updated_at)
  VALUES ($1, $2, $3, 'queued', $4, $4, $4)
  ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, revision = j.revision + 1, updated_at = excluded.updated_at,
    next_at = CASE WHEN j.state = 'queued' THEN j.next_at ELSE excluded.next_at END,
    attempts = CASE WHEN j.state = 'queued' THEN j.attempts ELSE 0 END, state = 'queued'`;

// The due job is locked and leased in one statement: a second process skips the locked row and, once
// this commits, sees a next_at in the future. The job is returned with the next_at it was due at.
const CLAIM_DUE = `
  WITH due AS (
    SELECT id, next_at FROM desk_jobs WHERE state = 'queued' AND next_at <= $1
    ORDER BY next_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
  UPDATE desk_jobs j SET next_at = $2 FROM due WHERE j.id = due.id
  RETURNING j.id, j.kind, j.key, j.payload, j.state, j.attempts, j.revision, due.next_at, j.last_error, j.created_at, j.updated_at`;

export function createPgDeskStore(pool: pg.Pool): PgDeskStore {
  let enabled = false;
  let listener: (() => void) | null = null;
  const wakeup = createDeskWakeup(pool);
  const one = async <R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R | undefined> =>
    (await pool.query<R>(text, values)).rows[0];

  const store: PgDeskStore = {
    get isEnabled() {
      return enabled;
    },
    setEnabled(on) {
      enabled = on;
    },
    onEnqueued(l) {
      listener = l;
      wakeup.listen(l);
    },
    whenListening: () => wakeup.whenListening(),
    close: () => wakeup.close(),
    notify() {
      listener?.();
    },
    async enqueueIn(db, job, at) {
      await db.query(job.coalesce ? REARM_JOB : INSERT_JOB, [job.kind, job.key, JSON.stringify(job.payload), at]);
      await wakeup.announce(db);
    },
    async knownDeskStatusIn(db, ticketId) {
      const row = await db.query<{ value: string }>('SELECT value FROM desk_state WHERE key = $1', [deskStatusKey(ticketId)]);
      return row.rows[0]?.value ?? null;
    },
    async enqueue(job, at) {
      await store.enqueueIn(pool, job, at);
      store.notify();
    },

    async nextDue(now) {
      const row = await one<JobRow>(CLAIM_DUE, [now, now + DESK_JOB_LEASE_MS]);
      return row ? toJob(row) : null;
    },
    async nextDueAt() {
      return (await one<{ at: number | null }>("SELECT MIN(next_at) AS at FROM desk_jobs WHERE state = 'queued'", []))!.at;
    },
    async completeJob(id, revision, at) {
      // Re-armed while it ran (revision moved): it stays queued and is due now, not at the lease's end.
      await pool.query(
        `UPDATE desk_jobs SET state = CASE WHEN revision = $2 THEN 'done' ELSE state END,
           last_error = CASE WHEN revision = $2 THEN NULL ELSE last_error END,
           next_at = CASE WHEN revision = $2 THEN next_at ELSE LEAST(next_at, $3) END,
           updated_at = CASE WHEN revision = $2 THEN $3 ELSE updated_at END
         WHERE id = $1`,
        [id, revision, at],
      );
    },
    async beginAttempt(id, at) {
      await pool.query('UPDATE desk_jobs SET attempts = attempts + 1, updated_at = $2 WHERE id = $1', [id, at]);
    },
    async holdJob(id, nextAt, error, at) {
      await pool.query('UPDATE desk_jobs SET next_at = $2, last_error = $3, updated_at = $4 WHERE id = $1', [
        id,
        nextAt,
        error.slice(0, MAX_ERROR_CHARS),
        at,
      ]);
    },
    async failJob(id, error, at) {
      await pool.query("UPDATE desk_jobs SET state = 'failed', last_error = $2, updated_at = $3 WHERE id = $1", [
        id,
        error.slice(0, MAX_ERROR_CHARS),
        at,
      ]);
    },
    async deferJob(id, nextAt) {
      await pool.query("UPDATE desk_jobs SET next_at = $2 WHERE id = $1 AND state = 'queued'", [id, nextAt]);
    },
    async releaseHeld(now) {
      await pool.query("UPDATE desk_jobs SET next_at = $1 WHERE state = 'queued' AND next_at > $1", [now]);
    },
    async retryJob(id, at) {
      const r = await pool.query(
        "UPDATE desk_jobs SET state = 'queued', attempts = 0, next_at = $2, updated_at = $2 WHERE id = $1 AND state = 'failed'",
        [id, at],
      );
      const retried = (r.rowCount ?? 0) > 0;
      if (retried) {
        await wakeup.announce(pool);
        store.notify();
      }
      return retried;
    },
    async jobCounts() {
      const row = await one<{ queued: number; failed: number }>(
        "SELECT COUNT(*) FILTER (WHERE state = 'queued')::int AS queued, COUNT(*) FILTER (WHERE state = 'failed')::int AS failed FROM desk_jobs",
        [],
      );
      return { queued: row!.queued, failed: row!.failed };
    },
    async jobState(key) {
      return (await one<{ state: DeskJobState }>('SELECT state FROM desk_jobs WHERE key = $1', [key]))?.state ?? null;
    },
    async recentFailed(limit) {
      const rows = await pool.query<JobRow>("SELECT * FROM desk_jobs WHERE state = 'failed' ORDER BY updated_at DESC, id DESC LIMIT $1", [
        limit,
      ]);
      return rows.rows.map(toJob) satisfies DeskJob[];
    },

    async deskIdFor(kind: DeskLinkKind, outpostId: string) {
      const row = await one<{ desk_id: string }>('SELECT desk_id FROM desk_links WHERE kind = $1 AND outpost_id = $2', [kind, outpostId]);
      return row?.desk_id ?? null;
    },
    async outpostIdFor(kind: DeskLinkKind, deskId: string) {
      const row = await one<{ outpost_id: string }>('SELECT outpost_id FROM desk_links WHERE kind = $1 AND desk_id = $2 LIMIT 1', [
        kind,
        deskId,
      ]);
      return row?.outpost_id ?? null;
    },
    async setLink(kind, outpostId, deskId) {
      await pool.query(
        'INSERT INTO desk_links (kind, outpost_id, desk_id) VALUES ($1, $2, $3) ON CONFLICT (kind, outpost_id) DO UPDATE SET desk_id = excluded.desk_id',
        [kind, outpostId, deskId],
      );
    },

    async getState(key) {
      return (await one<{ value: string }>('SELECT value FROM desk_state WHERE key = $1', [key]))?.value ?? null;
    },
    async setState(key, value) {
      await pool.query('INSERT INTO desk_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
        key,
        value,
      ]);
    },

    async ticketIdByRef(deviceId, ref) {
      return (await one<{ id: number }>('SELECT id FROM tickets WHERE device_id = $1 AND ref = $2', [deviceId, ref]))?.id ?? null;
    },
    async importDeskTicket(ticket: ImportedDeskTicket, at: number) {
      return inTransaction(pool, (client) => importDeskTicket(client, ticket, at));
    },
    async addDeskNote(ticketId: number, deskNoteId: string, note: NewServerNote) {
      return inTransaction(pool, async (client) => {
        const added = await client.query(
          `INSERT INTO ticket_notes (ticket_id, note_id, author, text, visibility, from_endpoint, at)
           VALUES ($1, $2, $3, $4, $5, false, $6) ON CONFLICT (ticket_id, note_id) DO NOTHING`,
          [ticketId, `desk-${deskNoteId}`, note.author, note.text, note.visibility, note.at],
        );
        if ((added.rowCount ?? 0) === 0) return false;
        const touch = note.visibility === 'customer' ? ', public_updated_at = $1' : '';
        await client.query(`UPDATE tickets SET updated_at = $1${touch} WHERE id = $2`, [note.at, ticketId]);
        return true;
      });
    },
    async updateTicketFromDesk(ticketId: number, fields: { subject?: string; priority?: Priority }, at: number) {
      const subject = fields.subject?.slice(0, 200) ?? null;
      const priority = fields.priority ?? null;
      if (subject === null && priority === null) return false;
      // A field not given keeps its value (and cannot differ): NULL here means "not given".
      const r = await pool.query(
        `UPDATE tickets SET subject = COALESCE($2, subject), priority = COALESCE($3, priority), updated_at = $4
         WHERE id = $1 AND (($2::text IS NOT NULL AND subject IS DISTINCT FROM $2) OR ($3::text IS NOT NULL AND priority IS DISTINCT FROM $3))`,
        [ticketId, subject, priority, at],
      );
      return (r.rowCount ?? 0) > 0;
    },

    softwareCatalog: (limit) => softwareCatalog(pool, limit),
  };
  return store;
}
