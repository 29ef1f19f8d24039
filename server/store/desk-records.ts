// The service-desk sync's storage contract: a durable job queue, the links between Outpost's
// records and the desk's, and the poll cursor. Jobs from endpoint data are named by the desk's
// rules (desk/sync/batch-jobs.ts) and enqueued by the store in the same transaction as that data, so
// a crash cannot lose one.
import type { Priority, TicketStatus } from '../../shared/tickets.js';
import type { NewServerNote } from './ticket-records.js';

/**
 * Every kind of desk job with what it carries (a job for an endpoint's item is named as the item's
 * kind: ticket.create, ticket.note, ticket.close, worklog): one union for the writers (the store's enqueue, the
 * engine) and the reader (desk/sync/flows.ts). Jobs carry Outpost ids; the data is read when run.
 */
export type DeskJobSpec =
  | { kind: 'asset'; payload: { deviceId: string } }
  | { kind: 'ticket.create'; payload: { deviceId: string; ref: string } }
  /** A note from an endpoint (deviceId, ref), or one IT added through the server API (ticketId). */
  | { kind: 'ticket.note'; payload: { deviceId: string; ref: string; noteId: string } | { ticketId: number; noteId: string } }
  | { kind: 'ticket.close'; payload: { deviceId: string; ref: string } }
  /** A status IT set through the server API; the change id keys the job. */
  | { kind: 'ticket.status'; payload: { ticketId: number; changeId: string } }
  | { kind: 'worklog'; payload: { deviceId: string; ref: string; ticketId: number } }
  /** An asset event from the desk rules; `email` only in jobs written by earlier versions. */
  | { kind: 'event'; payload: { deviceId: string; eventKind: string; subject: string; description: string; email?: string } }
  | { kind: 'catalog'; payload: Record<string, never> }
  /** The package store's packages to the desk (desk/sync/packages.ts). */
  | { kind: 'packages'; payload: Record<string, never> };

export type DeskJobKind = DeskJobSpec['kind'];
export type DeskJobState = 'queued' | 'done' | 'failed';

export type NewDeskJob = DeskJobSpec & {
  /** Unique: a second job with the same key is not added (or, with `coalesce`, re-arms the first). */
  key: string;
  /** Re-arm a finished or failed job of the same key instead of ignoring the new one (asset updates). */
  coalesce?: boolean;
};

export type DeskJob = DeskJobSpec & DeskJobRow;

export interface DeskJobRow {
  id: number;
  key: string;
  state: DeskJobState;
  attempts: number;
  revision: number;
  /** Epoch ms. */
  nextAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** desk_state key of how a ticket's desk requester was found (JSON DeskRequesterJson), shown with the ticket. */
export const deskRequesterKey = (ticketId: number): string => `requester:${ticketId}`;

/** A desk ticket as Outpost takes it over (./sqlite/desk-tickets.ts). */
export interface ImportedDeskTicket {
  deskId: string;
  subject: string;
  description: string;
  priority: Priority;
  status: TicketStatus;
  /** Who the desk names as the requester. */
  requester: string;
  /** ISO 8601; the time of the import when absent. */
  createdAt?: string;
}

/** What the desk links: Outpost ticket id, device id, note id... and the desk's id for it. */
export type DeskLinkKind = 'ticket' | 'asset' | 'software' | 'package';

/** The most packages one catalog run reads (most installed first); the rest wait for a smaller fleet. */
export const MAX_CATALOG_PACKAGES = 10_000;
/** Versions listed per package (most installed first). */
export const MAX_CATALOG_VERSIONS = 50;

/** One package of the fleet's software catalog: every device with a package of this name. */
export interface DeskSoftware {
  name: string;
  /** The publisher most devices report; absent when none does. */
  publisher?: string;
  /** Most installed first; a null version is a package that reports none. */
  versions: { version: string | null; devices: number }[];
  /** Devices with any version installed. */
  devices: number;
}

/** The desk_state key under which the poll keeps the status the desk last had for a ticket. */
export const deskStatusKey = (ticketId: number): string => `status:${ticketId}`;

export interface DeskStore {
  /** Whether a desk is configured and its sync runs (server-side ticket changes then queue jobs). */
  setEnabled(enabled: boolean): void;
  /** True while a desk is configured and its sync runs. */
  readonly isEnabled: boolean;
  /** Called after a transaction that enqueued jobs committed. */
  onEnqueued(listener: (() => void) | null): void;

  enqueue(job: NewDeskJob, at: number): Promise<void>;
  /** The queued job due first at `now`, or null. */
  nextDue(now: number): Promise<DeskJob | null>;
  /** When the earliest queued job is due, or null for an empty queue. */
  nextDueAt(): Promise<number | null>;
  /** Done, unless the job was re-armed (revision moved) while it ran. */
  completeJob(id: number, revision: number, at: number): Promise<void>;
  /** Counts an attempt, durably, before the desk is called: attempts 0 then means "never tried". */
  beginAttempt(id: number, at: number): Promise<void>;
  /** Holds the job until `nextAt`. */
  holdJob(id: number, nextAt: number, error: string, at: number): Promise<void>;
  failJob(id: number, error: string, at: number): Promise<void>;
  /** Moves a job to a later slot of its flow's schedule; attempts and error stay as they are. */
  deferJob(id: number, nextAt: number): Promise<void>;
  /** Makes every held job due now (the desk answered again after an outage). */
  releaseHeld(now: number): Promise<void>;
  /** Queues a failed job again; false when there is no failed job with that id. */
  retryJob(id: number, at: number): Promise<boolean>;
  jobCounts(): Promise<{ queued: number; failed: number }>;
  /** The state of the job with this key, or null when there is none. */
  jobState(key: string): Promise<DeskJobState | null>;
  recentFailed(limit: number): Promise<DeskJob[]>;

  deskIdFor(kind: DeskLinkKind, outpostId: string): Promise<string | null>;
  outpostIdFor(kind: DeskLinkKind, deskId: string): Promise<string | null>;
  setLink(kind: DeskLinkKind, outpostId: string, deskId: string): Promise<void>;

  getState(key: string): Promise<string | null>;
  setState(key: string, value: string): Promise<void>;

  /** The server ticket id of a device's ticket ref, or null. */
  ticketIdByRef(deviceId: string, ref: string): Promise<number | null>;
  /**
   * The server ticket for a desk ticket Outpost never saw (a worklog named its number): created with
   * no device and linked, or the one already linked; its id.
   */
  importDeskTicket(ticket: ImportedDeskTicket, at: number): Promise<number>;
  /** Adds a note read from the desk once per desk note id; false when it was already there. */
  addDeskNote(ticketId: number, deskNoteId: string, note: NewServerNote): Promise<boolean>;
  /** Takes over fields the mapping imports from the desk (never status: setTicketStatus does that); false when nothing changed. */
  updateTicketFromDesk(ticketId: number, fields: { subject?: string; priority?: Priority }, at: number): Promise<boolean>;

  /**
   * The fleet's distinct software by name (case-insensitive): the most common spelling and
   * publisher, devices per version and in all. Most installed first, at most `limit` packages.
   */
  softwareCatalog(limit?: number): Promise<DeskSoftware[]>;
}
