// The desk sync queue, links and cursor in SQLite (schema: migrations.ts, desk_*).
import type Database from 'better-sqlite3';
import type { Priority } from '../../../shared/tickets.js';
import {
  type ImportedDeskTicket,
  deskStatusKey,
  MAX_CATALOG_PACKAGES,
  type DeskJob,
  type DeskJobState,
  type DeskLinkKind,
  type DeskSoftware,
  type DeskStore,
  type NewDeskJob,
} from '../desk-records.js';
import type { NewServerNote } from '../ticket-records.js';
import { importDeskTicket } from './desk-tickets.js';
import { assembleCatalog, toJob, type JobRow, type Tallied } from '../desk-rows.js';

/** Errors are shown in the status API; a desk's answer can be long. */
const MAX_ERROR_CHARS = 2000;

export class SqliteDeskStore implements DeskStore {
  private enabled = false;
  private listener: (() => void) | null = null;
  private readonly insert: Database.Statement;
  private readonly rearm: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(`
      INSERT INTO desk_jobs (kind, key, payload, state, next_at, created_at, updated_at)
      VALUES (@kind, @key, @payload, 'queued', @at, @at, @at) ON CONFLICT(key) DO NOTHING`);
    this.rearm = db.prepare(`
      INSERT INTO desk_jobs (kind, key, payload, state, next_at, created_at, updated_at)
      VALUES (@kind, @key, @payload, 'queued', @at, @at, @at)
      ON CONFLICT(key) DO UPDATE SET payload = excluded.payload, revision = revision + 1, updated_at = excluded.updated_at,
        next_at = CASE WHEN state = 'queued' THEN next_at ELSE excluded.next_at END,
        attempts = CASE WHEN state = 'queued' THEN attempts ELSE 0 END, state = 'queued'`);
  }

  /** Synchronous, for a caller's transaction: the status the desk is known to have for a ticket. */
  knownDeskStatusSync(ticketId: number): string | null {
    const row = this.db.prepare('SELECT value FROM desk_state WHERE key = ?').get(deskStatusKey(ticketId)) as { value: string } | undefined;
    return row?.value ?? null;
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  onEnqueued(listener: (() => void) | null): void {
    this.listener = listener;
  }

  /** For the batch transaction: synchronous, no notification (the caller notifies after commit). */
  enqueueSync(job: NewDeskJob, at: number): void {
    (job.coalesce ? this.rearm : this.insert).run({ kind: job.kind, key: job.key, payload: JSON.stringify(job.payload), at });
  }

  notify(): void {
    this.listener?.();
  }

  async enqueue(job: NewDeskJob, at: number): Promise<void> {
    this.enqueueSync(job, at);
    this.notify();
  }

  async nextDue(now: number): Promise<DeskJob | null> {
    const row = this.db
      .prepare<[number], JobRow>("SELECT * FROM desk_jobs WHERE state = 'queued' AND next_at <= ? ORDER BY next_at, id LIMIT 1")
      .get(now);
    return row ? toJob(row) : null;
  }

  async nextDueAt(): Promise<number | null> {
    const row = this.db.prepare("SELECT MIN(next_at) AS at FROM desk_jobs WHERE state = 'queued'").get() as { at: number | null };
    return row.at;
  }

  async completeJob(id: number, revision: number, at: number): Promise<void> {
    this.db
      .prepare("UPDATE desk_jobs SET state = 'done', last_error = NULL, updated_at = ? WHERE id = ? AND revision = ?")
      .run(at, id, revision);
  }

  async beginAttempt(id: number, at: number): Promise<void> {
    this.db.prepare('UPDATE desk_jobs SET attempts = attempts + 1, updated_at = ? WHERE id = ?').run(at, id);
  }

  async holdJob(id: number, nextAt: number, error: string, at: number): Promise<void> {
    this.db
      .prepare('UPDATE desk_jobs SET next_at = ?, last_error = ?, updated_at = ? WHERE id = ?')
      .run(nextAt, error.slice(0, MAX_ERROR_CHARS), at, id);
  }

  async failJob(id: number, error: string, at: number): Promise<void> {
    this.db
      .prepare("UPDATE desk_jobs SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?")
      .run(error.slice(0, MAX_ERROR_CHARS), at, id);
  }

  async deferJob(id: number, nextAt: number): Promise<void> {
    this.db.prepare("UPDATE desk_jobs SET next_at = ? WHERE id = ? AND state = 'queued'").run(nextAt, id);
  }

  async releaseHeld(now: number): Promise<void> {
    this.db.prepare("UPDATE desk_jobs SET next_at = ? WHERE state = 'queued' AND next_at > ?").run(now, now);
  }

  async retryJob(id: number, at: number): Promise<boolean> {
    const r = this.db
      .prepare("UPDATE desk_jobs SET state = 'queued', attempts = 0, next_at = ?, updated_at = ? WHERE id = ? AND state = 'failed'")
      .run(at, at, id);
    if (r.changes > 0) this.notify();
    return r.changes > 0;
  }

  async jobCounts(): Promise<{ queued: number; failed: number }> {
    const row = this.db
      .prepare("SELECT COALESCE(SUM(state = 'queued'), 0) AS queued, COALESCE(SUM(state = 'failed'), 0) AS failed FROM desk_jobs")
      .get() as { queued: number; failed: number };
    return { queued: row.queued, failed: row.failed };
  }

  async jobState(key: string): Promise<DeskJobState | null> {
    const row = this.db.prepare('SELECT state FROM desk_jobs WHERE key = ?').get(key) as { state: DeskJobState } | undefined;
    return row?.state ?? null;
  }

  async recentFailed(limit: number): Promise<DeskJob[]> {
    const rows = this.db
      .prepare("SELECT * FROM desk_jobs WHERE state = 'failed' ORDER BY updated_at DESC, id DESC LIMIT ?")
      .all(limit) as JobRow[];
    return rows.map(toJob);
  }

  async deskIdFor(kind: DeskLinkKind, outpostId: string): Promise<string | null> {
    const row = this.db.prepare('SELECT desk_id FROM desk_links WHERE kind = ? AND outpost_id = ?').get(kind, outpostId) as
      { desk_id: string } | undefined;
    return row?.desk_id ?? null;
  }

  async outpostIdFor(kind: DeskLinkKind, deskId: string): Promise<string | null> {
    const row = this.db.prepare('SELECT outpost_id FROM desk_links WHERE kind = ? AND desk_id = ?').get(kind, deskId) as
      { outpost_id: string } | undefined;
    return row?.outpost_id ?? null;
  }

  async setLink(kind: DeskLinkKind, outpostId: string, deskId: string): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO desk_links (kind, outpost_id, desk_id) VALUES (?, ?, ?) ON CONFLICT(kind, outpost_id) DO UPDATE SET desk_id = excluded.desk_id',
      )
      .run(kind, outpostId, deskId);
  }

  async getState(key: string): Promise<string | null> {
    const row = this.db.prepare('SELECT value FROM desk_state WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  async setState(key: string, value: string): Promise<void> {
    this.db
      .prepare('INSERT INTO desk_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  async ticketIdByRef(deviceId: string, ref: string): Promise<number | null> {
    const row = this.db.prepare('SELECT id FROM tickets WHERE device_id = ? AND ref = ?').get(deviceId, ref) as { id: number } | undefined;
    return row?.id ?? null;
  }

  async importDeskTicket(ticket: ImportedDeskTicket, at: number): Promise<number> {
    return importDeskTicket(this.db, ticket, at);
  }

  async addDeskNote(ticketId: number, deskNoteId: string, note: NewServerNote): Promise<boolean> {
    return this.db.transaction(() => {
      const added = this.db
        .prepare(
          'INSERT OR IGNORE INTO ticket_notes (ticket_id, note_id, author, text, visibility, from_endpoint, at) VALUES (?, ?, ?, ?, ?, 0, ?)',
        )
        .run(ticketId, `desk-${deskNoteId}`, note.author, note.text, note.visibility, note.at);
      if (added.changes === 0) return false;
      const touch = note.visibility === 'customer' ? ', public_updated_at = @at' : '';
      this.db.prepare(`UPDATE tickets SET updated_at = @at${touch} WHERE id = @id`).run({ at: note.at, id: ticketId });
      return true;
    })();
  }

  async updateTicketFromDesk(ticketId: number, fields: { subject?: string; priority?: Priority }, at: number): Promise<boolean> {
    const sets: string[] = [];
    const values: Record<string, unknown> = { id: ticketId, at };
    if (fields.subject !== undefined) {
      sets.push('subject = @subject');
      values.subject = fields.subject.slice(0, 200);
    }
    if (fields.priority !== undefined) {
      sets.push('priority = @priority');
      values.priority = fields.priority;
    }
    if (sets.length === 0) return false;
    const differs = sets.map((s) => s.replace(' = ', ' IS NOT ')).join(' OR ');
    const r = this.db.prepare(`UPDATE tickets SET ${sets.join(', ')}, updated_at = @at WHERE id = @id AND (${differs})`).run(values);
    return r.changes > 0;
  }

  async softwareCatalog(limit = MAX_CATALOG_PACKAGES): Promise<DeskSoftware[]> {
    const top = this.db
      .prepare(
        `SELECT lower(name) AS k, COUNT(DISTINCT device_id) AS devices FROM software
         GROUP BY lower(name) ORDER BY devices DESC, k LIMIT ?`,
      )
      .all(Math.max(0, Math.min(limit, MAX_CATALOG_PACKAGES))) as { k: string; devices: number }[];
    if (top.length === 0) return [];
    const keys = JSON.stringify(top.map((t) => t.k));
    const chosen = 'JOIN (SELECT value AS k FROM json_each(?)) t ON t.k = lower(s.name)';
    const versions = this.db
      .prepare(
        `SELECT lower(s.name) AS k, s.version AS value, COUNT(DISTINCT s.device_id) AS devices FROM software s ${chosen} GROUP BY 1, 2`,
      )
      .all(keys) as Tallied[];
    const names = this.db
      .prepare(`SELECT lower(s.name) AS k, s.name AS value, COUNT(DISTINCT s.device_id) AS devices FROM software s ${chosen} GROUP BY 1, 2`)
      .all(keys) as Tallied[];
    const publishers = this.db
      .prepare(
        `SELECT lower(s.name) AS k, trim(s.publisher) AS value, COUNT(DISTINCT s.device_id) AS devices FROM software s ${chosen}
         WHERE trim(COALESCE(s.publisher, '')) != '' GROUP BY 1, 2`,
      )
      .all(keys) as Tallied[];
    return assembleCatalog(top, { versions, names, publishers });
  }
}
