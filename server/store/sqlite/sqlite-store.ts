// The embedded store: one SQLite file under the data directory (better-sqlite3, WAL).
// better-sqlite3 is synchronous; every transaction runs to completion before the event loop moves
// on, which is what makes "read state, plan, write" atomic without row locks.
import { createSoftwareSweep, type SweepStep } from './software-sweep.js';
import { createSectionStatements } from './sections.js';
import { materialisedRest } from '../../../shared/stored-sections.js';
import type Database from 'better-sqlite3';
import type { Os, Software } from '../../../shared/inventory.js';
import { cleanHints } from '../identity.js';
import type { EndpointTicket, TicketStatus } from '../../../shared/tickets.js';
import type {
  AttachmentFile,
  NewServerNote,
  StoredNote,
  TicketChangeJobs,
  TicketDetail,
  TicketFilter,
  TicketSummary,
} from '../ticket-records.js';
import type {
  AppliedBatch,
  BatchOutcome,
  DeviceCredential,
  DeviceDetail,
  DeviceQuery,
  DeviceRuntime,
  DeviceSummary,
  EnrolmentTokenRecord,
  FollowBatch,
  FollowSweep,
  EnrolRequest,
  EnrolResult,
  HelloRecord,
  DeviceHello,
  HelloOutcome,
  DeviceMark,
  IdentityEvent,
  IngestState,
  MergeResult,
  FleetSoftware,
  FleetSoftwareQuery,
  ProhibitedRecord,
  ProhibitedTest,
  ResultPage,
  SoftwareDetail,
  Store,
  StoredChange,
  StoredEnrolmentToken,
} from '../store.js';
import { createSoftwareRows } from './software-rows.js';
import { createIdentityGc, type IdentityGcStep } from './identity-gc.js';
import { createApplyBatch, SOFTWARE_COLUMNS, sortedSoftware, toSoftware, type ApplyBatch, type SoftwareRow } from './batch.js';
import { SqliteAdminStore } from './admin-store.js';
import { SqliteDeskStore } from './desk-store.js';
import { createDeviceList, type ListDevicePage } from './device-list.js';
import { createEnrol } from './enrol.js';
import { createIdentityEvents, type IdentityEvents } from './identity-events.js';
import { createMerge, type MergeDevices } from './merge.js';
import { EnrolmentTokens } from './enrolment-tokens.js';
import { FleetSoftwareQueries } from './fleet-software.js';
import { openDatabase } from './open.js';
import { ProhibitedPatterns } from './prohibited.js';
import { toChange, toSummary, type ChangeRow, type DeviceRow } from './rows.js';
import { SqliteTicketStore } from './tickets.js';
import { SqliteDeviceWork } from './device-work.js';
import { SqliteSoftwareRequestStore } from './software-requests.js';
import { SqliteTemplateStore } from './templates.js';
import { SqliteDeployStore } from './deployments.js';
import type { StoreJob } from '../store-job.js';

/** A device's columns with its live software count, kept on the snapshot row with its generation (batch.ts). */
const DEVICE_COLUMNS = `d.*, coalesce((SELECT s.software_count FROM snapshots s WHERE s.device_id = d.id), 0) AS software_count`;

export class SqliteStore implements Store {
  private readonly enrolTx: (request: EnrolRequest) => EnrolResult;
  private readonly mergeTx: MergeDevices;
  private readonly identityEvents: IdentityEvents;
  private readonly batchTx: ApplyBatch;
  private readonly sweepTx: SweepStep;
  private readonly identityGc: IdentityGcStep;
  private readonly sections: ReturnType<typeof createSectionStatements>;
  private readonly tickets: SqliteTicketStore;
  private readonly devicePage: ListDevicePage;
  private readonly fleet: FleetSoftwareQueries;
  private readonly tokens: EnrolmentTokens;
  private readonly prohibited: ProhibitedPatterns;
  readonly desk: SqliteDeskStore;
  readonly admins: SqliteAdminStore;
  readonly deviceWork: SqliteDeviceWork;
  readonly templates: SqliteTemplateStore;
  readonly softwareRequests: SqliteSoftwareRequestStore;
  readonly deploy: SqliteDeployStore;
  private closed = false;

