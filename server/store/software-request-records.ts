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
