// What each ticket and worklog item of a batch does, decided here and written through the store's
// ticket ledger inside the batch transaction, in seq order: a ticket and the files that follow it
// commit with the batch's seq or not at all, and a later item sees what an earlier one wrote. Every
// item is idempotent by its endpoint identity: (device, ref) for tickets and worklogs, noteId for
// notes, content and name for files; a redelivery confirms instead of duplicating.
import { createHash, randomUUID } from 'node:crypto';
import type { ItemBody } from '../../shared/protocol.js';
import { OUTPOST_NUMBER } from '../../shared/ticket-label.js';
import { worklogMinutes, type Requester } from '../../shared/tickets.js';
import type { BatchJobRules } from '../desk/sync/batch-jobs.js';
import type { BatchOutcome, FollowBatch } from '../store/store.js';
import type { TicketLedger } from '../store/ticket-ledger.js';
import type { TicketItem, TicketItemResult } from '../store/ticket-records.js';
import type { TicketQuota } from './quotas.js';
import {
  attachmentRefusal,
  closedNoteText,
  decodeAttachment,
  endpointTime,
  recordedDeviceDetails,
  requesterName,
  storedMimeType,
  ticketNumber,
  unknownTicketRefusal,
} from './ticket-rules.js';

/** Without a quota (tests of other things), nothing is limited but the per-ticket file limits. */
export const UNLIMITED: TicketQuota = { take: () => null };

/**
 * What a batch does after its inventory writes, in the same transaction: its ticket items through
 * the ledger, then the desk jobs the desk's rules name for the whole batch (none without a desk).
 */
export function followBatch<T extends BatchOutcome & { ticketItems?: readonly TicketItem[] }>(
  at: number,
  quota: TicketQuota = UNLIMITED,
  deskJobs?: BatchJobRules | null,
): FollowBatch<T> {
  return (ledger, outcome, state) => {
    const ticketItems = outcome.ticketItems ?? [];
    const tickets = ticketItems.length ? applyTicketItems(ledger, ticketItems, at, quota, deskJobs?.isEnabled ?? false) : [];
    const memory = { get: () => ledger.deskMemory(), set: (value: string) => ledger.setDeskMemory(value) };
    const applied = {
      deviceId: ledger.deviceId,
      outcome,
      ticketItems,
      results: tickets,
      first: state.inventory === null,
      at,
      memory,
      exemptions: () => ledger.prohibitedExemptions(),
    };
    return { tickets, deskJobs: deskJobs?.jobsFor(applied) ?? [] };
  };
}

/**
 * `deskConnected`: while a desk is configured, a worklog's bare number ("4") is the desk's number and
 * OP-17 is Outpost's; without one a bare number is Outpost's (shared/ticket-label.ts).
 */
