// Tickets as IT and the endpoints read and change them outside a batch, in PostgreSQL (the
// TicketStore contract, ticket-records.ts). A change IT makes locks the ticket's row, so two server
// processes changing one ticket at once take turns, and its desk jobs commit with it.
import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { EndpointTicket } from '../../../shared/tickets.js';
import { deskRequesterKey } from '../desk-records.js';
import type { StoredNote, TicketDetail, TicketStore } from '../ticket-records.js';
import {
  DESK_NUMBER_COLUMN,
  ENDPOINT_NOTES_PER_TICKET,
  likeAnywhere,
  numberQuery,
  readDeskRequester,
  toEndpointTicket,
  toTicketDetail,
  toTicketSummary,
  type AttachmentRow,
  type NoteRow,
  type TicketRow,
  type WorklogRow,
} from '../ticket-rows.js';
import type { PgDeskStore } from './desk-store.js';
import { inTransaction, type Queryable } from './tx.js';

const LIST_TICKETS = `
  SELECT t.*, ${DESK_NUMBER_COLUMN} FROM tickets t
  WHERE ($1::text[] IS NULL OR t.status = ANY($1))
    AND ($2::text IS NULL OR t.device_id = $2)
    AND ($3::text IS NULL OR t.id = $4
         OR t.id::text IN (SELECT outpost_id FROM desk_links WHERE kind = 'ticket' AND desk_id = $5)
         OR t.subject ILIKE $3 OR t.description ILIKE $3 OR t.requester_account ILIKE $3
         OR (t.requester::jsonb ->> 'fullName') ILIKE $3 OR t.hostname ILIKE $3)
    AND t.id < $6
  ORDER BY t.id DESC LIMIT $7`;

/** A ticket with its notes, files and worklogs; null for an unknown id. */
export async function ticketDetail(db: Queryable, id: number, deskConnected: boolean): Promise<TicketDetail | null> {
  const row = (await db.query<TicketRow>(`SELECT t.*, ${DESK_NUMBER_COLUMN} FROM tickets t WHERE id = $1`, [id])).rows[0];
  if (!row) return null;
  const notes = await db.query<NoteRow>('SELECT * FROM ticket_notes WHERE ticket_id = $1 ORDER BY at, seq', [id]);
  const attachments = await db.query<AttachmentRow>(
    'SELECT id, name, type, size, sha256, screenshot FROM ticket_attachments WHERE ticket_id = $1 ORDER BY id',
    [id],
  );
  const worklogs = await db.query<WorklogRow>(
    `SELECT w.id, w.ref, w.technician, w.start_at, w.end_at, w.minutes, w.description, w.device_id, d.hostname, w.recorded_at
     FROM worklogs w LEFT JOIN devices d ON d.id = w.device_id WHERE w.ticket_id = $1 ORDER BY w.start_at COLLATE "C", w.id`,
    [id],
  );
  const requester = await db.query<{ value: string }>('SELECT value FROM desk_state WHERE key = $1', [deskRequesterKey(id)]);
  return toTicketDetail(
    row,
    {
      notes: notes.rows,
      attachments: attachments.rows,
      worklogs: worklogs.rows,
      deskRequester: readDeskRequester(requester.rows[0]?.value),
    },
    deskConnected,
  );
}

