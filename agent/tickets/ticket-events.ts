// What IT did on a ticket that the person at the machine should hear about: a customer-facing reply,
// a new status, a wait for their answer. Events are recorded when the server's view of a ticket
// arrives (TicketDesk.applyServer), so they are kept with the ticket and survive restarts; each is
// offered as a notification until the tray says it was shown, and counts as unread for the ticket's
// account until that account opens the ticket.
import type { LocalTicket, TicketNotification } from '../../shared/local-api.js';
import type { EndpointTicket, Note } from '../../shared/tickets.js';
import type { Db } from '../outbox/database.js';
import type { TicketRow } from './ticket-store.js';

/** A reply's text in a notification: the start of it; the ticket has the rest. */
export const EVENT_TEXT_CHARS = 500;

type EventKind = TicketNotification['kind'];

interface EventRow {
  id: number;
  ref: string;
  kind: EventKind;
  status: string;
  note_id: string | null;
  text: string;
  at: string;
}

/**
 * Records what changed between the ticket as this endpoint had it and as the server now says.
 * Nothing is recorded for a ticket first heard of (a reinstalled agent must not announce old
 * replies), for the first confirmation of a ticket raised here, or for what the person did themselves.
 */
export function recordServerChanges(
  db: Db,
  before: TicketRow | undefined,
  after: EndpointTicket,
  serverNotesBefore: readonly Note[],
): void {
  if (!before || before.account === null) return;
  const insert = db.prepare('INSERT INTO ticket_events (ref, kind, status, note_id, text, at) VALUES (?, ?, ?, ?, ?, ?)');
  const known = new Set(serverNotesBefore.map((n) => n.id));
  for (const note of after.notes) {
    if (note.fromEndpoint || known.has(note.id)) continue;
    insert.run(after.ref, 'reply', after.status, note.id, note.text.slice(0, EVENT_TEXT_CHARS), note.at);
  }
  if (before.status === 'queued' || before.status === after.status || ownChange(before, after)) return;
  insert.run(after.ref, after.status === 'pending' ? 'waiting' : 'status', after.status, null, '', after.updatedAt);
}

/** The person closed or reopened it here: the server confirming that is no news to them. */
function ownChange(before: TicketRow, after: EndpointTicket): boolean {
  if (after.status === 'closed' && before.close_seq !== null) return true;
  return (after.status === 'open' || after.status === 'new') && before.reopen_seq !== null;
}

/** The ticket with what this account has not read; others' tickets are never unread for them. */
export function withUnread(db: Db, account: string, row: TicketRow, ticket: EndpointTicket): LocalTicket {
  if (row.account !== account) return { ...ticket, unread: false, unreadNotes: [] };
  const unread = unreadEvents(db, account, row.ref);
  return {
    ...ticket,
    unread: unread.length > 0,
    unreadNotes: unread.filter((e) => e.note_id !== null).map((e) => e.note_id!),
  };
}

function unreadEvents(db: Db, account: string, ref: string): Pick<EventRow, 'id' | 'note_id'>[] {
  return db
    .prepare(
      `SELECT e.id, e.note_id FROM ticket_events e
       WHERE e.ref = ? AND e.id > COALESCE((SELECT last_event FROM ticket_reads WHERE account = ? AND ref = e.ref), 0)
       ORDER BY e.id`,
    )
    .all(ref, account) as Pick<EventRow, 'id' | 'note_id'>[];
}

/** Everything on the ticket so far counts as seen by this account; its notifications too. */
export function markRead(db: Db, account: string, ref: string): void {
  const newest = db.prepare('SELECT MAX(id) FROM ticket_events WHERE ref = ?').pluck().get(ref) as number | null;
  if (newest === null) return;
  db.prepare(
    `INSERT INTO ticket_reads (account, ref, last_event) VALUES (?, ?, ?)
     ON CONFLICT (account, ref) DO UPDATE SET last_event = MAX(last_event, excluded.last_event)`,
  ).run(account, ref, newest);
  // Read before the notification came up: showing it now would only repeat what they have seen.
  db.prepare('UPDATE ticket_events SET shown = 1 WHERE ref = ? AND id <= ? AND shown = 0').run(ref, newest);
}

/** How many of this account's tickets have something unread. */
export function unreadTicketCount(db: Db, account: string): number {
  return db
    .prepare(
      `SELECT COUNT(DISTINCT t.ref) FROM tickets t JOIN ticket_events e ON e.ref = t.ref
       WHERE t.account = ? AND t.gone = 0
         AND e.id > COALESCE((SELECT last_event FROM ticket_reads r WHERE r.account = t.account AND r.ref = t.ref), 0)`,
    )
    .pluck()
    .get(account) as number;
}

/** This account's events not yet shown, oldest first. */
export function pendingNotifications(db: Db, account: string, limit: number): TicketNotification[] {
  const rows = db
    .prepare(
      `SELECT e.id, e.ref, e.kind, e.status, e.text, e.at, t.number, t.label, t.subject FROM ticket_events e JOIN tickets t ON t.ref = e.ref
       WHERE e.shown = 0 AND t.account = ? AND t.gone = 0 ORDER BY e.id LIMIT ?`,
    )
    .all(account, limit) as (EventRow & { number: number | null; label: string | null; subject: string })[];
  return rows.map((r) => ({
    id: r.id,
    ref: r.ref,
    number: r.number,
    ...(r.label !== null ? { label: r.label } : {}),
    subject: r.subject,
    kind: r.kind,
    status: r.status as TicketNotification['status'],
    text: r.text,
    at: r.at,
  }));
}

/** Marks this account's events as shown; ids of anyone else's tickets are ignored. */
export function markShown(db: Db, account: string, ids: readonly number[]): number {
  const mark = db.prepare(
    'UPDATE ticket_events SET shown = 1 WHERE id = ? AND shown = 0 AND ref IN (SELECT ref FROM tickets WHERE account = ?)',
  );
  let marked = 0;
  for (const id of ids) marked += mark.run(id, account).changes;
  return marked;
}
