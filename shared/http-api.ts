// The server's HTTP API as its clients see it: one map from "METHOD /path" to what the request
// carries and what the answer holds. Every server route is declared against this map (server/api/
// route.ts checks its handler's answer) and the web console (console/) derives its client from it.
// Request types are derived from the zod schemas in shared/http-schemas.ts, imported as types only,
// so the console bundle pulls in no zod (DEVICE_SORTS is the one value here).
import type { TicketSoftwareRequest } from './self-service.js';
import type {
  Hardware,
  LocalAccount,
  LocalGroup,
  LoggedOnUser,
  Monitor,
  NetworkInterface,
  Os,
  Printer,
  SecurityPosture,
  Software,
  Volume,
} from './inventory.js';
import type { SectionChange } from './delta-schema.js';
import type { FilledTemplate, TemplateInput, TicketTemplate } from './templates.js';
import type { Priority, Requester, TicketStatus } from './tickets.js';
import type { Trigger } from './protocol.js';
import type { z } from 'zod';
import type * as S from './http-schemas.js';
import type * as D from './deploy-http.js';
import type { DeploymentJson, PackageFileJson, PackageJson } from './deploy-api.js';
import type { PackageInput } from './deploy.js';
import type { DeskPreflightJson, DeskStatusJson } from './desk-status.js';
import type { Role } from './roles.js';
import type { ConsoleSettings } from './roles.js';
import type {
  ConsoleSettingsInput,
  DeskQueuesJson,
  DeviceTicketInput,
  DeviceTicketJson,
  DeviceTicketsJson,
  ImportTechnicianInput,
  LogbookEntryJson,
  UserJson,
  UserPatchInput,
  UsersJson,
} from './console-api.js';

/** Every error answer: `{ error: { code, message } }` with a stable code (shared/errors.ts). */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

export interface Page<T> {
  items: T[];
  /** How many match the query in all (for "1–50 of 9,812"). */
  total: number;
  offset: number;
  limit: number;
}

// ---------------------------------------------------------------- session (web console sign-in)

export interface SessionInfo {
  username: string;
  /** What this account may do (shared/roles.ts). */
  role: Role;
  /** Sent back as the x-csrf-token header on every POST/PATCH/PUT/DELETE made with the session cookie. */
  csrfToken: string;
  /** ISO 8601: when the session ends unless used again. */
  expiresAt: string;
}

export type SignInBody = z.input<typeof S.SignInBody>;

// ---------------------------------------------------------------- devices

export const DEVICE_SORTS = ['hostname', 'lastSeen', 'os', 'serial', 'ip', 'user'] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];

/** GET /api/devices: filters, sort and page (shared/http-schemas.ts DeviceListQuery). */
export type DeviceListQuery = z.input<typeof S.DeviceListQuery>;
export type DevicePlatform = NonNullable<DeviceListQuery['os']>;

export interface DeviceSummaryJson {
  id: string;
  hostname: string;
  serial: string | null;
  manufacturer: string | null;
  model: string | null;
  os: Pick<Os, 'platform' | 'distro' | 'release' | 'build' | 'arch'> | null;
  ip: string | null;
  /** Logged-on users at the last inventory. */
  users: string[];
  online: boolean;
  lastSeen: string;
  firstSeen: string;
  softwareCount: number;
  agentVersion: string | null;
  cloneOf: string | null;
  /** Enrolled on a weak hint, or on a strong one while that device was connected: maybe this device. */
  duplicateOf: PossibleDuplicateJson | null;
}

/** Why a device may be another one: the hint both share (`serial-in-use`: that device was connected). */
export type DuplicateReasonJson = 'serial' | 'uuid' | 'install-id' | 'mac' | 'hostname' | 'serial-in-use' | 'uuid-in-use';

export interface PossibleDuplicateJson {
  deviceId: string;
  reason: DuplicateReasonJson;
}

/** GET /api/devices/:id/identity */
export interface DeviceIdentityJson {
  duplicateOf: { id: string; hostname: string | null; reason: DuplicateReasonJson } | null;
  /** Newest first: enrolments that continued this device, possible duplicates of it, merges into it. */
  events: { id: number; at: string; kind: 'continued' | 'duplicate-enrolled' | 'merged'; detail: Record<string, unknown> }[];
}

