// What ticket ingest may read and write inside a batch transaction: rows by their endpoint identity
// (device and ref, note id, file content and name) and nothing else. The ledger decides nothing: the
// ingest rules (server/ingest/apply-tickets.ts) read through it, decide each item in seq order, and
// hand it the rows to write, so that a later item of the same batch sees what an earlier one wrote.
import { OUTPOST_NUMBER } from '../../shared/ticket-label.js';
import type { Priority } from '../../shared/tickets.js';
import type { TicketItem } from './ticket-records.js';

/** A ticket as the ingest rules look it up: its number, status and who raised it. */
export interface LedgerTicket {
  id: number;
  status: string;
  requesterAccount: string;
}

/** The server's columns for a device, as its last inventory left them. */
export interface RecordedDevice {
  hostname: string;
  serial: string | null;
  manufacturer: string | null;
  model: string | null;
  /** JSON {platform, distro, release, ...}, or null before the first inventory. */
  os: string | null;
  ip: string | null;
}

/** The files a ticket already holds, as far as the limits care. */
export interface AttachmentTally {
  files: number;
  bytes: number;
  screenshot: boolean;
}

export interface NewTicketRow {
  ref: string;
  subject: string;
  description: string;
  priority: Priority;
  category: string | null;
  /** JSON of the filled ticket template (shared/templates.ts FilledTemplate), or null. */
  template: string | null;
  /** JSON of a self-service request (shared/self-service.ts SoftwareRequest), or null. */
  softwareRequest: string | null;
  /** JSON of the requester and of the device details, as the ticket keeps them. */
  requester: string;
  requesterAccount: string;
  device: string;
  hostname: string;
  attachmentsExpected: number;
  createdAt: number;
  receivedAt: number;
}

export interface NewAttachmentRow {
  ticketId: number;
  name: string;
  type: string;
  sha256: string;
  screenshot: boolean;
  content: Buffer;
  at: number;
}

/** A customer-facing note from the endpoint. */
export interface NewEndpointNote {
  ticketId: number;
  noteId: string;
  author: string;
  text: string;
  at: number;
}

export interface NewWorklogRow {
  ticketId: number;
  ref: string;
  technician: string;
  /** ISO 8601, UTC. */
  start: string;
  end: string;
  minutes: number;
  description: string;
  at: number;
}

/** Bound to one device and one batch transaction; synchronous. */
export interface TicketLedger {
  readonly deviceId: string;
  ticket(ref: string): LedgerTicket | null;
  /** The device's columns now (after this batch's inventory writes). */
  recordedDevice(): RecordedDevice | undefined;
  /** The new ticket's number. */
  insertTicket(row: NewTicketRow): number;
  /** Moves the ticket's update times; `internal` leaves the requester's view (public_updated_at) as it was. */
  touchTicket(id: number, at: number, internal?: boolean): void;
  closeTicket(id: number, at: number): void;
  reopenTicket(id: number, at: number): void;
  attachmentTally(ticketId: number): AttachmentTally;
  hasAttachment(ticketId: number, sha256: string, name: string): boolean;
  insertAttachment(row: NewAttachmentRow): void;
  hasNote(ticketId: number, noteId: string): boolean;
  /** False when the note id was already there (nothing written). */
  insertNote(row: NewEndpointNote): boolean;
  /** The ticket a worklog of this device was recorded against, or null. */
  worklogTicket(ref: string): number | null;
  ticketExists(id: number): boolean;
  /** The server ticket linked to the desk's ticket with this number (its desk id), or null. */
  ticketByDeskNumber(deskNumber: string): number | null;
  insertWorklog(row: NewWorklogRow): void;
  /**
   * What the desk's rules kept about this device from earlier batches (posture: low volumes,
   * encryption, antivirus as last seen), opaque to the store; written in the batch's transaction so
   * a redelivery or restart raises nothing twice.
   */
  deskMemory(): string | null;
  setDeskMemory(value: string): void;
  /**
   * The software names (lower case) this device may keep although the prohibited list names them:
   * the exceptions IT approved for it (prohibited_exemptions). The desk's rules raise no prohibited
   * event for them.
   */
  prohibitedExemptions(): readonly string[];
}

/**
 * Everything a batch's ticket items may read through the ledger, known before the ledger is used.
 * An engine whose driver is asynchronous (PostgreSQL) reads it all first, in the batch's transaction,
 * then serves the synchronous ledger from memory and writes its rows before commit
 * (server/store/postgres/README.md). A superset: worklog numbers are looked up both ways.
 */
export interface LedgerReads {
  /** Refs of the device's tickets the items name (the ticket, its note ids and files). */
  refs: string[];
  /** Refs of the device's worklogs. */
  worklogRefs: string[];
  /** Outpost ticket numbers a worklog may name. */
  ticketIds: number[];
  /** Desk ticket numbers a worklog may name. */
  deskNumbers: string[];
  /** At most this many tickets are created (one per ticket.create item). */
  creates: number;
}

const MAX_TICKET_ID = 2_147_483_647;

/** The ledger reads of a batch's ticket items (TicketItem, ticket-records.ts). */
export function ledgerReadsOf(items: readonly TicketItem[]): LedgerReads {
  const reads: LedgerReads = { refs: [], worklogRefs: [], ticketIds: [], deskNumbers: [], creates: 0 };
  for (const item of items) {
    if (item.kind !== 'worklog') {
      reads.refs.push(item.body.ref);
      if (item.kind === 'ticket.create') reads.creates++;
      continue;
    }
    reads.worklogRefs.push(item.body.ref);
    const typed = item.body.entry.ticketId;
    reads.deskNumbers.push(typed);
    const n = Number(OUTPOST_NUMBER.exec(typed)?.[1] ?? typed);
    if (Number.isSafeInteger(n) && n > 0 && n <= MAX_TICKET_ID) reads.ticketIds.push(n);
  }
  return reads;
}
