// The server's storage contract. Async so that a PostgreSQL implementation can sit beside the
// embedded SQLite one; callers never see SQL.
import type { SectionChange } from '../../shared/delta.js';
import type { KeyedCollection } from '../../shared/delta-apply.js';
import type { SectionDigests } from '../../shared/digest.js';
import type { CollectionSection, IdentityHints, Os, Section, Snapshot, Software } from '../../shared/inventory.js';
import type { Trigger } from '../../shared/protocol.js';
import type { RestSection, SectionPage } from '../../shared/stored-sections.js';
import type { DevicePlatform, DeviceSort } from '../../shared/http-api.js';
import type { AdminStore } from './admin-records.js';
import type { DeployStore } from './deploy-records.js';
import type { DeviceWorkStore } from './device-work-records.js';
import type { TemplateStore } from './template-records.js';
import type { SoftwareRequestStore } from './software-request-records.js';
import type { DuplicateReason } from './identity.js';
import type { DeskStore, NewDeskJob } from './desk-records.js';
import type { TicketLedger } from './ticket-ledger.js';
import type { TicketItem, TicketItemResult, TicketStore } from './ticket-records.js';
import type { StoreJob } from './store-job.js';

export interface EnrolmentTokenRecord {
  /** Public handle for listing and revoking; never enough to enrol with. */
  id: string;
  label: string | null;
  hash: Buffer;
  createdAt: number;
  /** Epoch ms, or null for a token that never expires. */
  expiresAt: number | null;
  /** Enrolments left, or null for unlimited. */
  usesLeft: number | null;
}

/** A stored token as the console lists it (never its hash). */
export interface StoredEnrolmentToken {
  id: string;
  label: string | null;
  createdAt: number;
  expiresAt: number | null;
  usesLeft: number | null;
  /** Enrolments made with it so far. */
  used: number;
  revoked: boolean;
}

export interface EnrolRequest {
  tokenHash: Buffer;
  hints: IdentityHints;
  agentVersion: string;
  secretHash: Buffer;
  at: number;
  /** Whether a device has a live agent connection in this process (the store also knows other
   * processes' through the online flag). Called inside the enrolment transaction. */
  isLive?: (deviceId: string) => boolean;
  /** The enrolling peer's address, for the device's identity events. */
  remote?: string;
}

export type EnrolResult =
  | { ok: false }
  | {
      ok: true;
      deviceId: string;
      created: boolean;
      cloneOf: string | null;
      /** How an existing device was continued (a strong hint), null for a new device. */
      matchedBy: 'serial' | 'uuid' | null;
      duplicateOf: PossibleDuplicate | null;
    };

export interface PossibleDuplicate {
  deviceId: string;
  reason: DuplicateReason;
}

/** What an agent's credential check needs: the device it names (after merges) and its secret hash. */
export interface DeviceCredential {
  deviceId: string;
  secretHash: Buffer;
}

export type IdentityEventKind = 'continued' | 'duplicate-enrolled' | 'merged';

/** A device's identity history: an enrolment continued it, a possible duplicate appeared, a merge. */
export interface IdentityEvent {
  id: number;
  at: number;
  kind: IdentityEventKind;
  detail: Record<string, unknown>;
}

export type MergeResult = { ok: true } | { ok: false; reason: 'not-found' | 'same-device' | 'into-online' };

export interface HelloRecord {
  hints: IdentityHints;
  agentVersion: string;
  at: number;
}

/** One hello of several recorded together (Store.recordHellos). */
export interface DeviceHello {
  deviceId: string;
  hello: HelloRecord;
}

/** What became of one of them: recordHello's answer, or the message of what it threw. */
export type HelloOutcome = { runtime: DeviceRuntime | null } | { error: string };

/** What a session needs after authenticating. */
/** What a connection opening or closing changes on a device row: its online flag, its last-seen time. */
export interface DeviceMark {
  deviceId: string;
  online?: boolean;
  seenAt?: number;
}

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
  /** The device row's hostname (its last snapshot's): a batch leaving the other sections alone need not read them for it. */
  hostname: string;
  /**
   * The last snapshot without its software, and its section digests; null before the first one.
   * `rest` reads each section's rows only when that section is read (shared/stored-sections.ts).
   */
  inventory: { rest: StoredInventory; digests: SectionDigests | null } | null;
  /** The stored rows of one section of any generation (a snapshot being staged), in no set order. */
  sectionPages(gen: number, section: RestSection): SectionPage[];
  /** The device's software, read row by row: a delta touches only the rows it names. */
  software: SoftwareTable;
  /** The generation of the live software rows: the first seq of the snapshot they came in with. */
  softwareGen: number;
  /** Software rows of any generation (a snapshot being staged), read by key. */
  softwareOf(gen: number): KeyedCollection<'software'>;
  /** A full snapshot being received in parts, or null. */
  staging: StagingState | null;
}