export interface DeviceDetailJson {
  id: string;
  hostname: string;
  online: boolean;
  lastSeen: string;
  firstSeen: string;
  digest: string | null;
  needsFullSnapshot: boolean;
  agentVersion: string | null;
  cloneOf: string | null;
  duplicateOf: PossibleDuplicateJson | null;
  softwareCount: number;
  hardware: Hardware | null;
  os: Os | null;
  network: NetworkInterface[];
  users: LoggedOnUser[];
  /** Issue 18: empty (security: {}) when the agent does not report them. */
  volumes: Volume[];
  monitors: Monitor[];
  printers: Printer[];
  accounts: LocalAccount[];
  groups: LocalGroup[];
  security: SecurityPosture;
}

export interface ChangeJson {
  id: number;
  /** When the agent saw the change (its clock). */
  at: string;
  receivedAt: string;
  trigger: Trigger;
  seq: number;
  section: string;
  added: unknown[];
  removed: unknown[];
  changed: SectionChange['changed'];
}

// ---------------------------------------------------------------- software across the fleet

export type FleetSoftwareQuery = z.input<typeof S.SoftwareListQuery>;

export interface FleetSoftwareJson {
  name: string;
  publisher: string | null;
  /** Devices that have it, in any version. */
  devices: number;
  /** Distinct versions across the fleet. */
  versions: number;
  prohibited: boolean;
}

export interface SoftwareInstallJson {
  deviceId: string;
  hostname: string;
  online: boolean;
  version: string | null;
  source: Software['source'];
  lastSeen: string;
}

export interface SoftwareDetailJson {
  name: string;
  prohibited: boolean;
  versions: { version: string | null; devices: number }[];
  installs: Page<SoftwareInstallJson>;
}

export interface ProhibitedPatternJson {
  pattern: string;
  /** console: added here and removable; config: from the server's desk settings, read-only here. */
  source: 'console' | 'config';
  /** Devices with at least one package matching it now. */
  devices: number;
}

/** A device IT allowed to keep software the prohibited list names (an approved exception request). */
export interface ExemptionJson {
  deviceId: string;
  hostname: string;
  /** Lower case: a package of this name, in any case, is not flagged on this device. */
  name: string;
  /** The exception request's ticket. */
  ticketId: number | null;
  createdAt: string;
}

// ---------------------------------------------------------------- enrolment tokens

export interface EnrolmentTokenJson {
  id: string;
  label: string | null;
  createdAt: string;
  expiresAt: string | null;
  /** Enrolments left; null for unlimited. */
  usesLeft: number | null;
  /** Devices enrolled with it so far. */
  used: number;
  state: 'active' | 'expired' | 'used-up' | 'revoked';
}

/** POST /api/tokens (shared/http-schemas.ts TokenCreateBody); no body at all is the same as `{}`. */
export type CreateTokenBody = z.input<typeof S.TokenCreateBody>;

/** One enrolment settings file for one OS, as `outpost package` writes it. */
export interface EnrolmentFileJson {
  os: 'linux' | 'windows' | 'macos';
  name: string;
  /** POSIX mode to save it with (0o600 when it holds the token). */
  mode: number;
  mediaType: string;
  description: string;
  content: string;
}

export interface CreatedTokenJson extends EnrolmentTokenJson {
  /** Shown once: only its hash is stored. */
  token: string;
  /** The exact command to run on an endpoint (the server's own URL, the token). */
  installCommand: string;
  /** The same enrolment as settings files for the Linux packages, the Windows installer and macOS. */
  enrolmentFiles: EnrolmentFileJson[];
}

// ---------------------------------------------------------------- tickets

export interface TicketSummaryJson {
  /** Outpost's number; the API's paths take it. */
  id: number;
  /** The desk's number, once the desk has the ticket. */
  deskNumber: string | null;
  /** The number people see and quote: "#4" (the desk's), "OP-17" (Outpost's, not on the desk yet), "#17" without a desk. */
  label: string;
  ref: string;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  category: string | null;
  requester: Requester;
  deviceId: string | null;
  hostname: string;
  createdAt: string;
  updatedAt: string;
}

