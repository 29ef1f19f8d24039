// The server's storage contract. Async so that a PostgreSQL implementation can sit beside the
// embedded SQLite one; callers never see SQL.
import type { SectionChange } from '../../shared/delta.js';
import type { IdentityHints, Os, Section, Snapshot, Software } from '../../shared/inventory.js';
import type { Trigger } from '../../shared/protocol.js';
import type { DeskStore } from './desk-records.js';
import type { TicketItem, TicketItemResult, TicketStore } from './ticket-records.js';

export interface EnrolmentTokenRecord {
  hash: Buffer;
  createdAt: number;
  /** Epoch ms, or null for a token that never expires. */
  expiresAt: number | null;
  /** Enrolments left, or null for unlimited. */
  usesLeft: number | null;
}

export interface EnrolRequest {
  tokenHash: Buffer;
  hints: IdentityHints;
  agentVersion: string;
  secretHash: Buffer;
  at: number;
}

export type EnrolResult =
  | { ok: false }
  | { ok: true; deviceId: string; created: boolean; cloneOf: string | null };

export interface HelloRecord {
  hints: IdentityHints;
  agentVersion: string;
  at: number;
}

/** What a session needs after authenticating. */
export interface DeviceRuntime {
  lastSeq: number;
  needsFull: boolean;
}

/** A device's state as the ingest planner sees it, read inside the batch transaction. */
export interface IngestState {
  deviceId: string;
  /** The secret hash in force; a session holding another one was superseded by a re-enrolment. */
  secretHash: Buffer;
  lastSeq: number;
  digest: string | null;
  needsFull: boolean;
  snapshot: Snapshot | null;
}

export interface ChangeRecord {
  at: string;
  trigger: Trigger;
  seq: number;
  section: Section;
  added: unknown[];
  removed: unknown[];
  changed: SectionChange['changed'];
}

/** What a batch does to a device, written in the same transaction the state was read in. */
export interface BatchOutcome {
  lastSeq: number;
  needsFull: boolean;
  /** The device's new snapshot, absent when the batch left it as it was. */
  snapshot?: { snapshot: Snapshot; digest: string };
  /** Incremental maintenance of the software table: rows to insert or replace, item keys to delete. */
  software?: { upsert: Software[]; remove: string[] };
  changes: ChangeRecord[];
  /** Ticket and worklog items to apply after the inventory writes, in seq order. */
  ticketItems?: TicketItem[];
}

/** The outcome as planned, and what each ticket item did. */
export interface AppliedBatch<T extends BatchOutcome> {
  plan: T;
  tickets: TicketItemResult[];
}

export interface DeviceSummary {
  id: string;
  hostname: string;
  serial: string | null;
  os: Pick<Os, 'platform' | 'distro' | 'release' | 'build' | 'arch'> | null;
  manufacturer: string | null;
  model: string | null;
  ip: string | null;
  agentVersion: string | null;
  cloneOf: string | null;
  softwareCount: number;
  firstSeen: number;
  lastSeen: number;
}

export interface DeviceDetail extends DeviceSummary {
  digest: string | null;
  needsFull: boolean;
  snapshot: Snapshot | null;
}

export interface StoredChange extends ChangeRecord {
  id: number;
  receivedAt: number;
}

export interface Store extends TicketStore {
  close(): Promise<void>;
  /** The service-desk sync's queue, links and cursor. */
  readonly desk: DeskStore;

  adminTokenHash(): Promise<Buffer | null>;
  setAdminTokenHash(hash: Buffer): Promise<void>;

  addEnrolmentToken(token: EnrolmentTokenRecord): Promise<void>;
  /** Spends one use of the token and enrols (or re-enrols) the device it identifies, atomically. */
  enrol(request: EnrolRequest): Promise<EnrolResult>;

  /** The stored secret hash, or null for an unknown device. The caller compares in constant time. */
  deviceSecretHash(deviceId: string): Promise<Buffer | null>;
  recordHello(deviceId: string, hello: HelloRecord): Promise<DeviceRuntime | null>;
  touch(deviceId: string, at: number): Promise<void>;
  /**
   * Reads the device's state, lets `plan` (synchronous, pure) decide the outcome and writes it, all
   * in one transaction. A throw from `plan` writes nothing. Null when the device does not exist.
   */
  applyBatch<T extends BatchOutcome>(deviceId: string, at: number, plan: (state: IngestState) => T): Promise<AppliedBatch<T> | null>;

  deviceExists(deviceId: string): Promise<boolean>;
  listDevices(): Promise<DeviceSummary[]>;
  getDevice(deviceId: string): Promise<DeviceDetail | null>;
  /** Null when the device does not exist. `query` filters by name or publisher, case-insensitively. */
  listSoftware(deviceId: string, query?: string): Promise<Software[] | null>;
  /** Newest first; `before` is a change id from an earlier page. Null when the device does not exist. */
  listChanges(deviceId: string, page: { limit: number; before?: number }): Promise<StoredChange[] | null>;
}
