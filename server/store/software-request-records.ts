// The server's storage contract for self-service requests (shared/self-service.ts): tickets that ask
// for a package or for an exception to the prohibited list, waiting for the desk's answer, and the
// devices an approved exception lets keep a prohibited name. Both engines implement it
// (sqlite/software-requests.ts, postgres/software-requests.ts).
import type { SoftwareApproval, SoftwareRequest } from '../../shared/self-service.js';
import type { TicketStatus } from '../../shared/tickets.js';

export interface PendingSoftwareRequest {
  ticketId: number;
  deviceId: string;
  ref: string;
  /** The desk's number for the ticket; null until the desk has it (nothing to ask the desk yet). */
  deskNumber: string | null;
  status: TicketStatus;
  request: SoftwareRequest;
}

export interface SoftwareRequestStore {
  /** Requests of enrolled devices still waiting for the desk's answer, oldest first, at most `limit`. */
  pending(limit: number): Promise<PendingSoftwareRequest[]>;
  /**
   * Keeps the desk's answer, once: false when the ticket already had one or asks for nothing. The
   * endpoint sees it (the ticket's public change time moves). An approved exception exempts the
   * ticket's device from the prohibited list for that name in the same transaction.
   */
  decide(ticketId: number, approval: SoftwareApproval, at: number): Promise<boolean>;
  /** The names (lower case) this device may keep although the prohibited list names them. */
  exemptions(deviceId: string): Promise<string[]>;
  /** Every exemption, newest first, at most `limit`, with the device's name (the console's list). */
  listExemptions(limit: number): Promise<ExemptionRecord[]>;
  /** Takes a device's exemption back (an admin's decision); false when it had none for that name. */
  revokeExemption(deviceId: string, name: string): Promise<boolean>;
}

export interface ExemptionRecord {
  deviceId: string;
  hostname: string;
  /** Lower case, as the rule compares it. */
  name: string;
  /** The exception request's ticket that granted it; null for one made otherwise. */
  ticketId: number | null;
  createdAt: number;
}

export interface ExemptionRow {
  device_id: string;
  hostname: string;
  name: string;
  ticket_id: number | string | null;
  created_at: number | string;
}

/** Both engines list exemptions with this query ($1: the limit). */
export const LIST_EXEMPTIONS_SQL = `
  SELECT e.device_id, d.hostname, e.name, e.ticket_id, e.created_at
  FROM prohibited_exemptions e JOIN devices d ON d.id = e.device_id
  ORDER BY e.created_at DESC, e.device_id, e.name LIMIT $1`;

export function toExemption(r: ExemptionRow): ExemptionRecord {
  return {
    deviceId: r.device_id,
    hostname: r.hostname,
    name: r.name,
    ticketId: r.ticket_id === null ? null : Number(r.ticket_id),
    createdAt: Number(r.created_at),
  };
}

export interface SoftwareRequestRow {
  id: number;
  device_id: string;
  ref: string;
  status: TicketStatus;
  software_request: string;
  desk_number: string | null;
}

/** An exempted name as both engines key it. */
export function exemptionName(name: string): string {
  return name.trim().toLowerCase();
}
