// The endpoint's copy of its tickets, in the outbox's SQLite file (tables made by migration 2 in
// agent/outbox/database.ts). Plain row access; TicketDesk decides what to write when.
import type { Db } from '../outbox/database.js';
import { NoteSchema, type EndpointTicket, type EndpointTicketStatus, type Note, type Priority } from '../../shared/tickets.js';
import { TicketSoftwareRequestSchema, type TicketSoftwareRequest } from '../../shared/self-service.js';

export interface TicketRow {
  ref: string;
  account: string | null;
  number: number | null;
  /** The server's label for the number ("#4", "OP-17"); null before it is numbered or from older servers. */
  label: string | null;
  subject: string;
  description: string;
  priority: string;
  category: string | null;
  status: string;
  created_at: string;
  updated_at: string;
  server_notes: string;
  close_seq: number | null;
  reopen_seq: number | null;
  gone: number;
  /** A self-service request with its approval (JSON, TicketSoftwareRequestSchema); null for a plain ticket. */
  software_request: string | null;
}

export interface LocalNoteRow {
  note_id: string;
  ref: string;
  seq: number;
  author: string;
  text: string;
  at: string;
}

/** Most tickets ticket.list returns: the newest. */
export const MAX_LISTED_TICKETS = 500;

export function insertTicket(
  db: Db,
  row: Omit<TicketRow, 'number' | 'label' | 'server_notes' | 'close_seq' | 'reopen_seq' | 'gone' | 'software_request'>,
  softwareRequest: TicketSoftwareRequest | null = null,
): void {
  db.prepare(
    `INSERT INTO tickets (ref, account, number, subject, description, priority, category, status, created_at, updated_at, software_request)
     VALUES (@ref, @account, NULL, @subject, @description, @priority, @category, @status, @created_at, @updated_at, @software_request)`,
  ).run({ ...row, software_request: softwareRequest === null ? null : JSON.stringify(softwareRequest) });
}

export function ticketRow(db: Db, ref: string): TicketRow | undefined {
  return db.prepare('SELECT * FROM tickets WHERE ref = ?').get(ref) as TicketRow | undefined;
}

/** Newest first; every ticket for an administrator, else the account's own. */
export function ticketRows(db: Db, account: string | null): TicketRow[] {
  const where = account === null ? 'WHERE gone = 0' : 'WHERE gone = 0 AND account = @account';
  return db
    .prepare(`SELECT * FROM tickets ${where} ORDER BY created_at DESC, rowid DESC LIMIT ${MAX_LISTED_TICKETS}`)
    .all({ account }) as TicketRow[];
}

export function localNotes(db: Db, ref: string): LocalNoteRow[] {
  return db.prepare('SELECT * FROM ticket_local_notes WHERE ref = ? ORDER BY at, rowid').all(ref) as LocalNoteRow[];
}

export function insertLocalNote(db: Db, note: LocalNoteRow): void {
  db.prepare('INSERT INTO ticket_local_notes (note_id, ref, seq, author, text, at) VALUES (@note_id, @ref, @seq, @author, @text, @at)').run(
    note,
  );
}

export function deleteLocalNote(db: Db, noteId: string): void {
  db.prepare('DELETE FROM ticket_local_notes WHERE note_id = ?').run(noteId);
}

export function touchTicket(db: Db, ref: string, at: string, closeSeq?: number | null): void {
  if (closeSeq === undefined) db.prepare('UPDATE tickets SET updated_at = ? WHERE ref = ?').run(at, ref);
  else db.prepare('UPDATE tickets SET updated_at = ?, close_seq = ? WHERE ref = ?').run(at, closeSeq, ref);
}

/** A reopen sent from here and not yet confirmed by the server. */
export function setReopenSeq(db: Db, ref: string, at: string, seq: number): void {
  db.prepare('UPDATE tickets SET updated_at = ?, reopen_seq = ?, close_seq = NULL WHERE ref = ?').run(at, seq, ref);
}