  /** Also the main thread's read-only connection beside the store worker (worker/). */
  constructor(private readonly db: Database.Database) {
    this.enrolTx = createEnrol(db);
    this.mergeTx = createMerge(db);
    this.identityEvents = createIdentityEvents(db);
    this.sections = createSectionStatements(db);
    this.desk = new SqliteDeskStore(db);
    this.sweepTx = createSoftwareSweep(db, (job, at) => this.desk.enqueueSync(job, at));
    const softwareRows = createSoftwareRows(db);
    this.batchTx = createApplyBatch(db, (job, at) => this.desk.enqueueSync(job, at), softwareRows);
    this.identityGc = createIdentityGc(db, () => softwareRows.forget());
    this.admins = new SqliteAdminStore(db);
    this.tickets = new SqliteTicketStore(db, this.desk);
    this.deviceWork = new SqliteDeviceWork(db, this.desk);
    this.devicePage = createDeviceList(db);
    this.deploy = new SqliteDeployStore(db, this.devicePage);
    this.fleet = new FleetSoftwareQueries(db);
    this.tokens = new EnrolmentTokens(db);
    this.prohibited = new ProhibitedPatterns(db);
    this.templates = new SqliteTemplateStore(db);
    this.softwareRequests = new SqliteSoftwareRequestStore(db);
  }