export interface TicketNoteJson {
  id: string;
  author: string;
  text: string;
  at: string;
  visibility: 'customer' | 'internal';
  fromEndpoint: boolean;
}

export interface WorklogJson {
  id: number;
  technician: string;
  start: string;
  end: string;
  minutes: number;
  description: string;
  deviceId: string | null;
  hostname: string | null;
  recordedAt: string;
}

export interface TicketDetailJson extends TicketSummaryJson {
  description: string;
  device: unknown;
  receivedAt: string;
  closedAt: string | null;
  attachmentsExpected: number;
  notes: TicketNoteJson[];
  attachments: { id: number; name: string; type: string; size: number; sha256: string; screenshot: boolean }[];
  worklogs: WorklogJson[];
  minutesLogged: number;
  /** Who the desk has as the requester and by which rule; null until the ticket is on the desk. */
  deskRequester: DeskRequesterJson | null;
  /** The ticket template the person picked in the tray and the fields they filled in; null for a plain ticket. */
  template: FilledTemplate | null;
  /** A self-service request (the tray's Get software): which package or prohibited name, and the desk's answer. */
  softwareRequest: TicketSoftwareRequest | null;
}

/**
 * Which rule gave a desk ticket its requester, tried in this order: the endpoint's email, the desk's
 * user with the account's login name, account@deskRequesterDomain, the fallback requester setting.
 */
export const REQUESTER_RULES = ['email', 'login', 'domain', 'fallback'] as const;
export type RequesterRule = (typeof REQUESTER_RULES)[number];

export interface DeskRequesterJson {
  rule: RequesterRule;
  /** The desk user (login name) or email the ticket was raised for. */
  requester: string;
}

// ---------------------------------------------------------------- service desk

export type {
  CatalogRunJson,
  CatalogStatusJson,
  DeskLevel,
  DeskPreflightJson,
  DeskProblemJson,
  DeskProblemSeverity,
  DeskStatusJson,
  DeskSyncStatusJson,
} from './desk-status.js';

// ---------------------------------------------------------------- live events (GET /api/events, text/event-stream)

/** Event name -> data. Each SSE message is `event: <name>\ndata: <JSON>\n\n`. */
export interface LiveEvents {
  /** A device connected or disconnected. */
  presence: { deviceId: string; online: boolean; at: string };
  /** An applied batch changed these sections of a device's inventory (or enrolled it: `enrolled`). */
  inventory: { deviceId: string; hostname: string; sections: string[]; trigger: Trigger | 'enrolled'; at: string };
  /** A ticket was created or changed (status, note, worklog) by anyone. */
  ticket: { ticketId: number; deviceId: string | null; at: string };
  /** A device reported a step of a deployment. */
  deployment: { deploymentId: string; deviceId: string; at: string };
}
export type LiveEventName = keyof LiveEvents;

// ---------------------------------------------------------------- the route map

// `response: never` marks a route that answers no JSON body (a stream, a file): its handler sends the
// answer itself, and the console's api() cannot call it.

export interface HttpApi {
  'GET /api/health': { response: { ok: true; version: string } };
  /** The API reference (OpenAPI 3), generated from the server's route schemas. */
  'GET /api/openapi.json': { response: Record<string, unknown> };
  'GET /api/session': { response: SessionInfo };
  'POST /api/session': { body: SignInBody; response: SessionInfo };
  'DELETE /api/session': { response: { ok: true } };
  /** text/event-stream: see LiveEvents. */
  'GET /api/events': { response: never };

  'GET /api/devices': { query: DeviceListQuery; response: Page<DeviceSummaryJson> };
  'GET /api/devices/:id': { response: DeviceDetailJson };
  'GET /api/devices/:id/software': { query: z.input<typeof S.DeviceSoftwareQuery>; response: { items: Software[] } };
  'GET /api/devices/:id/changes': {
    query: z.input<typeof S.DeviceChangesQuery>;
    response: { items: ChangeJson[]; nextBefore: number | null };
  };
  'POST /api/devices/:id/scan': { response: { ok: true; command: 'scan' } };
  'GET /api/devices/:id/identity': { response: DeviceIdentityJson };
  'POST /api/devices/:id/merge': { body: z.input<typeof S.DeviceMergeBody>; response: { ok: true; deviceId: string } };