/** Writes a ticket as the server sent it; the account (who raised it here) is kept, and so is the
 * software request when the server's view carries none (a server that does not know them yet). */
export function upsertServerTicket(db: Db, t: EndpointTicket, pending: { closeSeq: number | null; reopenSeq: number | null }): void {
  db.prepare(
    `INSERT INTO tickets (ref, account, number, label, subject, description, priority, category, status, created_at, updated_at, server_notes, close_seq, reopen_seq, software_request)
     VALUES (@ref, NULL, @number, @label, @subject, @description, @priority, @category, @status, @createdAt, @updatedAt, @notes, @closeSeq, @reopenSeq, @softwareRequest)
     ON CONFLICT (ref) DO UPDATE SET number = excluded.number, label = excluded.label, subject = excluded.subject, description = excluded.description,
       priority = excluded.priority, category = excluded.category, status = excluded.status, updated_at = excluded.updated_at,
       server_notes = excluded.server_notes, close_seq = excluded.close_seq, reopen_seq = excluded.reopen_seq, gone = 0,
       software_request = COALESCE(excluded.software_request, tickets.software_request)`,
  ).run({
    ...t,
    label: t.label ?? null,
    category: t.category ?? null,
    notes: JSON.stringify(t.notes),
    ...pending,
    softwareRequest: t.softwareRequest ? JSON.stringify(t.softwareRequest) : null,
  });
}

/**
 * A full list from the server: tickets it knew and no longer lists are hidden (gone), and those
 * still gone since the previous full list are deleted. Two steps, because the server may split a
 * full list over several messages (the first marked full): a ticket in a later part comes back
 * with its requester and unconfirmed notes intact. Tickets still queued here are never touched.
 */
export function forgetServerTicketsExcept(db: Db, listed: ReadonlySet<string>): number {
  const removed = db.prepare('DELETE FROM tickets WHERE gone = 1').run().changes;
  const known = db.prepare('SELECT ref FROM tickets WHERE number IS NOT NULL').pluck().all() as string[];
  const hide = db.prepare('UPDATE tickets SET gone = 1 WHERE ref = ?');
  let hidden = 0;
  for (const ref of known) if (!listed.has(ref)) hidden += hide.run(ref).changes;
  return removed + hidden;
}

/** The ticket as My tickets shows it: the server's view, plus what this endpoint sent that the
 * server has not confirmed yet (notes, a close). */
export function ticketView(row: TicketRow, pendingNotes: LocalNoteRow[]): EndpointTicket {
  const serverNotes = parseNotes(row.server_notes);
  const known = new Set(serverNotes.map((n) => n.id));
  const local: Note[] = pendingNotes
    .filter((n) => !known.has(n.note_id))
    .map((n) => ({ id: n.note_id, author: n.author, text: n.text, at: n.at, fromEndpoint: true }));
  const status: EndpointTicketStatus =
    row.close_seq !== null
      ? 'closed'
      : row.reopen_seq !== null && (row.status === 'resolved' || row.status === 'closed')
        ? 'open'
        : (row.status as EndpointTicketStatus);
  return {
    ref: row.ref,
    number: row.number,
    ...(row.label !== null ? { label: row.label } : {}),
    subject: row.subject,
    description: row.description,
    priority: row.priority as Priority,
    ...(row.category !== null ? { category: row.category } : {}),
    ...softwareRequestOf(row),
    status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    notes: [...serverNotes, ...local].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
  };
}

function softwareRequestOf(row: TicketRow): { softwareRequest?: TicketSoftwareRequest } {
  if (row.software_request === null) return {};
  try {
    const parsed = TicketSoftwareRequestSchema.safeParse(JSON.parse(row.software_request));
    return parsed.success ? { softwareRequest: parsed.data } : {};
  } catch {
    return {};
  }
}

export function parseNotes(json: string): Note[] {
  try {
    const parsed = NoteSchema.array().safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