/** A full snapshot arriving in parts: what is in so far (its software rows are generation `first`). */
export interface StagingState {
  first: number;
  count: number;
  digest: string;
  trigger: Trigger;
  received: number[];
  /**
   * Part 0's sections other than software, set by the batch that staged part 0 (null otherwise): each
   * section of each part is written as rows of the staged generation (BatchOutcome.stagedSections).
   */
  rest: StoredInventory | null;
  /**
   * The keys of the staged collections other than software (hashed) and how many items each holds,
   * so a page is digested and checked against the limits without reading the pages before it.
   * Null (staged before they were kept): worked out from `rest`.
   */
  restKeys?: StagedKeys | null;
  /** The multiset sum of the staged software's item hashes (shared/digest.ts). */
  softwareSum: bigint;
  /**
   * The section digests of `rest` (its `software` unused), kept up to date as its pages arrive, so
   * that the last part does not hash every section again. Absent or null: computed at the swap.
   */
  restDigests?: SectionDigests | null;
  softwareCount: number;
}

/** A page of the other sections (part 0's `rest` or a part's `more`), its generation and its place in the arrival order. */
export interface StagedPage {
  gen: number;
  ord: number;
  more: Partial<StoredInventory>;
}

/** Per collection: the staged items' key hashes and the count of items received (duplicates too). */
export type StagedKeys = Partial<Record<CollectionSection, { count: number; keys: string[] }>>;

/** Software rows of a generation that is no longer live: deleted later in small steps (the sweeper),
 * which also records the software the new generation no longer has as a change. */
export interface Garbage {
  gen: number;
  replacedBy: { gen: number; seq: number; at: string; trigger: Trigger } | null;
}

/** A snapshot as the store keeps it beside the software table: every section but software. */
export type StoredInventory = Omit<Snapshot, 'software'>;

/** The device's software rows as the ingest planner reads them. `all()` is for full snapshots only. */
export interface SoftwareTable extends KeyedCollection<'software'> {
  all(): Software[];
}

export interface ChangeRecord {
  at: string;
  trigger: Trigger;
  seq: number;
  section: Section;
  added: unknown[];
  removed: unknown[];
  changed: SectionChange['changed'];
  /** Seen by the batch's follow-up (the desk's rules) but not kept in the change history: a first
   * inventory's software list, which would copy the whole snapshot into it. */
  unrecorded?: true;
}

/** What a batch does to a device, written in the same transaction the state was read in. */
export interface BatchOutcome {
  lastSeq: number;
  needsFull: boolean;
  /** The device's new snapshot (software aside), absent when the batch left it as it was. */
  snapshot?: {
    inventory: StoredInventory;
    digests: SectionDigests;
    digest: string;
    softwareCount: number;
    /** The snapshot's hostname, read without building `inventory` (absent: `inventory`'s). */
    hostname?: string;
    /** False when only software changed: the stored sections are not rewritten (O(delta), not O(them)). */
    restChanged?: boolean;
    /**
     * The sections whose rows are rewritten from `inventory` (the ones the batch changed); absent:
     * every section. A swap writes none: the staged rows are the new generation's.
     */
    sections?: readonly RestSection[];
  };
  /** Incremental maintenance of the software table: rows to insert or replace, item keys to delete. */
  software?: { upsert: Software[]; remove: string[] };
  /** The generation the snapshot and `software` are written to (the live one unless a swap moved it). */
  softwareGen?: number;
  /** The staging row to write; null deletes it. */
  staging?: StagingState | null;
  /** Pages of the other sections staged for a later swap (part 0's at ord 0), each written as rows of its own. */
  stagedSections?: StagedPage[];
  /** Software rows staged for a later swap, and the software changes each part makes. */
  staged?: { gen: number; rows: Software[]; changes: { index: number; added: Software[]; changed: SectionChange['changed'] } | null }[];
  /** A staged generation became live (its part changes join the history in the sweeper's steps). */
  swapped?: { gen: number; seq: number; at: string; trigger: Trigger };
  garbage?: Garbage[];
  changes: ChangeRecord[];
  /** The batch's ticket and worklog items, in seq order, for `follow` (and what it may read: ledgerReadsOf). */
  ticketItems?: readonly TicketItem[];
}

/** What the ingest did after the inventory writes, in the same transaction: what each ticket item
 * did (written through the ledger) and the desk jobs the store enqueues with the batch. */
export interface BatchFollowUp {
  tickets: TicketItemResult[];
  deskJobs: NewDeskJob[];
}