export function createPgTicketStore(pool: pg.Pool, desk: PgDeskStore): TicketStore {
  /** Runs an IT change and tells the desk sync about the jobs it enqueued once it committed. */
  const change = async <T>(work: (db: pg.PoolClient) => Promise<{ result: T; enqueued: number }>): Promise<T> => {
    const { result, enqueued } = await inTransaction(pool, work);
    if (enqueued > 0) desk.notify();
    return result;
  };

  return {
    async endpointTickets(deviceId, opts): Promise<EndpointTicket[]> {
      const rows = (
        await pool.query<TicketRow>(
          `SELECT t.*, ${DESK_NUMBER_COLUMN} FROM tickets t
           WHERE device_id = $1 AND ($2::text[] IS NULL OR ref = ANY($2)) ORDER BY id DESC LIMIT $3`,
          [deviceId, opts.refs ? [...opts.refs] : null, opts.limit],
        )
      ).rows;
      if (rows.length === 0) return [];
      const notes = await pool.query<NoteRow>(
        `SELECT * FROM (
           SELECT n.*, ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY at DESC, seq DESC) AS newest
           FROM ticket_notes n WHERE visibility = 'customer' AND ticket_id = ANY($1::bigint[])) n
         WHERE newest <= $2 ORDER BY at, seq`,
        [rows.map((r) => r.id), ENDPOINT_NOTES_PER_TICKET],
      );
      const byTicket = new Map<number, NoteRow[]>();
      for (const n of notes.rows) {
        const list = byTicket.get(n.ticket_id);
        if (list) list.push(n);
        else byTicket.set(n.ticket_id, [n]);
      }
      return rows.map((r) => toEndpointTicket(r, byTicket.get(r.id) ?? [], desk.isEnabled));
    },

    async worklogRecorded(deviceId, ref) {
      return (await pool.query('SELECT 1 FROM worklogs WHERE device_id = $1 AND ref = $2', [deviceId, ref])).rowCount === 1;
    },

    async listTickets(filter) {
      const query = filter.query?.trim() || null;
      const { number, deskNumber } = numberQuery(query, desk.isEnabled);
      const rows = await pool.query<TicketRow>(LIST_TICKETS, [
        filter.statuses?.length ? filter.statuses : null,
        filter.deviceId ?? null,
        query === null ? null : likeAnywhere(query),
        number,
        deskNumber,
        filter.before ?? Number.MAX_SAFE_INTEGER,
        filter.limit,
      ]);
      return rows.rows.map((r) => toTicketSummary(r, desk.isEnabled));
    },

    getTicket: (id) => ticketDetail(pool, id, desk.isEnabled),

    async getAttachment(ticketId, attachmentId) {
      const row = await pool.query<{ name: string; type: string; content: Buffer }>(
        'SELECT name, type, content FROM ticket_attachments WHERE id = $1 AND ticket_id = $2',
        [attachmentId, ticketId],
      );
      return row.rows[0] ?? null;
    },

    setTicketStatus: (id, status, at, jobs) =>
      change(async (db) => {
        const current = (await db.query<{ status: string }>('SELECT status FROM tickets WHERE id = $1 FOR UPDATE', [id])).rows[0];
        if (!current) return { result: null, enqueued: 0 };
        const changed = current.status !== status;
        let enqueued = 0;
        if (changed) {
          await db.query('UPDATE tickets SET status = $1, updated_at = $2, public_updated_at = $2, closed_at = $3 WHERE id = $4', [
            status,
            at,
            status === 'closed' ? at : null,
            id,
          ]);
          const named = jobs ? jobs.statusChanged(id, status, await desk.knownDeskStatusIn(db, id)) : [];
          for (const job of named) await desk.enqueueIn(db, job, at);
          enqueued = named.length;
        }
        return { result: { ticket: (await ticketDetail(db, id, desk.isEnabled))!, changed }, enqueued };
      }),

    addTicketNote: (id, note, jobs) =>
      change(async (db) => {
        if ((await db.query('SELECT 1 FROM tickets WHERE id = $1 FOR UPDATE', [id])).rowCount !== 1) return { result: null, enqueued: 0 };
        const stored: StoredNote = {
          id: randomUUID(),
          author: note.author,
          text: note.text,
          at: note.at,
          visibility: note.visibility,
          fromEndpoint: false,
        };
        await db.query(
          `INSERT INTO ticket_notes (ticket_id, note_id, author, text, visibility, from_endpoint, at)
           VALUES ($1, $2, $3, $4, $5, false, $6)`,
          [id, stored.id, stored.author, stored.text, stored.visibility, stored.at],
        );
        const touch = note.visibility === 'customer' ? ', public_updated_at = $1' : '';
        await db.query(`UPDATE tickets SET updated_at = $1${touch} WHERE id = $2`, [note.at, id]);
        const named = jobs ? jobs.noteAdded(id, stored.id) : [];
        for (const job of named) await desk.enqueueIn(db, job, note.at);
        return { result: { ticket: (await ticketDetail(db, id, desk.isEnabled))!, note: stored }, enqueued: named.length };
      }),
  };
}
