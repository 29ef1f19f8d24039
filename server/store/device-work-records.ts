// The storage contract for working from a device in the console: every ticket that refers to it, a
// ticket IT raises for it, and its logbook (one timeline of everything that happened to it).
import type { DeviceDetails, Priority, Requester, TicketStatus } from '../../shared/tickets.js';
import type { TicketChangeJobs } from './ticket-records.js';

export interface DeviceTicket {
  id: number;
  ref: string;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  /** The desk's queue IT chose when raising it in the console; null otherwise. */
  queue: string | null;
  /** The desk's own id for the ticket once the desk has it (RT ticket number, SDP request id). */
  deskNumber: string | null;
  /** The number people quote: "#4" (the desk's), "OP-17" (not on the desk yet), "#17" without a desk (shared/ticket-label.ts). */
  label: string;
  /** The console user who raised it; null for a ticket from the endpoint. */
  raisedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewDeviceTicket {
  subject: string;
  description: string;
  priority: Priority;
  /** The desk queue (RT) or category (SDP); the desk's default when absent. */
  queue?: string;
  requester: Requester;
  /** The device as the ticket records it (from the server's last inventory, like a tray ticket). */
  device: DeviceDetails;
  /** The console user's name. */
  raisedBy: string;
  at: number;
}

export const LOGBOOK_KINDS = ['inventory', 'ticket', 'note', 'worklog', 'status', 'identity', 'desk'] as const;
export type LogbookKind = (typeof LOGBOOK_KINDS)[number];

/** Where a logbook page ends: entries are ordered by (at, kind, id), newest first. */
export interface LogbookCursor {
  at: number;
  kind: LogbookKind;
  id: number;
}

export interface LogbookEntry {
  kind: LogbookKind;
  /** The id of the record within its kind (change id, ticket id, note seq, ...). */
  id: number;
  /** Epoch ms. */
  at: number;
  /** The ticket the entry belongs to, when it belongs to one. */
  ticketId: number | null;
  /** That ticket's number as people quote it ("#4", "OP-17"). */
  ticketLabel: string | null;
  /** What happened, by kind (see server/api/device-work.ts for the fields of each). */
  detail: Record<string, unknown>;
}

export interface DeviceWorkStore {
  /** Every ticket of the device: open ones first, then newest first. Null for an unknown device. */
  deviceTickets(deviceId: string, limit: number): Promise<DeviceTicket[] | null>;
  /**
   * Raises a ticket for the device as an endpoint ticket is stored; the desk jobs `jobs` names for it
   * (desk/sync/batch-jobs.ts, none without a desk) are enqueued in the same transaction.
   * Null for an unknown device.
   */
  createDeviceTicket(
    deviceId: string,
    ticket: NewDeviceTicket,
    jobs?: TicketChangeJobs | null,
  ): Promise<{ id: number; ref: string } | null>;
  /** Newest first, entries older than `before`. Null for an unknown device. */
  logbook(deviceId: string, page: { limit: number; before?: LogbookCursor }): Promise<LogbookEntry[] | null>;
}
