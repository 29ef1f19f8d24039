// Tickets as the API and the endpoints read them, and the changes IT makes (status, notes).
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { EndpointTicket, TicketStatus } from '../../../shared/tickets.js';
import type {
  AttachmentFile,
  NewServerNote,
  StoredNote,
  TicketChangeJobs,
  TicketDetail,
  TicketFilter,
  TicketStore,
  TicketSummary,
} from '../ticket-records.js';
import {
  toAttachmentInfo,
  toDeviceDetails,
  toFilledTemplate,
  toEndpointTicket,
  toNote,
  toTicketSummary,
  toWorklog,
  type AttachmentRow,
  type NoteRow,
  type TicketRow,
  type WorklogRow,
  DESK_NUMBER_COLUMN,
} from './ticket-rows.js';
import { OUTPOST_NUMBER } from '../../../shared/ticket-label.js';
import { REQUESTER_RULES, type DeskRequesterJson } from '../../../shared/http-api.js';
import { deskRequesterKey } from '../desk-records.js';
import type { SqliteDeskStore } from './desk-store.js';

/** Each ticket sent to an endpoint carries at most this many of its newest customer-facing notes,
 * which keeps a full list within a few frames however long a conversation gets. */
export const ENDPOINT_NOTES_PER_TICKET = 100;

const LIKE_ESCAPE = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * What a search for a number means: "OP-17" is always Outpost's ticket 17; "#4" or "4" is the desk's
 * number while a desk is connected, and also Outpost's (without a desk only Outpost's).
 */
function numberQuery(query: string | null, deskConnected: boolean): { number: number | null; deskNumber: string | null } {
  const own = query ? OUTPOST_NUMBER.exec(query) : null;
  if (own) return { number: Number(own[1]), deskNumber: null };
  const digits = query && /^#?\d{1,20}$/.test(query) ? query.replace('#', '') : null;
  if (digits === null) return { number: null, deskNumber: null };
  const n = Number(digits);
  return { number: Number.isSafeInteger(n) ? n : null, deskNumber: deskConnected ? digits : null };
}

export class SqliteTicketStore implements TicketStore {
  constructor(
    private readonly db: Database.Database,
    /** Changes IT makes here are queued for the service desk in the same transaction. */
    private readonly desk: SqliteDeskStore,
  ) {}

  private get deskConnected(): boolean {
    return this.desk?.isEnabled ?? false;
  }

  async endpointTickets(deviceId: string, opts: { refs?: readonly string[]; limit: number }): Promise<EndpointTicket[]> {
    const rows = this.db
      .prepare(
        `SELECT t.*, ${DESK_NUMBER_COLUMN} FROM tickets t
         WHERE device_id = @deviceId AND (@refs IS NULL OR ref IN (SELECT value FROM json_each(@refs)))
         ORDER BY id DESC LIMIT @limit`,
      )
      .all({ deviceId, refs: opts.refs ? JSON.stringify(opts.refs) : null, limit: opts.limit }) as TicketRow[];
    if (rows.length === 0) return [];
    const notes = this.db
      .prepare(
        `SELECT * FROM (
           SELECT n.*, ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY at DESC, seq DESC) AS newest
           FROM ticket_notes n WHERE visibility = 'customer' AND ticket_id IN (SELECT value FROM json_each(?)))
         WHERE newest <= ? ORDER BY at, seq`,
      )
      .all(JSON.stringify(rows.map((r) => r.id)), ENDPOINT_NOTES_PER_TICKET) as NoteRow[];
    const byTicket = new Map<number, NoteRow[]>();
    for (const n of notes) {
      const list = byTicket.get(n.ticket_id);
      if (list) list.push(n);
      else byTicket.set(n.ticket_id, [n]);
    }
    return rows.map((r) => toEndpointTicket(r, byTicket.get(r.id) ?? [], this.deskConnected));
  }

  async worklogRecorded(deviceId: string, ref: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM worklogs WHERE device_id = ? AND ref = ?').get(deviceId, ref) !== undefined;
  }

  async listTickets(filter: TicketFilter): Promise<TicketSummary[]> {
    const query = filter.query?.trim() || null;
    const { number, deskNumber } = numberQuery(query, this.deskConnected);
    const rows = this.db
      .prepare(
        `SELECT t.*, ${DESK_NUMBER_COLUMN} FROM tickets t
         WHERE (@statuses IS NULL OR t.status IN (SELECT value FROM json_each(@statuses)))
           AND (@deviceId IS NULL OR t.device_id = @deviceId)
           AND (@pattern IS NULL OR t.id = @number
                OR t.id IN (SELECT CAST(outpost_id AS INTEGER) FROM desk_links WHERE kind = 'ticket' AND desk_id = @deskNumber)
                OR t.subject LIKE @pattern ESCAPE '\\' OR t.description LIKE @pattern ESCAPE '\\'
                OR t.requester_account LIKE @pattern ESCAPE '\\' OR json_extract(t.requester, '$.fullName') LIKE @pattern ESCAPE '\\'
                OR t.hostname LIKE @pattern ESCAPE '\\')
           AND t.id < @before
         ORDER BY t.id DESC LIMIT @limit`,
      )
      .all({
        statuses: filter.statuses?.length ? JSON.stringify(filter.statuses) : null,
        deviceId: filter.deviceId ?? null,
        pattern: query === null ? null : LIKE_ESCAPE(query),
        number,
        deskNumber,
        before: filter.before ?? Number.MAX_SAFE_INTEGER,
        limit: filter.limit,
      }) as TicketRow[];
    return rows.map((r) => toTicketSummary(r, this.deskConnected));
  }