/** Runs inside the batch transaction after the outcome's writes; `state` is what the plan saw. */
export type FollowBatch<T extends BatchOutcome> = (ledger: TicketLedger, outcome: T, state: IngestState) => BatchFollowUp;

/**
 * What one sweeper step recorded in a device's history: the changes a swap made that reach the
 * history only in the sweeper's steps (a paged snapshot's software parts, its removed software, its
 * other sections), for the desk's rules.
 */
export interface SweptChanges {
  deviceId: string;
  hostname: string;
  /** The swap was the device's first inventory (nothing before it to differ from). */
  first: boolean;
  changes: SectionChange[];
  /** The names this device may keep although prohibited (approved exceptions). */
  exemptions: () => readonly string[];
}

/** Runs inside the sweeper step's transaction after it recorded changes: the desk jobs they raise. */
export type FollowSweep = (swept: SweptChanges) => NewDeskJob[];

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
  /** Enrolled on weak hints (or a strong one in use): maybe this other device. */
  duplicateOf: PossibleDuplicate | null;
  softwareCount: number;
  /** Logged-on user names at the last inventory. */
  users: string[];
  /** An agent connection is open now (kept by the gateway through setOnline). */
  online: boolean;
  firstSeen: number;
  lastSeen: number;
}

/** The devices list's search, filters, order and page. */
export interface DeviceQuery {
  /** Substring of hostname, serial, a logged-on user or the IP address, case-insensitive. */
  q?: string;
  platform?: DevicePlatform;
  online?: boolean;
  /** Epoch ms: last seen at or after / before. */
  seenAfter?: number;
  seenBefore?: number;
  /** Some volume has less than this percent free (issue 18). */
  lowDisk?: number;
  /** Disk encryption over the fixed volumes; 'unknown' = not reported. */
  encryption?: 'on' | 'partial' | 'off' | 'unknown';
  rebootRequired?: boolean;
  firewall?: 'on' | 'off';
  /** Default hostname. */
  sort?: DeviceSort;
  /** Default ascending, except lastSeen: newest first. */
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** One page of a longer list, and how many match in all. */
export interface ResultPage<T> {
  items: T[];
  total: number;
}

/** One package name across the fleet (names compared case-insensitively). */
export interface FleetSoftware {
  name: string;
  /** As installs report it (the first reported). */
  publisher: string | null;
  devices: number;
  versions: number;
  /** Matches one of the patterns the query was given. */
  prohibited: boolean;
}

/** Whether a package name is prohibited: the desk's rule (desk/rules/patterns.ts), compiled by the caller. */
export type ProhibitedTest = (name: string) => boolean;

export interface FleetSoftwareQuery {
  /** Substring of the name or publisher, case-insensitive. */
  q?: string;
  /** The prohibited-software rule in force, for the flag and the filter; nothing is prohibited when absent. */
  prohibited?: ProhibitedTest;
  prohibitedOnly?: boolean;
  limit: number;
  offset: number;
}

export interface SoftwareInstall {
  deviceId: string;
  hostname: string;
  online: boolean;
  version: string | null;
  source: Software['source'];
  lastSeen: number;
}

export interface SoftwareDetail {
  /** As most installs spell it. */
  name: string;
  versions: { version: string | null; devices: number }[];
  installs: ResultPage<SoftwareInstall>;
}

export interface ProhibitedRecord {
  pattern: string;
  createdAt: number;
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
  /** Console admins and their sessions. */
  readonly admins: AdminStore;
  /** A device's tickets, tickets raised for it in the console, and its logbook. */
  readonly deviceWork: DeviceWorkStore;
  /** Ticket templates managed in the console and offered in the tray. */
  readonly templates: TemplateStore;
  /** Self-service requests waiting for the desk's answer, and the exemptions approved ones grant. */
  readonly softwareRequests: SoftwareRequestStore;
  /** The package store and software deployments (deploy-records.ts). */
  readonly deploy: DeployStore;

  adminTokenHash(): Promise<Buffer | null>;
  setAdminTokenHash(hash: Buffer): Promise<void>;

  addEnrolmentToken(token: EnrolmentTokenRecord): Promise<void>;
  /** Newest first, at most `limit`. */
  listEnrolmentTokens(limit: number): Promise<StoredEnrolmentToken[]>;
  getEnrolmentToken(id: string): Promise<StoredEnrolmentToken | null>;
  /** Marks the token revoked (enrolment with it is refused from now on); null for an unknown id. */
  revokeEnrolmentToken(id: string): Promise<StoredEnrolmentToken | null>;
  /** Spends one use of the token and enrols (or re-enrols) the device it identifies, atomically. */
  enrol(request: EnrolRequest): Promise<EnrolResult>;

