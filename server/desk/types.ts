// Desk-neutral records: what every connector reads and writes, whatever the desk calls them.
// Desk ids are strings (RT uses small integers, SDP 18-digit longs that do not fit a JS number).
import type { DeskProblemJson } from '../../shared/desk-status.js';
import type { TemplateDesk } from '../../shared/templates.js';
import type { Priority, TicketStatus } from '../../shared/tickets.js';

/** One finding of a connector's preflight (connector.ts): what is wrong and what to do. */
export type DeskProblem = DeskProblemJson;

export type DeskId = string;

export interface DeskUser {
  id: DeskId;
  /** Empty when the desk user has none. */
  email: string;
  name?: string;
  /** The user's login name in the desk (RT user Name, SDP login name), when known. */
  login?: string;
}

export interface DeskAttachment {
  name: string;
  type: string;
  contentBase64: string;
}

export interface NewDeskTicket {
  /** Outpost's key for this ticket, stored in the desk so that a retry finds the first attempt. */
  idempotencyKey: string;
  /** The requester by email (made a desk user when the desk has none); ignored when requesterUser is set. */
  requesterEmail: string;
  requesterName?: string;
  /** An existing desk user as the requester (found by login name, or the fallback requester). */
  requesterUser?: DeskUser;
  subject: string;
  /** Plain text; device details are already part of it. */
  description: string;
  priority: Priority;
  /** RT queue / SDP category; the connector's configured default when absent. */
  category?: string;
  /** The desk's queue (RT) or category (SDP) chosen by IT in the console; wins over `category`. */
  queue?: string;
  /** The desk asset the ticket is about (RT: RefersTo asset:<id>). */
  assetId?: DeskId;
  attachments?: DeskAttachment[];
  /** The status a new ticket starts in; the desk's own default when absent. */
  status?: TicketStatus;
  /** The account/company reference read from the asset, and the desk's ticket field that receives it. */
  account?: { field: string; value: string };
  /** Where the ticket's template puts it in each desk (shared/templates.ts); each connector reads its own part. */
  classification?: TemplateDesk;
}

export interface DeskTicket {
  id: DeskId;
  subject: string;
  /** The desk's status mapped onto Outpost's lifecycle. */
  status: TicketStatus;
  /** The desk's own status name, e.g. RT "stalled", SDP "On Hold". */
  deskStatus: string;
  /** Null when the desk's value maps to none of Outpost's priorities. */
  priority: Priority | null;
  /** Desk user names or emails of the requesters. */
  requesters: string[];
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
  /** Null when the desk does not report worked time on the ticket. */
  timeWorkedMinutes: number | null;
  idempotencyKey: string | null;
  /** Null when the call that produced this record does not report links (e.g. a search). */
  assetIds: DeskId[] | null;
}

export interface TicketUpdate {
  status?: TicketStatus;
}

export type NoteVisibility = 'public' | 'internal';

export interface NewDeskNote {
  ticketId: DeskId;
  /** 'public' reaches the requester (RT correspond); 'internal' stays with IT (RT comment). */
  visibility: NoteVisibility;
  text: string;
  idempotencyKey: string;
  attachments?: DeskAttachment[];
}

export interface DeskNote {
  id: DeskId;
  ticketId: DeskId;
  visibility: NoteVisibility;
  text: string;
  author: string;
  /** ISO 8601, UTC. */
  at: string;
  /** Written through this connector's own desk account: an echo of an Outpost write. */
  own: boolean;
}

export interface NewDeskWorklog {
  ticketId: DeskId;
  technician: string;
  /** ISO 8601. */
  start: string;
  end: string;
  /** Whole minutes; what the desk adds to the ticket's worked time. */
  minutes: number;
  description: string;
  idempotencyKey: string;
}

/** An endpoint as the desk's asset / CMDB record holds it. */
export interface DeskAssetFields {
  /** Machine name. */
  name: string;
  serviceTag?: string;
  /** Lower-case aa:bb:cc:dd:ee:ff; physical adapters only. */
  macs: string[];
  os?: string;
  model?: string;
  manufacturer?: string;
  /** ISO 8601, UTC. */
  lastSeen?: string;
  loggedOnUser?: string;
  outpostDeviceId?: string;
  /** Free text on the asset, e.g. that it is a suspected clone of another device. */
  description?: string;
  /** "Intel Core i5-8500 (6 cores)". */
  cpu?: string;
  /** Installed memory, "16 GB". */
  memory?: string;
  /** One line per disk: "Samsung SSD 980 1.0 TB (serial S1)". */
  disks?: string[];
  /** The OS build, e.g. Windows "22631.4460", macOS "23H222", a Linux kernel. */
  osBuild?: string;
  bios?: { vendor?: string; version?: string; releaseDate?: string };
  /** Disk encryption over fixed volumes: on, partial or off, with the methods seen ("on (BitLocker)"). */
  encryption?: string;
  /** One line per volume: "C: 42 % free of 255.0 GB". */
  volumes?: string[];
  /** Installed packages, one "name version" each, sorted; where the desk keeps a list. */
  software?: string[];
  /** Fields the desk owns (mapping `assetFields`): neither written nor cleared by Outpost. */
  deskOwned?: readonly AssetFieldName[];
}