  async getTicket(id: number): Promise<TicketDetail | null> {
    return this.detail(id);
  }

  async getAttachment(ticketId: number, attachmentId: number): Promise<AttachmentFile | null> {
    const row = this.db
      .prepare('SELECT name, type, content FROM ticket_attachments WHERE id = ? AND ticket_id = ?')
      .get(attachmentId, ticketId) as AttachmentFile | undefined;
    return row ?? null;
  }

  /** The desk jobs `jobs` names for a changed status are enqueued in the same transaction. */
  async setTicketStatus(
    id: number,
    status: TicketStatus,
    at: number,
    jobs?: TicketChangeJobs | null,
  ): Promise<{ ticket: TicketDetail; changed: boolean } | null> {
    const desk = this.desk;
    let enqueued = false;
    const result = this.db.transaction(() => {
      const current = this.db.prepare<[number], { status: TicketStatus }>('SELECT status FROM tickets WHERE id = ?').get(id);
      if (!current) return null;
      const changed = current.status !== status;
      if (changed) {
        this.db
          .prepare('UPDATE tickets SET status = ?, updated_at = ?, public_updated_at = ?, closed_at = ? WHERE id = ?')
          .run(status, at, at, status === 'closed' ? at : null, id);
        const named = jobs ? jobs.statusChanged(id, status, desk.knownDeskStatusSync(id)) : [];
        for (const job of named) desk.enqueueSync(job, at);
        enqueued = named.length > 0;
      }
      return { ticket: this.detail(id)!, changed };
    })();
    if (enqueued) desk.notify();
    return result;
  }

  /** The desk jobs `jobs` names for the note are enqueued in the same transaction. */
  async addTicketNote(
    id: number,
    note: NewServerNote,
    jobs?: TicketChangeJobs | null,
  ): Promise<{ ticket: TicketDetail; note: StoredNote } | null> {
    const desk = this.desk;
    let enqueued = false;
    const result = this.db.transaction(() => {
      if (!this.db.prepare('SELECT 1 FROM tickets WHERE id = ?').get(id)) return null;
      const stored: StoredNote = {
        id: randomUUID(),
        author: note.author,
        text: note.text,
        at: note.at,
        visibility: note.visibility,
        fromEndpoint: false,
      };
      this.db
        .prepare('INSERT INTO ticket_notes (ticket_id, note_id, author, text, visibility, from_endpoint, at) VALUES (?, ?, ?, ?, ?, 0, ?)')
        .run(id, stored.id, stored.author, stored.text, stored.visibility, stored.at);
      const touch = note.visibility === 'customer' ? ', public_updated_at = @at' : '';
      this.db.prepare(`UPDATE tickets SET updated_at = @at${touch} WHERE id = @id`).run({ at: note.at, id });
      const named = jobs ? jobs.noteAdded(id, stored.id) : [];
      for (const job of named) desk.enqueueSync(job, note.at);
      enqueued = named.length > 0;
      return { ticket: this.detail(id)!, note: stored };
    })();
    if (enqueued) desk.notify();
    return result;
  }

  /** How the desk's requester was found (written by the desk sync); null when not, or unreadable. */
  private deskRequester(id: number): DeskRequesterJson | null {
    const value = this.db.prepare('SELECT value FROM desk_state WHERE key = ?').pluck().get(deskRequesterKey(id)) as string | undefined;
    if (value === undefined) return null;
    try {
      const parsed = JSON.parse(value) as Partial<DeskRequesterJson>;
      const rule = REQUESTER_RULES.find((r) => r === parsed.rule);
      return rule && typeof parsed.requester === 'string' ? { rule, requester: parsed.requester } : null;
    } catch {
      return null;
    }
  }

  private detail(id: number): TicketDetail | null {
    const row = this.db.prepare(`SELECT t.*, ${DESK_NUMBER_COLUMN} FROM tickets t WHERE id = ?`).get(id) as TicketRow | undefined;
    if (!row) return null;
    const notes = this.db.prepare('SELECT * FROM ticket_notes WHERE ticket_id = ? ORDER BY at, seq').all(id) as NoteRow[];
    const attachments = this.db
      .prepare('SELECT id, name, type, size, sha256, screenshot FROM ticket_attachments WHERE ticket_id = ? ORDER BY id')
      .all(id) as AttachmentRow[];
    const worklogs = this.db
      .prepare(
        `SELECT w.id, w.ref, w.technician, w.start_at, w.end_at, w.minutes, w.description, w.device_id, d.hostname, w.recorded_at
         FROM worklogs w LEFT JOIN devices d ON d.id = w.device_id WHERE w.ticket_id = ? ORDER BY w.start_at, w.id`,
      )
      .all(id) as WorklogRow[];
    return {
      ...toTicketSummary(row, this.deskConnected),
      description: row.description,
      device: toDeviceDetails(row),
      receivedAt: row.received_at,
      closedAt: row.closed_at,
      attachmentsExpected: row.attachments_expected,
      queue: row.desk_queue ?? null,
      template: toFilledTemplate(row),
      notes: notes.map(toNote),
      attachments: attachments.map(toAttachmentInfo),
      worklogs: worklogs.map(toWorklog),
      deskRequester: this.deskRequester(id),
    };
  }
}