  /** The device an agent's id names (following merges) and its secret hash, or null for an unknown
   * id. The caller compares in constant time. */
  deviceCredential(deviceId: string): Promise<DeviceCredential | null>;
  /**
   * Merges device `id` into `into`, in one transaction: `into` takes over the agent of `id` (its
   * credential, hints and seq), its tickets, worklogs and change history; `id` is removed and stays
   * an alias of `into`; both are recorded in `into`'s identity events. Refused while `into` has a live
   * connection (its agent would lose its credential).
   */
  mergeDevice(id: string, into: string, at: number, isLive: (deviceId: string) => boolean): Promise<MergeResult>;
  /** Newest first; null when the device does not exist. */
  listIdentityEvents(deviceId: string, limit: number): Promise<IdentityEvent[] | null>;
  recordHello(deviceId: string, hello: HelloRecord): Promise<DeviceRuntime | null>;
  /**
   * Several hellos as one write (server/ingest/hello-batch.ts gathers a turn's worth in a reconnect
   * storm): each as recordHello would, in the order given, one's failure not undoing the others'.
   * Optional: without it each hello is recorded on its own.
   */
  recordHellos?(hellos: readonly DeviceHello[]): Promise<HelloOutcome[]>;
  touch(deviceId: string, at: number): Promise<void>;
  /** Whether an agent connection is open for the device now. */
  setOnline(deviceId: string, online: boolean): Promise<void>;
  /** Marks every device offline: at start, no connection survives the previous run. */
  clearOnline(): Promise<void>;
  /**
   * Several devices' presence and last-seen time in one transaction (server/ingest/device-marks.ts
   * gathers them: a reconnect storm opens and closes thousands of connections). At most one mark a
   * device; last-seen only moves forward. Devices that no longer exist are skipped.
   */
  markDevices(marks: readonly DeviceMark[]): Promise<void>;
  /**
   * Reads the device's state, lets `plan` (synchronous, pure) decide the outcome and writes it, then
   * lets `follow` write ticket items through the ledger and enqueues the desk jobs it names, all in
   * one transaction. A throw from either writes nothing. Null when the device does not exist.
   */
  applyBatch<T extends BatchOutcome>(
    deviceId: string,
    at: number,
    plan: (state: IngestState) => T,
    follow?: FollowBatch<T>,
  ): Promise<AppliedBatch<T> | null>;
  /** Runs a job (store-job.ts) where this store does its database work; the job's result. */
  runJob<A extends unknown[], R>(job: StoreJob<A, R>, ...args: A): Promise<R>;
  /**
   * One bounded step of deleting software generations a swap or a dropped staging left behind
   * (`Garbage`), recording at `at` what a swap removed. Returns the rows handled; 0 when none are left.
   * `follow` is asked for the desk jobs the changes the step recorded raise, which are enqueued in
   * the step's transaction: recorded once, raised once.
   */
  sweepSoftware(limit: number, at: number, follow?: FollowSweep): Promise<number>;

  deviceExists(deviceId: string): Promise<boolean>;
  /** One page of the devices that match the query, and how many match in all. */
  listDevices(query: DeviceQuery): Promise<ResultPage<DeviceSummary>>;
  getDevice(deviceId: string): Promise<DeviceDetail | null>;
  /** Each named device's OS platform as its inventory reported it (absent: unknown device or no inventory yet). */
  devicePlatforms(deviceIds: readonly string[]): Promise<Map<string, Os['platform']>>;
  /** Null when the device does not exist. `query` filters by name or publisher, case-insensitively. */
  listSoftware(deviceId: string, query?: string): Promise<Software[] | null>;
  /** Newest first; `before` is a change id from an earlier page. Null when the device does not exist. */
  listChanges(deviceId: string, page: { limit: number; before?: number }): Promise<StoredChange[] | null>;

  /** Package names across the fleet, by name. */
  listFleetSoftware(query: FleetSoftwareQuery): Promise<ResultPage<FleetSoftware>>;
  /** One package name (case-insensitive): its versions and a page of its installs; null when no device has it. */
  softwareDetail(name: string, page: { limit: number; offset: number }): Promise<SoftwareDetail | null>;
  /**
   * For each test, in order: how many devices have at least one package it holds for. `any` (true
   * when some test holds) narrows the names each test is asked about, for long lists.
   */
  prohibitedDeviceCounts(tests: readonly ProhibitedTest[], any?: ProhibitedTest): Promise<number[]>;

  /** Prohibited-software patterns added in the console, oldest first. */
  listProhibited(): Promise<ProhibitedRecord[]>;
  /** False when the pattern (compared case-insensitively) is already there. */
  addProhibited(pattern: string, at: number): Promise<boolean>;
  /** False when there was no such pattern. */
  removeProhibited(pattern: string): Promise<boolean>;
}
