// The server's ticket storage contract: tickets raised at endpoints, their notes and attachments, and
// the worklogs technicians record against them. Async like the rest of the Store.
import type { FilledTemplate } from '../../shared/templates.js';
import type { TicketSoftwareRequest } from '../../shared/self-service.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { DeskRequesterJson } from '../../shared/http-api.js';
import type { Item } from '../../shared/protocol.js';
import type { DeviceDetails, EndpointTicket, Priority, Requester, TicketStatus } from '../../shared/tickets.js';
import type { NewDeskJob } from './desk-records.js';

/** The items of a batch that the ticket store applies, in seq order, inside the batch transaction. */
export type TicketItem = Extract<
  Item,
  { kind: 'ticket.create' | 'ticket.attachment' | 'ticket.note' | 'ticket.close' | 'ticket.reopen' | 'worklog' }
>;

export const TICKET_ITEM_KINDS: ReadonlySet<Item['kind']> = new Set([
  'ticket.create',
  'ticket.attachment',
  'ticket.note',
  'ticket.close',
  'ticket.reopen',
  'worklog',
]);

export function isTicketItem(item: Item): item is TicketItem {
  return TICKET_ITEM_KINDS.has(item.kind);
}

/** What applying one ticket item did; the session turns these into messages for the agent. */
export type TicketItemResult =
  /** A ticket of the sending device changed (or was confirmed, on redelivery): push it down. */
  | { seq: number; type: 'ticket'; ref: string; ticketId: number }
  | { seq: number; type: 'worklog'; ref: string; state: 'recorded'; ticketId: number }
  | { seq: number; type: 'worklog'; ref: string; state: 'rejected'; error: { code: ErrorCode; message: string } }
  /** The item was consumed without effect; reported to the agent as a non-fatal error. */
  | { seq: number; type: 'problem'; code: ErrorCode; message: string };

export type NoteVisibility = 'customer' | 'internal';

export interface StoredNote {
  id: string;
  author: string;
  text: string;
  /** Epoch ms. */
  at: number;
  visibility: NoteVisibility;
  fromEndpoint: boolean;
}

export interface TicketSummary {
  id: number;
  /** The desk's number for the ticket, once the desk has it. */
  deskNumber: string | null;
  /** The number people see and quote (shared/ticket-label.ts): "#4" (the desk's), "OP-17", or "#17" without a desk. */
  label: string;
  ref: string;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  category: string | null;
  requester: Requester;
  deviceId: string | null;
  hostname: string;
  createdAt: number;
  updatedAt: number;
}

export interface AttachmentInfo {
  id: number;
  name: string;
  type: string;
  size: number;
  sha256: string;
  screenshot: boolean;
}

export interface StoredWorklog {
  id: number;
  ref: string;
  technician: string;
  start: string;
  end: string;
  minutes: number;
  description: string;
  deviceId: string | null;
  hostname: string | null;
  recordedAt: number;
}

export interface TicketDetail extends TicketSummary {
  description: string;
  device: DeviceDetails;
  receivedAt: number;
  closedAt: number | null;
  /** How many files the endpoint said would follow the ticket (the screenshot counts as one). */
  attachmentsExpected: number;
  /** The desk's queue (RT) or category (SDP) IT chose when raising it in the console; null otherwise. */
  queue: string | null;
  /** The ticket template the person picked and the fields they filled in; null for a plain ticket. */
  template: FilledTemplate | null;
  /** A self-service request (Get software): which package, and the desk's answer; null for a plain ticket. */
  softwareRequest: TicketSoftwareRequest | null;
  notes: StoredNote[];
  attachments: AttachmentInfo[];
  worklogs: StoredWorklog[];
  /** Who the desk has as the requester and by which rule; null until the ticket is on the desk. */
  deskRequester: DeskRequesterJson | null;
}

export interface AttachmentFile {
  name: string;
  type: string;
  content: Buffer;
}

export interface TicketFilter {
  statuses?: TicketStatus[];
  deviceId?: string;
  /** Case-insensitive text in subject, description, requester or hostname; "#12" or "12" also matches ticket 12. */
  query?: string;
  limit: number;
  /** A ticket id from an earlier page: only older tickets. */
  before?: number;
}

export interface NewServerNote {
  text: string;
  visibility: NoteVisibility;
  author: string;
  at: number;
}

/** The desk jobs a change IT made through the API makes (the desk's rules: desk/sync/batch-jobs.ts);
 * the store enqueues them in the change's own transaction. */
export interface TicketChangeJobs {
  /** `deskStatus` is the status the desk is known to have (desk_state), null when unknown. */
  statusChanged(ticketId: number, status: TicketStatus, deskStatus: string | null): NewDeskJob[];
  noteAdded(ticketId: number, noteId: string): NewDeskJob[];
  /** A ticket IT raised for a device in the console (ref: its new ref): the same jobs as a tray ticket's. */
  ticketRaised(deviceId: string, ref: string): NewDeskJob[];
}

export interface TicketStore {
  /** The device's tickets as the endpoint sees them (customer-facing notes only), newest first.
   * `refs` narrows to those tickets; `limit` caps the list. */
  endpointTickets(deviceId: string, opts: { refs?: readonly string[]; limit: number }): Promise<EndpointTicket[]>;
  /** Whether the device's worklog `ref` was recorded (for answering a redelivered worklog item). */
  worklogRecorded(deviceId: string, ref: string): Promise<boolean>;

  listTickets(filter: TicketFilter): Promise<TicketSummary[]>;
  getTicket(id: number): Promise<TicketDetail | null>;
  getAttachment(ticketId: number, attachmentId: number): Promise<AttachmentFile | null>;
  /** Null for an unknown ticket. `changed` is false when the ticket already had this status. */
  setTicketStatus(
    id: number,
    status: TicketStatus,
    at: number,
    jobs?: TicketChangeJobs | null,
  ): Promise<{ ticket: TicketDetail; changed: boolean } | null>;
  /** Null for an unknown ticket. */
  addTicketNote(
    id: number,
    note: NewServerNote,
    jobs?: TicketChangeJobs | null,
  ): Promise<{ ticket: TicketDetail; note: StoredNote } | null>;
}
