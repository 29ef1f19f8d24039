// Answers of the routes for working from a device and for console users (see shared/http-api.ts for
// the route map). Type-only apart from constants: the console bundle imports it.
import type { z } from 'zod';
import type { AccountSource, ConsoleSettings, Role } from './roles.js';
import type { Priority, TicketStatus } from './tickets.js';
import type { ConsoleSettingsBody, DeviceTicketBody, ImportTechnicianBody, UserPatchBody } from './http-schemas.js';

export interface DeviceTicketJson {
  id: number;
  ref: string;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  /** The desk's queue IT chose in the console; null otherwise. */
  queue: string | null;
  /** The desk's own number for the ticket once the desk has it; null before (or without a desk). */
  deskNumber: string | null;
  /** The number people see and quote: "#4" (the desk's), "OP-17" (Outpost's, not on the desk yet), "#17" without a desk. */
  label: string;
  /** The console user who raised it; null for a ticket from the endpoint. */
  raisedBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A desk ticket that refers to the device's asset and that Outpost did not raise (e.g. taken by phone). */
export interface DeskAssetTicketJson {
  deskNumber: string;
  subject: string;
  status: TicketStatus;
  /** The desk's own status name (RT "stalled", SDP "On Hold"). */
  deskStatus: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeviceTicketsJson {
  /** Outpost's tickets of the device: open ones first, then newest first. */
  items: DeviceTicketJson[];
  /**
   * The desk's other tickets on the device's asset, open first; null without a desk, before the desk
   * has the device's asset, or when its connector cannot list them. `error` when the desk did not answer.
   */
  desk: { tickets: DeskAssetTicketJson[]; error: string | null } | null;
}

export type LogbookKind = 'inventory' | 'ticket' | 'note' | 'worklog' | 'status' | 'identity' | 'desk';

export interface LogbookEntryJson {
  kind: LogbookKind;
  id: number;
  at: string;
  /** Outpost's number of the ticket the entry belongs to (the API's paths take it). */
  ticketId: number | null;
  /** That ticket's number as people quote it ("#4", "OP-17"). */
  ticketLabel: string | null;
  detail: Record<string, unknown>;
}

export interface DeskQueuesJson {
  /** A desk is configured. */
  configured: boolean;
  names: string[];
  default: string | null;
}

export interface UserJson {
  username: string;
  role: Role;
  source: AccountSource;
  createdAt: string;
}

export interface UsersJson {
  items: UserJson[];
  seats: { used: number; limit: number };
  settings: ConsoleSettings;
  /** What the configured desk offers: checking technicians' passwords at sign-in, finding them to import. */
  desk: { signIn: boolean; import: boolean };
}

export type DeviceTicketInput = z.input<typeof DeviceTicketBody>;
export type ImportTechnicianInput = z.input<typeof ImportTechnicianBody>;
export type UserPatchInput = z.input<typeof UserPatchBody>;
export type ConsoleSettingsInput = z.input<typeof ConsoleSettingsBody>;