/** Asset fields a mapping may leave to the desk; the name and Outpost's device id are always Outpost's. */
export const ASSET_FIELD_NAMES = [
  'serviceTag',
  'macs',
  'os',
  'model',
  'lastSeen',
  'loggedOnUser',
  'description',
  'cpu',
  'memory',
  'disks',
  'osBuild',
  'bios',
  'encryption',
  'volumes',
  'software',
] as const;
export type AssetFieldName = (typeof ASSET_FIELD_NAMES)[number];

export interface DeskAsset extends DeskAssetFields {
  id: DeskId;
}

/** One package of the fleet's software catalog (the store reads it: store/desk-records.ts). */
export type { DeskSoftware } from '../store/desk-records.js';

/**
 * A package of Outpost's package store as the desk's catalog of software packages keeps it
 * (server/desk/sync/packages.ts): what IT can deploy, beside the catalog of software seen.
 */
export interface DeskPackage {
  /** Outpost's package id: the record carries it, so a retried run finds its record. */
  outpostId: string;
  name: string;
  version: string | null;
  /** deb, rpm, msi, pkg, or the OS manager that installs it (apt, dnf, winget). */
  installer: string;
  platforms: string[];
  /** Offered in the tray's "Get software" page. */
  selfService: boolean;
  /** The installer file's SHA-256, or the manager's package name. */
  source: string;
}

/** The name a package's desk record goes by: "GIMP 2.10.38 (deb)". */
export function deskPackageName(p: Pick<DeskPackage, 'name' | 'version' | 'installer'>): string {
  return `${p.name}${p.version ? ` ${p.version}` : ''} (${p.installer})`;
}

/** One line a desk record's description can hold: "deb for linux; self-service; sha256 ab12…". */
export function deskPackageSummary(p: DeskPackage): string {
  const source = /^[0-9a-f]{64}$/.test(p.source) ? `sha256 ${p.source}` : `package ${p.source}`;
  return `${p.installer} for ${p.platforms.join(', ')}; ${p.selfService ? 'self-service' : 'IT only'}; ${source}; outpost:${p.outpostId}`;
}

/** One way of finding a desk asset for a device; the sync engine tries them in this order. */
export type AssetLookup =
  | { by: 'serviceTag'; value: string }
  | { by: 'mac'; values: string[] }
  | { by: 'name'; value: string }
  | { by: 'outpostDeviceId'; value: string };

/**
 * Where a poll of changed tickets resumes. Desks stamp changes with coarse timestamps (RT: one
 * second), so the next poll asks again from `since` inclusive and skips what `seen` lists.
 * Opaque to the sync engine: store it as JSON, hand it back.
 */
export interface DeskCursor {
  /** ISO 8601, UTC. */
  since: string;
  /** `${ticketId}@${updatedAt}` of tickets already reported at exactly `since`. */
  seen: string[];
}

/** Something a person or another system did to a ticket in the desk (never this connector). */
export type DeskEvent =
  | { kind: 'status'; id: DeskId; at: string; by: string; from: string | null; to: string; status: TicketStatus }
  | { kind: 'note'; id: DeskId; at: string; by: string; note: DeskNote }
  /** A change the desk does not itemise for us (priority, owner, a field...). */
  | { kind: 'updated'; id: DeskId; at: string; by: string };

export interface DeskTicketChange {
  /** The ticket as it is now. */
  ticket: DeskTicket;
  /** Oldest first. Ids are stable: a change may be reported twice, never lost. */
  events: DeskEvent[];
}

export interface DeskChanges {
  changes: DeskTicketChange[];
  cursor: DeskCursor;
}

/** The cursor for a first poll: everything changed from `since` on. */
export function cursorFrom(since: Date): DeskCursor {
  return { since: new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString(), seen: [] };
}
