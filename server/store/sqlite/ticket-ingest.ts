// Ticket and worklog items from an endpoint, applied inside the batch transaction in seq order, so
// that a ticket and the files that follow it commit with the batch's seq or not at all. Every item is
// idempotent by its endpoint identity: (device, ref) for tickets and worklogs, noteId for notes,
// content and name for files; a redelivery confirms instead of duplicating.
import type Database from 'better-sqlite3';
import type { TicketQuota } from '../../ingest/quotas.js';
import { createHash, randomUUID } from 'node:crypto';
import type { ItemBody } from '../../../shared/protocol.js';
import { OUTPOST_NUMBER } from '../../../shared/ticket-label.js';
import { worklogMinutes } from '../../../shared/tickets.js';
import {
  attachmentRefusal,
  closedNoteText,
  decodeAttachment,
  endpointTime,
  recordedDeviceDetails,
  type RecordedDevice,
  requesterName,
  storedMimeType,
  ticketNumber,
  unknownTicketRefusal,
} from '../../ingest/ticket-rules.js';
import type { TicketItem, TicketItemResult } from '../ticket-records.js';

export type ApplyTicketItems = (deviceId: string, items: readonly TicketItem[], at: number) => TicketItemResult[];

interface TicketKey {
  id: number;
  status: string;
  requester_account: string;
}

/** Without a quota (tests of other things), nothing is limited but the per-ticket file limits. */
const UNLIMITED: TicketQuota = { take: () => null };

/**
 * `deskConnected`: while a desk is configured, a worklog's bare number ("4") is the desk's number and
 * OP-17 is Outpost's; without one a bare number is Outpost's.
 */
