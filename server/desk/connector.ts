// The contract every service-desk connector fulfils, and what a connector says it can do.
// A sync engine drives connectors only through this file and ./types.ts; it never sees the
// desk's own shapes. Every method either resolves or rejects with a DeskError (./errors.ts)
// whose `retryable` flag tells the engine whether to try the same call again later.
import type { DeskApproval } from './approval.js';
import type { DeskLevel } from '../../shared/http-api.js';
import type {
  AssetLookup,
  DeskAsset,
  DeskAssetFields,
  DeskChanges,
  DeskCursor,
  DeskId,
  DeskNote,
  DeskPackage,
  DeskProblem,
  DeskSoftware,
  DeskTicket,
  DeskUser,
  NewDeskNote,
  NewDeskTicket,
  NewDeskWorklog,
  TicketUpdate,
} from './types.js';

export type DeskKind = 'rt' | 'sdp' | 'autotask';

/** What a connector can do with the desk it is configured for. */
export interface DeskCapabilities {
  /** Create tickets, fetch them back, find or create requesters. */
  createTickets: boolean;
  /** Send files with new tickets and notes. */
  attachments: boolean;
  /** Add notes (customer-facing and internal) to a ticket. */
  notesToDesk: boolean;
  /** Record worklogs whose minutes add to the ticket's worked time. */
  worklogs: boolean;
  /** Create, update and find assets. */
  assets: boolean;
  /** Poll for tickets changed in the desk and report their status. */
  readStatus: boolean;
  /** Read the desk's notes back, telling customer-facing from internal. */
  readNotes: boolean;
  /** Change a ticket's status in the desk (e.g. close it from the tray). */
  updateStatus: boolean;
  /** Store Outpost's key on tickets and find a ticket by it. */
  ticketKeys: boolean;
  /** Store Outpost's key on notes and worklogs and find them by it. */
  noteKeys: boolean;
  /** Keep the fleet's software catalog in the desk (findSoftware, saveSoftware). */
  softwareCatalog: boolean;
  /** Read a reference from a ticket's asset and set it on the ticket (readAssetField, NewDeskTicket.account). */
  accountLookup: boolean;
}

/**
 * - log-only: Outpost writes to the desk and never reads back.
 * - status-sync: the desk's status changes reach the endpoint.
 * - two-way: notes both ways, and the endpoint can close tickets in the desk.
 */
export type IntegrationLevel = DeskLevel;

/** The level follows from the capabilities; it is never stored beside them. */
export function integrationLevel(c: DeskCapabilities): IntegrationLevel {
  if (!c.readStatus) return 'log-only';
  if (c.readNotes && c.notesToDesk && c.updateStatus) return 'two-way';
  return 'status-sync';
}

export interface DeskConnector {
  readonly kind: DeskKind;
  readonly capabilities: DeskCapabilities;

  /** One cheap authenticated call: resolves when the desk answers and accepts the credentials. */
  checkHealth(): Promise<void>;
  /**
   * Checks the desk's setup against what this connector needs (user, rights, queue, fields,
   * timezone...) and resolves with one actionable problem per finding, none when all is well.
   * Rejects only when the desk cannot be asked at all (then the engine reports that error).
   * Absent: only checkHealth is run.
   */
  preflight?(): Promise<DeskProblem[]>;

  findOrCreateUser(email: string, name?: string): Promise<DeskUser>;
  /** The desk user with this login name (RT user Name, SDP requester login name), or null when there is none. */
  findUserByLogin(login: string): Promise<DeskUser | null>;

  /**
   * Creates the ticket and stores `idempotencyKey` in it. Not idempotent by itself: after an
   * attempt whose outcome is unknown, call findTicketByKey first (see ./once.ts).
   */
  createTicket(ticket: NewDeskTicket): Promise<DeskId>;
  findTicketByKey(idempotencyKey: string): Promise<DeskId | null>;
  fetchTicket(id: DeskId): Promise<DeskTicket>;
  /**
   * The ticket with the number people see in the desk (RT ticket id, SDP request id), or null when
   * the desk has none; a ticket raised in the desk (by phone) that Outpost never saw is found too.
   */
  findTicketByNumber(number: string): Promise<DeskTicket | null>;
  /** Setting a status is idempotent: repeating it changes nothing. */
  updateTicket(id: DeskId, update: TicketUpdate): Promise<void>;