export function applyTicketItems(
  ledger: TicketLedger,
  items: readonly TicketItem[],
  at: number,
  quota: TicketQuota = UNLIMITED,
  deskConnected = false,
): TicketItemResult[] {
  const deviceId = ledger.deviceId;
  const unknownRef = (seq: number, kind: string, ref: string): TicketItemResult => ({
    seq,
    type: 'problem',
    code: 'E_UNKNOWN_TICKET',
    message: `The ${kind} names ticket reference ${ref}, which this device never raised; it was dropped.`,
  });

  function create(seq: number, body: ItemBody<'ticket.create'>): TicketItemResult {
    const existing = ledger.ticket(body.ref);
    if (existing) return { seq, type: 'ticket', ref: body.ref, ticketId: existing.id };
    const refused = quota.take(deviceId, body.requester.account, 'tickets', 1, at);
    if (refused) return { seq, type: 'problem', ...refused };
    // What IT reads about the machine comes from the server's own record of the authenticated
    // device (its last inventory), never from what the endpoint wrote into the ticket.
    const device = recordedDeviceDetails(deviceId, ledger.recordedDevice(), body.device.loggedOnUser);
    const ticketId = ledger.insertTicket({
      ref: body.ref,
      subject: body.subject,
      description: body.description,
      priority: body.priority,
      category: body.category ?? null,
      template: body.template ? JSON.stringify(body.template) : null,
      softwareRequest: body.softwareRequest ? JSON.stringify(body.softwareRequest) : null,
      requester: JSON.stringify(body.requester),
      requesterAccount: body.requester.account,
      device: JSON.stringify(device),
      hostname: device.hostname,
      attachmentsExpected: body.attachments,
      createdAt: endpointTime(body.createdAt, at),
      receivedAt: at,
    });
    return { seq, type: 'ticket', ref: body.ref, ticketId };
  }

  function attach(seq: number, body: ItemBody<'ticket.attachment'>): TicketItemResult {
    const ticket = ledger.ticket(body.ref);
    if (!ticket) return unknownRef(seq, 'file', body.ref);
    const content = decodeAttachment(body.attachment.contentBase64);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const confirmed: TicketItemResult = { seq, type: 'ticket', ref: body.ref, ticketId: ticket.id };
    if (ledger.hasAttachment(ticket.id, sha256, body.attachment.name)) return confirmed;
    const refusal = attachmentRefusal(ledger.attachmentTally(ticket.id), body.attachment.name, content.length, body.screenshot);
    if (refusal) return { seq, type: 'problem', ...refusal };
    const overQuota = quota.take(deviceId, ticket.requesterAccount, 'attachmentBytes', content.length, at);
    if (overQuota) return { seq, type: 'problem', ...overQuota };
    ledger.insertAttachment({
      ticketId: ticket.id,
      name: body.attachment.name,
      type: storedMimeType(body.attachment.type),
      sha256,
      screenshot: body.screenshot,
      content,
      at,
    });
    ledger.touchTicket(ticket.id, at);
    return confirmed;
  }

  /** A note written by the person at the endpoint, at the time the endpoint gives (within reason). */
  function endpointNote(ticketId: number, noteId: string, by: { requester: Requester; text: string; at: string }): boolean {
    return ledger.insertNote({ ticketId, noteId, author: requesterName(by.requester), text: by.text, at: endpointTime(by.at, at) });
  }

  function note(seq: number, body: ItemBody<'ticket.note'>): TicketItemResult {
    const ticket = ledger.ticket(body.ref);
    if (!ticket) return unknownRef(seq, 'note', body.ref);
    const overQuota = ledger.hasNote(ticket.id, body.noteId) ? null : quota.take(deviceId, body.requester.account, 'notes', 1, at);
    if (overQuota) return { seq, type: 'problem', ...overQuota };
    const added = endpointNote(ticket.id, body.noteId, body);
    if (added) ledger.touchTicket(ticket.id, at);
    return { seq, type: 'ticket', ref: body.ref, ticketId: ticket.id };
  }

  function close(seq: number, body: ItemBody<'ticket.close'>): TicketItemResult {
    const ticket = ledger.ticket(body.ref);
    if (!ticket) return unknownRef(seq, 'close request', body.ref);
    const confirmed: TicketItemResult = { seq, type: 'ticket', ref: body.ref, ticketId: ticket.id };
    if (ticket.status === 'closed') return confirmed;
    endpointNote(ticket.id, `close-${randomUUID()}`, { ...body, text: closedNoteText(body.requester) });
    ledger.closeTicket(ticket.id, at);
    return confirmed;
  }

  /** The note always lands (keyed by noteId); the status goes back to open only from resolved or closed. */
  function reopen(seq: number, body: ItemBody<'ticket.reopen'>): TicketItemResult {
    const ticket = ledger.ticket(body.ref);
    if (!ticket) return unknownRef(seq, 'reopen request', body.ref);
    const added = endpointNote(ticket.id, body.noteId, body);
    if (added && (ticket.status === 'resolved' || ticket.status === 'closed')) ledger.reopenTicket(ticket.id, at);
    else if (added) ledger.touchTicket(ticket.id, at);
    return { seq, type: 'ticket', ref: body.ref, ticketId: ticket.id };
  }

  /** The ticket a worklog names: OP-17 is Outpost's 17; "4" the desk's 4 while a desk is connected, else Outpost's. */
  function worklogTicket(ticketId: string): number | null {
    const own = OUTPOST_NUMBER.exec(ticketId);
    if (!own && deskConnected) return ledger.ticketByDeskNumber(ticketId);
    const number = ticketNumber(own ? own[1]! : ticketId);
    return number !== null && ledger.ticketExists(number) ? number : null;
  }

  function worklog(seq: number, body: ItemBody<'worklog'>): TicketItemResult {
    const recorded = ledger.worklogTicket(body.ref);
    if (recorded !== null) return { seq, type: 'worklog', ref: body.ref, state: 'recorded', ticketId: recorded };
    const number = worklogTicket(body.entry.ticketId);
    if (number === null) {
      return { seq, type: 'worklog', ref: body.ref, state: 'rejected', error: unknownTicketRefusal(body.entry.ticketId) };
    }
    const { technician, start, end, description } = body.entry;
    const utc = (iso: string) => new Date(iso).toISOString();
    // The server counts the minutes itself from start and end; the agent's figure is only a preview.
    const minutes = worklogMinutes(start, end);
    ledger.insertWorklog({ ticketId: number, ref: body.ref, technician, start: utc(start), end: utc(end), minutes, description, at });
    // A worklog is the desk's business; the requester's view of the ticket does not change.
    ledger.touchTicket(number, at, true);
    return { seq, type: 'worklog', ref: body.ref, state: 'recorded', ticketId: number };
  }

  return items.map((item) => {
    switch (item.kind) {
      case 'ticket.create':
        return create(item.seq, item.body);
      case 'ticket.attachment':
        return attach(item.seq, item.body);
      case 'ticket.note':
        return note(item.seq, item.body);
      case 'ticket.close':
        return close(item.seq, item.body);
      case 'ticket.reopen':
        return reopen(item.seq, item.body);
      case 'worklog':
        return worklog(item.seq, item.body);
    }
  });
}