export function createTicketIngest(
  db: Database.Database,
  quota: TicketQuota = UNLIMITED,
  deskConnected: () => boolean = () => false,
): ApplyTicketItems {
  const findTicket = db.prepare<[string, string], TicketKey>(
    'SELECT id, status, requester_account FROM tickets WHERE device_id = ? AND ref = ?',
  );
  const recordedDevice = db.prepare<[string], RecordedDevice>(
    'SELECT hostname, serial, manufacturer, model, os, ip FROM devices WHERE id = ?',
  );
  const insertTicket = db.prepare(`
    INSERT INTO tickets (device_id, ref, subject, description, priority, category, status, requester, requester_account,
      device, hostname, attachments_expected, created_at, received_at, updated_at, public_updated_at)
    VALUES (@deviceId, @ref, @subject, @description, @priority, @category, 'new', @requester, @account,
      @device, @hostname, @expected, @createdAt, @receivedAt, @receivedAt, @receivedAt)`);
  const touchTicket = db.prepare('UPDATE tickets SET updated_at = ?, public_updated_at = ? WHERE id = ?');
  // A worklog is the desk's business; the requester's view of the ticket does not change.
  const touchInternally = db.prepare('UPDATE tickets SET updated_at = ? WHERE id = ?');
  const closeTicket = db.prepare("UPDATE tickets SET status = 'closed', closed_at = ?, updated_at = ?, public_updated_at = ? WHERE id = ?");
  const reopenTicket = db.prepare(
    "UPDATE tickets SET status = 'open', closed_at = NULL, updated_at = ?, public_updated_at = ? WHERE id = ?",
  );
  const tally = db.prepare<[number], { files: number | null; bytes: number | null; screenshots: number | null }>(`
    SELECT SUM(screenshot = 0) AS files, SUM(CASE WHEN screenshot = 0 THEN size END) AS bytes, SUM(screenshot) AS screenshots
    FROM ticket_attachments WHERE ticket_id = ?`);
  const attachmentExists = db.prepare<[number, string, string]>(
    'SELECT 1 FROM ticket_attachments WHERE ticket_id = ? AND sha256 = ? AND name = ?',
  );
  const insertAttachment = db.prepare(`
    INSERT INTO ticket_attachments (ticket_id, name, type, size, sha256, screenshot, content, created_at)
    VALUES (@ticketId, @name, @type, @size, @sha256, @screenshot, @content, @at)`);
  const insertNote = db.prepare(`
    INSERT OR IGNORE INTO ticket_notes (ticket_id, note_id, author, text, visibility, from_endpoint, at)
    VALUES (@ticketId, @noteId, @author, @text, 'customer', 1, @at)`);
  const noteExists = db.prepare<[number, string]>('SELECT 1 FROM ticket_notes WHERE ticket_id = ? AND note_id = ?');
  const ticketByNumber = db.prepare<[number], { id: number }>('SELECT id FROM tickets WHERE id = ?');
  const ticketByDeskNumber = db.prepare<[string], { id: number }>(
    "SELECT t.id FROM desk_links l JOIN tickets t ON t.id = CAST(l.outpost_id AS INTEGER) WHERE l.kind = 'ticket' AND l.desk_id = ?",
  );
  /** The ticket a worklog names: OP-17 is Outpost's 17; "4" the desk's 4 while a desk is connected, else Outpost's. */
  const worklogTicket = (ticketId: string): { id: number } | undefined => {
    const own = OUTPOST_NUMBER.exec(ticketId);
    if (!own && deskConnected()) return ticketByDeskNumber.get(ticketId);
    const number = ticketNumber(own ? own[1]! : ticketId);
    return number === null ? undefined : ticketByNumber.get(number);
  };
  const recordedWorklog = db.prepare<[string, string], { ticket_id: number }>(
    'SELECT ticket_id FROM worklogs WHERE device_id = ? AND ref = ?',
  );
  const insertWorklog = db.prepare(`
    INSERT INTO worklogs (ticket_id, device_id, ref, technician, start_at, end_at, minutes, description, recorded_at)
    VALUES (@ticketId, @deviceId, @ref, @technician, @start, @end, @minutes, @description, @at)`);

  const unknownRef = (seq: number, kind: string, ref: string): TicketItemResult => ({
    seq,
    type: 'problem',
    code: 'E_UNKNOWN_TICKET',
    message: `The ${kind} names ticket reference ${ref}, which this device never raised; it was dropped.`,
  });

  function create(deviceId: string, seq: number, body: ItemBody<'ticket.create'>, at: number): TicketItemResult {
    const existing = findTicket.get(deviceId, body.ref);
    if (existing) return { seq, type: 'ticket', ref: body.ref, ticketId: existing.id };
    const refused = quota.take(deviceId, body.requester.account, 'tickets', 1, at);
    if (refused) return { seq, type: 'problem', ...refused };
    // What IT reads about the machine comes from the server's own record of the authenticated
    // device (its last inventory), never from what the endpoint wrote into the ticket.
    const device = recordedDeviceDetails(deviceId, recordedDevice.get(deviceId), body.device.loggedOnUser);
    const inserted = insertTicket.run({
      deviceId,
      ref: body.ref,
      subject: body.subject,
      description: body.description,
      priority: body.priority,
      category: body.category ?? null,
      requester: JSON.stringify(body.requester),
      account: body.requester.account,
      device: JSON.stringify(device),
      hostname: device.hostname,
      expected: body.attachments,
      createdAt: endpointTime(body.createdAt, at),
      receivedAt: at,
    });
    return { seq, type: 'ticket', ref: body.ref, ticketId: Number(inserted.lastInsertRowid) };
  }

  function attach(deviceId: string, seq: number, body: ItemBody<'ticket.attachment'>, at: number): TicketItemResult {
    const ticket = findTicket.get(deviceId, body.ref);
    if (!ticket) return unknownRef(seq, 'file', body.ref);
    const content = decodeAttachment(body.attachment.contentBase64);
    const sha256 = createHash('sha256').update(content).digest('hex');
    if (attachmentExists.get(ticket.id, sha256, body.attachment.name)) return { seq, type: 'ticket', ref: body.ref, ticketId: ticket.id };
    const t = tally.get(ticket.id)!;
    const refusal = attachmentRefusal(
      { files: t.files ?? 0, bytes: t.bytes ?? 0, screenshot: (t.screenshots ?? 0) > 0 },
      body.attachment.name,
      content.length,
      body.screenshot,
    );
    if (refusal) return { seq, type: 'problem', ...refusal };
    const overQuota = quota.take(deviceId, ticket.requester_account, 'attachmentBytes', content.length, at);
    if (overQuota) return { seq, type: 'problem', ...overQuota };
    insertAttachment.run({
      ticketId: ticket.id,
      name: body.attachment.name,
      type: storedMimeType(body.attachment.type),
      size: content.length,
      sha256,
      screenshot: body.screenshot ? 1 : 0,
      content,
      at,
    });
    touchTicket.run(at, at, ticket.id);
    return { seq, type: 'ticket', ref: body.ref, ticketId: ticket.id };
  }

  function note(deviceId: string, seq: number, body: ItemBody<'ticket.note'>, at: number): TicketItemResult {
    const ticket = findTicket.get(deviceId, body.ref);
    if (!ticket) return unknownRef(seq, 'note', body.ref);
    const overQuota = noteExists.get(ticket.id, body.noteId) ? null : quota.take(deviceId, body.requester.account, 'notes', 1, at);
    if (overQuota) return { seq, type: 'problem', ...overQuota };
    const added = insertNote.run({
      ticketId: ticket.id,
      noteId: body.noteId,
      author: requesterName(body.requester),
      text: body.text,
      at: endpointTime(body.at, at),
    });
    if (added.changes > 0) touchTicket.run(at, at, ticket.id);
    return { seq, type: 'ticket', ref: body.ref, ticketId: ticket.id };
  }

  function close(deviceId: string, seq: number, body: ItemBody<'ticket.close'>, at: number): TicketItemResult {
    const ticket = findTicket.get(deviceId, body.ref);
    if (!ticket) return unknownRef(seq, 'close request', body.ref);
    if (ticket.status === 'closed') return { seq, type: 'ticket', ref: body.ref, ticketId: ticket.id };
    const when = endpointTime(body.at, at);
    insertNote.run({
      ticketId: ticket.id,
      noteId: `close-${randomUUID()}`,
      author: requesterName(body.requester),
      text: closedNoteText(body.requester),
      at: when,
    });
    closeTicket.run(at, at, at, ticket.id);
    return { seq, type: 'ticket', ref: body.ref, ticketId: ticket.id };
  }

  /** The note always lands (keyed by noteId); the status goes back to open only from resolved or closed. */
  function reopen(deviceId: string, seq: number, body: ItemBody<'ticket.reopen'>, at: number): TicketItemResult {
    const ticket = findTicket.get(deviceId, body.ref);
    if (!ticket) return unknownRef(seq, 'reopen request', body.ref);
    const added = insertNote.run({
      ticketId: ticket.id,
      noteId: body.noteId,
      author: requesterName(body.requester),
      text: body.text,
      at: endpointTime(body.at, at),
    });
    if (added.changes > 0 && (ticket.status === 'resolved' || ticket.status === 'closed')) reopenTicket.run(at, at, ticket.id);
    else if (added.changes > 0) touchTicket.run(at, at, ticket.id);
    return { seq, type: 'ticket', ref: body.ref, ticketId: ticket.id };
  }

  function worklog(deviceId: string, seq: number, body: ItemBody<'worklog'>, at: number): TicketItemResult {
    const recorded = recordedWorklog.get(deviceId, body.ref);
    if (recorded) return { seq, type: 'worklog', ref: body.ref, state: 'recorded', ticketId: recorded.ticket_id };
    const ticket = worklogTicket(body.entry.ticketId);
    if (!ticket) return { seq, type: 'worklog', ref: body.ref, state: 'rejected', error: unknownTicketRefusal(body.entry.ticketId) };
    const { technician, start, end, description } = body.entry;
    const utc = (iso: string) => new Date(iso).toISOString();
    // The server counts the minutes itself from start and end; the agent's figure is only a preview.
    const minutes = worklogMinutes(start, end);
    insertWorklog.run({
      ticketId: ticket.id,
      deviceId,
      ref: body.ref,
      technician,
      start: utc(start),
      end: utc(end),
      minutes,
      description,
      at,
    });
    touchInternally.run(at, ticket.id);
    return { seq, type: 'worklog', ref: body.ref, state: 'recorded', ticketId: ticket.id };
  }

  return (deviceId, items, at) =>
    items.map((item) => {
      switch (item.kind) {
        case 'ticket.create':
          return create(deviceId, item.seq, item.body, at);
        case 'ticket.attachment':
          return attach(deviceId, item.seq, item.body, at);
        case 'ticket.note':
          return note(deviceId, item.seq, item.body, at);
        case 'ticket.close':
          return close(deviceId, item.seq, item.body, at);
        case 'ticket.reopen':
          return reopen(deviceId, item.seq, item.body, at);
        case 'worklog':
          return worklog(deviceId, item.seq, item.body, at);
      }
    });
}