  addNote(note: NewDeskNote): Promise<DeskId>;
  /** Resolves null when the desk cannot store keys on notes (capabilities.noteKeys false). */
  findNoteByKey(ticketId: DeskId, idempotencyKey: string): Promise<DeskId | null>;
  /** Every note on the ticket, oldest first, internal ones included and marked. */
  fetchNotes(ticketId: DeskId): Promise<DeskNote[]>;
  /**
   * A self-service request's approval on this ticket (./approval.ts), with the desk's reason for a
   * rejection. Absent: this connector cannot read approvals yet (requests stay pending).
   */
  readApproval?(ticketId: DeskId): Promise<DeskApproval>;

  addWorklog(worklog: NewDeskWorklog): Promise<DeskId>;
  /** Resolves null when the desk cannot store keys on worklogs (capabilities.noteKeys false). */
  findWorklogByKey(ticketId: DeskId, idempotencyKey: string): Promise<DeskId | null>;

  /**
   * Tickets Outpost created that someone else changed since the cursor, with what they did.
   * Changes made through this connector (and the desk's automatic reactions to them) are
   * echoes and left out. Start with cursorFrom(date); store the returned cursor.
   */
  listChangedSince(cursor: DeskCursor): Promise<DeskChanges>;

  /** Creates the asset, or overwrites the fields Outpost owns on asset `id`. */
  saveAsset(asset: DeskAssetFields, id?: DeskId): Promise<DeskAsset>;
  findAssets(lookup: AssetLookup): Promise<DeskAsset[]>;

  /**
   * The value of `field` on asset `id` (RT: an asset custom field; SDP: site or an additional
   * field), or null when it is empty. Rejects with E_DESK_UNSUPPORTED when capabilities.accountLookup is false.
   */
  readAssetField(id: DeskId, field: string): Promise<string | null>;

  /** The desk's record of a package in the software catalog, by name; null when there is none. */
  findSoftware(name: string): Promise<DeskId | null>;
  /** Creates the catalog record, or overwrites record `id`. Rejects when capabilities.softwareCatalog is false. */
  saveSoftware(software: DeskSoftware, id?: DeskId): Promise<DeskId>;

  /**
   * The desk's record of a package of Outpost's package store (RT: an asset in the packages
   * catalog; SDP: a product), found by its name or Outpost's id; null when there is none. Absent
   * together with savePackage: this desk keeps no catalog of software packages.
   */
  findPackage?(pkg: DeskPackage): Promise<DeskId | null>;
  /** Creates the package's record, or overwrites record `id`. */
  savePackage?(pkg: DeskPackage, id?: DeskId): Promise<DeskId>;
  /**
   * Marks record `id` retired: the package left Outpost's package store (RT: the retired asset
   * status; SDP: the product named and described as retired; Autotask: isActive false). Idempotent.
   * Present whenever findPackage and savePackage are.
   */
  retirePackage?(pkg: DeskPackage, id: DeskId): Promise<void>;

  /**
   * The desk's tickets that refer to asset `assetId` (RT: RefersTo asset:<id>), newest first, at most
   * `limit`: also those raised in the desk itself (by phone), which Outpost never saw. Optional.
   */
  assetTickets?(assetId: DeskId, limit: number): Promise<DeskTicket[]>;
  /** The queues (RT) or categories (SDP) a new ticket can go to, and the configured default. Optional. */
  listQueues?(): Promise<DeskQueues>;
  /** The desk's technician of this name (RT: an enabled privileged user), or null. Optional. */
  findTechnician?(username: string): Promise<DeskTechnician | null>;
  /**
   * Whether `username` is a technician of the desk whose desk password is `password` (RT: signs in
   * to RT as that user). Resolves false for a wrong password or a user who is no technician; rejects
   * only when the desk cannot be asked. Optional: without it, technicians sign in with a local password.
   */
  verifyTechnician?(username: string, password: string): Promise<boolean>;
}

export interface DeskQueues {
  names: string[];
  /** Where a ticket goes when no queue is chosen; null when the connector has no default. */
  default: string | null;
}

export interface DeskTechnician {
  username: string;
  name?: string;
  email?: string;
}

/** Keys Outpost stores in desks: short, and safe inside any desk's query language. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;