  'GET /api/software': { query: FleetSoftwareQuery; response: Page<FleetSoftwareJson> };
  'GET /api/software/detail': { query: z.input<typeof S.SoftwareDetailQuery>; response: SoftwareDetailJson };
  'GET /api/prohibited': { response: { items: ProhibitedPatternJson[] } };
  'POST /api/prohibited': { body: z.input<typeof S.ProhibitedAddBody>; response: ProhibitedPatternJson };
  'DELETE /api/prohibited': { query: z.input<typeof S.ProhibitedRemoveQuery>; response: { ok: true } };
  'GET /api/prohibited/exemptions': { response: { items: ExemptionJson[] } };
  'DELETE /api/prohibited/exemptions': { query: z.input<typeof S.ExemptionRevokeQuery>; response: { ok: true } };

  /** Ticket templates offered in the tray (shared/templates.ts); every connected agent gets a change at once. */
  'GET /api/templates': { response: { items: TicketTemplate[] } };
  'POST /api/templates': { body: TemplateInput; response: TicketTemplate };
  'PUT /api/templates/:id': { body: TemplateInput; response: TicketTemplate };
  'DELETE /api/templates/:id': { response: { ok: true } };

  'GET /api/tokens': { response: { items: EnrolmentTokenJson[] } };
  'POST /api/tokens': { body: CreateTokenBody; response: CreatedTokenJson };
  'DELETE /api/tokens/:id': { response: EnrolmentTokenJson };

  'GET /api/tickets': { query: z.input<typeof S.TicketListQuery>; response: { items: TicketSummaryJson[]; nextBefore: number | null } };
  'GET /api/tickets/:id': { response: TicketDetailJson };
  /** The file itself, with its own content type. */
  'GET /api/tickets/:id/attachments/:attachmentId': { response: never };
  'PATCH /api/tickets/:id': { body: z.input<typeof S.TicketPatchBody>; response: TicketDetailJson };
  'POST /api/tickets/:id/notes': { body: z.input<typeof S.TicketNoteBody>; response: TicketNoteJson };

  'GET /api/desk/status': { response: DeskStatusJson };
  'POST /api/desk/jobs/:id/retry': { response: { id: number; state: 'queued' } };
  'POST /api/desk/catalog/sync': { response: { state: 'queued' } };
  'POST /api/desk/packages/sync': { response: { state: 'queued' } };
  'POST /api/desk/preflight': { response: DeskPreflightJson };
  'GET /api/desk/queues': { response: DeskQueuesJson };

  'GET /api/devices/:id/tickets': { response: DeviceTicketsJson };
  'POST /api/devices/:id/tickets': { body: DeviceTicketInput; response: DeviceTicketJson };
  'GET /api/devices/:id/logbook': {
    query: { limit?: number; before?: string };
    response: { items: LogbookEntryJson[]; nextBefore: string | null };
  };

  // Software deployment: the package store (shared/deploy.ts) and deployments (shared/deploy-api.ts).
  'GET /api/packages': { response: { items: PackageJson[] } };
  /** The body is the installer file itself (application/octet-stream), at most DEPLOY_LIMITS.maxPackageBytes. */
  'POST /api/packages/files': { query: z.input<typeof D.PackageFileQuery>; response: PackageFileJson };
  'POST /api/packages': { body: PackageInput; response: PackageJson };
  'GET /api/packages/:id': { response: PackageJson };
  'DELETE /api/packages/:id': { response: { ok: true } };
  'GET /api/deployments': { query: z.input<typeof D.DeploymentListQuery>; response: { items: DeploymentJson[] } };
  'POST /api/deployments': { body: z.input<typeof D.DeploymentCreateBody>; response: DeploymentJson };
  'GET /api/deployments/:id': { response: DeploymentJson };

  'GET /api/users': { response: UsersJson };
  'POST /api/users': { body: ImportTechnicianInput; response: UserJson };
  'PATCH /api/users/:username': { body: UserPatchInput; response: UserJson };
  'DELETE /api/users/:username': { response: { ok: true } };
  'PUT /api/users/settings': { body: ConsoleSettingsInput; response: ConsoleSettings };
}
export type HttpRoute = keyof HttpApi;