  static open(dataDir: string): SqliteStore {
    return new SqliteStore(openDatabase(dataDir));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  async adminTokenHash(): Promise<Buffer | null> {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'admin_token_sha256'").get() as { value: string } | undefined;
    return row ? Buffer.from(row.value, 'hex') : null;
  }

  async setAdminTokenHash(hash: Buffer): Promise<void> {
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES ('admin_token_sha256', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(hash.toString('hex'));
  }

  async addEnrolmentToken(token: EnrolmentTokenRecord): Promise<void> {
    this.tokens.add(token);
  }
  async listEnrolmentTokens(limit: number): Promise<StoredEnrolmentToken[]> {
    return this.tokens.list(limit);
  }
  async getEnrolmentToken(id: string): Promise<StoredEnrolmentToken | null> {
    return this.tokens.get(id);
  }
  async revokeEnrolmentToken(id: string): Promise<StoredEnrolmentToken | null> {
    return this.tokens.revoke(id);
  }

  async enrol(request: EnrolRequest): Promise<EnrolResult> {
    return this.enrolTx(request);
  }

  async deviceCredential(deviceId: string): Promise<DeviceCredential | null> {
    const row = this.db
      .prepare(
        `SELECT id, secret_hash FROM devices WHERE id = @deviceId
         UNION ALL SELECT d.id, d.secret_hash FROM device_aliases a JOIN devices d ON d.id = a.device_id WHERE a.alias = @deviceId LIMIT 1`,
      )
      .get({ deviceId }) as { id: string; secret_hash: Buffer } | undefined;
    return row ? { deviceId: row.id, secretHash: row.secret_hash } : null;
  }

  async mergeDevice(id: string, into: string, at: number, isLive: (deviceId: string) => boolean): Promise<MergeResult> {
    return this.mergeTx(id, into, at, isLive);
  }

  async listIdentityEvents(deviceId: string, limit: number): Promise<IdentityEvent[] | null> {
    if (!this.exists(deviceId)) return null;
    return this.identityEvents.list(deviceId, limit);
  }

  async recordHello(deviceId: string, hello: HelloRecord): Promise<DeviceRuntime | null> {
    return this.helloTx(deviceId, hello);
  }

  async recordHellos(hellos: readonly DeviceHello[]): Promise<HelloOutcome[]> {
    // One commit for all (a commit was most of a hello's cost in the store worker); each hello is a
    // savepoint inside it (a nested transaction), so one that throws is undone alone.
    this.hellosTx ??= this.db.transaction(this.hellosWrite);
    return this.hellosTx(hellos);
  }

  /** A hello's write as one transaction (a savepoint inside recordHellos'), made once: making one costs more than a hello. */
  private helloWrite: ((deviceId: string, hello: HelloRecord) => DeviceRuntime | null) | null = null;
  private readonly hellosWrite = (hellos: readonly DeviceHello[]): HelloOutcome[] =>
    hellos.map(({ deviceId, hello }): HelloOutcome => {
      try {
        return { runtime: this.helloTx(deviceId, hello) };
      } catch (err) {
        return { error: err instanceof Error ? err.message : String(err) };
      }
    });
  private hellosTx: ((hellos: readonly DeviceHello[]) => HelloOutcome[]) | null = null;

  private helloTx(deviceId: string, hello: HelloRecord): DeviceRuntime | null {
    this.helloWrite ??= this.db.transaction((id: string, record: HelloRecord) => this.writeHello(id, record));
    return this.helloWrite(deviceId, hello);
  }

  private writeHello(deviceId: string, hello: HelloRecord): DeviceRuntime | null {
    // Only what the agent may legitimately change between connections: its name, version, adapters.
    const hints = cleanHints(hello.hints);
    const row = this.db
      .prepare<[string], { last_seq: number; needs_full: number }>('SELECT last_seq, needs_full FROM devices WHERE id = ?')
      .get(deviceId);
    if (!row) return null;
    this.db
      .prepare(
        'UPDATE devices SET hostname = ?, macs = ?, serial = COALESCE(?, serial), uuid = COALESCE(?, uuid), agent_version = ?, last_seen = ? WHERE id = ?',
      )
      .run(hints.hostname, JSON.stringify(hints.macs), hints.serial, hints.uuid, hello.agentVersion, hello.at, deviceId);
    this.db.prepare('DELETE FROM device_macs WHERE device_id = ?').run(deviceId);
    const addMac = this.db.prepare('INSERT OR IGNORE INTO device_macs (mac, device_id) VALUES (?, ?)');
    for (const mac of hints.matchableMacs) addMac.run(mac, deviceId);
    return { lastSeq: row.last_seq, needsFull: row.needs_full === 1 };
  }

  async touch(deviceId: string, at: number): Promise<void> {
    if (this.closed) return;
    this.db.prepare('UPDATE devices SET last_seen = MAX(last_seen, ?) WHERE id = ?').run(at, deviceId);
  }

  async setOnline(deviceId: string, online: boolean): Promise<void> {
    if (this.closed) return;
    this.db.prepare('UPDATE devices SET online = ? WHERE id = ?').run(online ? 1 : 0, deviceId);
  }

  async markDevices(marks: readonly DeviceMark[]): Promise<void> {
    if (this.closed || marks.length === 0) return;
    const mark = this.db.prepare<[number | null, number | null, string]>(
      'UPDATE devices SET online = COALESCE(?, online), last_seen = MAX(last_seen, COALESCE(?, last_seen)) WHERE id = ?',
    );
    this.db.transaction(() => {
      for (const m of marks) mark.run(m.online === undefined ? null : m.online ? 1 : 0, m.seenAt ?? null, m.deviceId);
    })();
  }

  async clearOnline(): Promise<void> {
    this.db.prepare('UPDATE devices SET online = 0 WHERE online = 1').run();
  }

  async sweepSoftware(limit: number, at: number, follow?: FollowSweep): Promise<number> {
    const { handled, enqueued } = this.sweepTx(limit, at, follow);
    // The jobs committed with the step; only now may the sync engine see them.
    if (enqueued > 0) this.desk.notify();
    // Generations first; then, with none left, the package identities no row names (identity-gc.ts).
    return handled || this.identityGc(limit, at);
  }

  async applyBatch<T extends BatchOutcome>(
    deviceId: string,
    at: number,
    plan: (state: IngestState) => T,
    follow?: FollowBatch<T>,
  ): Promise<AppliedBatch<T> | null> {
    const applied = this.batchTx(deviceId, at, plan, follow);
    if (!applied) return null;
    // The jobs committed with the batch; only now may the sync engine see them.
    if (applied.enqueued > 0) this.desk.notify();
    return { plan: applied.plan, tickets: applied.tickets };
  }

  runJob<A extends unknown[], R>(job: StoreJob<A, R>, ...args: A): Promise<R> {
    return job.run(this, ...args);
  }

  async devicePlatforms(deviceIds: readonly string[]): Promise<Map<string, Os['platform']>> {
    const rows = this.db
      .prepare<[string], { id: string; platform: Os['platform'] | null }>(
        "SELECT id, json_extract(os, '$.platform') AS platform FROM devices WHERE id IN (SELECT value FROM json_each(?))",
      )
      .all(JSON.stringify(deviceIds));
    return new Map(rows.flatMap((r) => (r.platform ? [[r.id, r.platform] as const] : [])));
  }

  async deviceExists(deviceId: string): Promise<boolean> {
    return this.exists(deviceId);
  }

  async listDevices(query: DeviceQuery): Promise<ResultPage<DeviceSummary>> {
    return this.devicePage(query);
  }

  async getDevice(deviceId: string): Promise<DeviceDetail | null> {
    const row = this.db.prepare(`SELECT ${DEVICE_COLUMNS} FROM devices d WHERE d.id = ?`).get(deviceId) as DeviceRow | undefined;
    if (!row) return null;
    const snap = this.db.prepare('SELECT software_gen FROM snapshots WHERE device_id = ?').get(deviceId) as
      { software_gen: number } | undefined;
    // Every section but software is rows of the live generation (sections.ts); software has its own table.
    const software = () =>
      sortedSoftware(this.db.prepare(`SELECT ${SOFTWARE_COLUMNS} FROM software WHERE device_id = ?`).all(deviceId) as SoftwareRow[]);
    return {
      ...toSummary(row),
      digest: row.digest,
      needsFull: row.needs_full === 1,
      snapshot: snap ? { ...materialisedRest(this.sections.rest(deviceId, snap.software_gen)), software: software() } : null,
    };
  }

  async listSoftware(deviceId: string, query?: string): Promise<Software[] | null> {
    if (!this.exists(deviceId)) return null;
    const pattern = query ? `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const rows = this.db
      .prepare(
        `SELECT name, version, publisher, arch, source, scope, user_name, install_date FROM software
         WHERE device_id = @deviceId AND (@pattern IS NULL OR name LIKE @pattern ESCAPE '\\' OR publisher LIKE @pattern ESCAPE '\\')
         ORDER BY name COLLATE NOCASE, source, item_key`,
      )
      .all({ deviceId, pattern }) as SoftwareRow[];
    return rows.map(toSoftware);
  }

  async listChanges(deviceId: string, page: { limit: number; before?: number }): Promise<StoredChange[] | null> {
    if (!this.exists(deviceId)) return null;
    const rows = this.db
      .prepare('SELECT * FROM changes WHERE device_id = ? AND id < ? ORDER BY id DESC LIMIT ?')
      .all(deviceId, page.before ?? Number.MAX_SAFE_INTEGER, page.limit) as ChangeRow[];
    return rows.map(toChange);
  }

  // Software across the fleet and the console's prohibited list: see fleet-software.ts, prohibited.ts.
  async listFleetSoftware(query: FleetSoftwareQuery): Promise<ResultPage<FleetSoftware>> {
    return this.fleet.list(query);
  }
  async softwareDetail(name: string, page: { limit: number; offset: number }): Promise<SoftwareDetail | null> {
    return this.fleet.detail(name, page);
  }
  async prohibitedDeviceCounts(tests: readonly ProhibitedTest[], any?: ProhibitedTest): Promise<number[]> {
    return this.fleet.deviceCounts(tests, any);
  }
  async listProhibited(): Promise<ProhibitedRecord[]> {
    return this.prohibited.list();
  }
  async addProhibited(pattern: string, at: number): Promise<boolean> {
    return this.prohibited.add(pattern, at);
  }
  async removeProhibited(pattern: string): Promise<boolean> {
    return this.prohibited.remove(pattern);
  }

  // Tickets: see tickets.ts.
  endpointTickets(deviceId: string, opts: { refs?: readonly string[]; limit: number }): Promise<EndpointTicket[]> {
    return this.tickets.endpointTickets(deviceId, opts);
  }
  worklogRecorded(deviceId: string, ref: string): Promise<boolean> {
    return this.tickets.worklogRecorded(deviceId, ref);
  }
  listTickets(filter: TicketFilter): Promise<TicketSummary[]> {
    return this.tickets.listTickets(filter);
  }
  getTicket(id: number): Promise<TicketDetail | null> {
    return this.tickets.getTicket(id);
  }
  getAttachment(ticketId: number, attachmentId: number): Promise<AttachmentFile | null> {
    return this.tickets.getAttachment(ticketId, attachmentId);
  }
  setTicketStatus(
    id: number,
    status: TicketStatus,
    at: number,
    jobs?: TicketChangeJobs | null,
  ): Promise<{ ticket: TicketDetail; changed: boolean } | null> {
    return this.tickets.setTicketStatus(id, status, at, jobs);
  }
  addTicketNote(
    id: number,
    note: NewServerNote,
    jobs?: TicketChangeJobs | null,
  ): Promise<{ ticket: TicketDetail; note: StoredNote } | null> {
    return this.tickets.addTicketNote(id, note, jobs);
  }

  private exists(deviceId: string): boolean {
    return this.db.prepare('SELECT 1 FROM devices WHERE id = ?').get(deviceId) !== undefined;
  }
}
