// The store on PostgreSQL (pg, a pool): for fleets beyond one embedded file and for several server
// processes on one database. Same contract and same meaning as SqliteStore; where SQLite relies on
// its single writer, this one uses transactions on one pooled connection (tx.ts) and row locks.
import type pg from 'pg';
import type { Os, Software } from '../../../shared/inventory.js';
import type { AdminStore } from '../admin-records.js';
import type { DeviceWorkStore } from '../device-work-records.js';
import type { TicketStore } from '../ticket-records.js';
import type * as S from '../store.js';
import type { StoreJob } from '../store-job.js';
import { createPgAdminStore } from './admin-store.js';
import { applyPgBatch } from './batch.js';
import { createPgDeskStore, type PgDeskStore } from './desk-store.js';
import { listPgDevices } from './device-list.js';
import { PgDeployStore } from './deployments.js';
import { createPgDeviceWork } from './device-work.js';
import { PgDevices } from './devices.js';
import { enrolPg } from './enrol.js';
import { PgFleetSoftware } from './fleet-software.js';
import { collectPgIdentities } from './identity-gc.js';
import { mergePgDevices } from './merge.js';
import { createPool, openPool } from './open.js';

import { PgTokens } from './enrolment-tokens.js';
import { sweepPgSoftware } from './software-sweep.js';
import { PgSoftwareRequestStore } from './software-requests.js';
import { PgTemplateStore } from './templates.js';
import { createPgTicketStore } from './tickets.js';
import { inTransaction } from './tx.js';

/** Connections for making package identities outside batches' transactions (few: each statement is short). */
const IDENTITY_CONNECTIONS = 2;

export class PostgresStore implements S.Store {
  readonly desk: PgDeskStore;
  readonly admins: AdminStore;
  readonly deviceWork: DeviceWorkStore;
  readonly templates: PgTemplateStore;
  readonly softwareRequests: PgSoftwareRequestStore;
  readonly deploy: PgDeployStore;
  private readonly tickets: TicketStore;
  private readonly devices: PgDevices;
  private readonly tokens: PgTokens;
  private readonly fleet: PgFleetSoftware;
  private closed = false;

  /**
   * `identities`: a small pool of its own on which batches make new package identities, committed at
   * once (staging.ts insertSoftwareRows); without it they are made in the batch's transaction.
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly identities?: pg.Pool,
  ) {
    this.desk = createPgDeskStore(pool);
    this.admins = createPgAdminStore(pool);
    this.deviceWork = createPgDeviceWork(pool, this.desk);
    this.tickets = createPgTicketStore(pool, this.desk);
    this.devices = new PgDevices(pool);
    this.tokens = new PgTokens(pool);
    this.fleet = new PgFleetSoftware(pool);
    this.templates = new PgTemplateStore(pool);
    this.softwareRequests = new PgSoftwareRequestStore(pool);
    this.deploy = new PgDeployStore(pool, (query) => listPgDevices(pool, query));
  }

  /** Connects to `url` (postgres://...) and brings its schema up to date. */
  static async open(url: string): Promise<PostgresStore> {
    return new PostgresStore(await openPool(url), createPool(url, IDENTITY_CONNECTIONS));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.desk.close();
    await this.pool.end();
    await this.identities?.end();
  }

  adminTokenHash(): Promise<Buffer | null> {
    return this.tokens.adminTokenHash();
  }
  setAdminTokenHash(hash: Buffer): Promise<void> {
    return this.tokens.setAdminTokenHash(hash);
  }
  addEnrolmentToken(token: S.EnrolmentTokenRecord): Promise<void> {
    return this.tokens.add(token);
  }
  listEnrolmentTokens(limit: number): Promise<S.StoredEnrolmentToken[]> {
    return this.tokens.list(limit);
  }
  getEnrolmentToken(id: string): Promise<S.StoredEnrolmentToken | null> {
    return this.tokens.get(id);
  }
  revokeEnrolmentToken(id: string): Promise<S.StoredEnrolmentToken | null> {
    return this.tokens.revoke(id);
  }

  enrol(request: S.EnrolRequest): Promise<S.EnrolResult> {
    return inTransaction(this.pool, (client) => enrolPg(client, request));
  }
  deviceCredential(deviceId: string): Promise<S.DeviceCredential | null> {
    return this.devices.credential(deviceId);
  }
  mergeDevice(id: string, into: string, at: number, isLive: (deviceId: string) => boolean): Promise<S.MergeResult> {
    return inTransaction(this.pool, (client) => mergePgDevices(client, id, into, at, isLive));
  }
  listIdentityEvents(deviceId: string, limit: number): Promise<S.IdentityEvent[] | null> {
    return this.devices.identityEvents(deviceId, limit);
  }
  recordHello(deviceId: string, hello: S.HelloRecord): Promise<S.DeviceRuntime | null> {
    return this.devices.recordHello(deviceId, hello);
  }
  async touch(deviceId: string, at: number): Promise<void> {
    if (!this.closed) await this.devices.touch(deviceId, at);
  }
  async setOnline(deviceId: string, online: boolean): Promise<void> {
    if (!this.closed) await this.devices.setOnline(deviceId, online);
  }
  async markDevices(marks: readonly S.DeviceMark[]): Promise<void> {
    if (!this.closed) await this.devices.markDevices(marks);
  }
  clearOnline(): Promise<void> {
    return this.devices.clearOnline();
  }

  async applyBatch<T extends S.BatchOutcome>(
    deviceId: string,
    at: number,
    plan: (state: S.IngestState) => T,
    follow?: S.FollowBatch<T>,
  ): Promise<S.AppliedBatch<T> | null> {
    const applied = await inTransaction(this.pool, (client) =>
      applyPgBatch(client, this.desk, deviceId, at, plan, follow, this.identities),
    );
    if (!applied) return null;
    // The jobs committed with the batch; only now may the sync engine see them.
    if (applied.enqueued > 0) this.desk.notify();
    return { plan: applied.plan, tickets: applied.tickets };
  }
  runJob<A extends unknown[], R>(job: StoreJob<A, R>, ...args: A): Promise<R> {
    return job.run(this, ...args);
  }
  async sweepSoftware(limit: number, at: number, follow?: S.FollowSweep): Promise<number> {
    const { handled, enqueued } = await inTransaction(this.pool, (client) => sweepPgSoftware(client, this.desk, limit, at, follow));
    // The jobs committed with the step; only now may the sync engine (here and elsewhere) see them.
    if (enqueued > 0) this.desk.notify();
    // Generations first; then, with none left, the package identities no row names (identity-gc.ts).
    return handled || inTransaction(this.pool, (client) => collectPgIdentities(client, limit, at));
  }

  deviceExists(deviceId: string): Promise<boolean> {
    return this.devices.exists(deviceId);
  }
  listDevices(query: S.DeviceQuery): Promise<S.ResultPage<S.DeviceSummary>> {
    return listPgDevices(this.pool, query);
  }
  async devicePlatforms(deviceIds: readonly string[]): Promise<Map<string, Os['platform']>> {
    const r = await this.pool.query<{ id: string; platform: Os['platform'] | null }>(
      "SELECT id, os::jsonb->>'platform' AS platform FROM devices WHERE id = ANY($1::text[])",
      [deviceIds],
    );
    return new Map(r.rows.flatMap((row) => (row.platform ? [[row.id, row.platform] as const] : [])));
  }
  getDevice(deviceId: string): Promise<S.DeviceDetail | null> {
    return this.devices.detail(deviceId);
  }
  listSoftware(deviceId: string, query?: string): Promise<Software[] | null> {
    return this.devices.software(deviceId, query);
  }
  listChanges(deviceId: string, page: { limit: number; before?: number }): Promise<S.StoredChange[] | null> {
    return this.devices.changes(deviceId, page);
  }

  listFleetSoftware(query: S.FleetSoftwareQuery): Promise<S.ResultPage<S.FleetSoftware>> {
    return this.fleet.list(query);
  }
  softwareDetail(name: string, page: { limit: number; offset: number }): Promise<S.SoftwareDetail | null> {
    return this.fleet.detail(name, page);
  }
  prohibitedDeviceCounts(tests: readonly S.ProhibitedTest[], any?: S.ProhibitedTest): Promise<number[]> {
    return this.fleet.deviceCounts(tests, any);
  }
  listProhibited(): Promise<S.ProhibitedRecord[]> {
    return this.fleet.listProhibited();
  }
  addProhibited(pattern: string, at: number): Promise<boolean> {
    return this.fleet.addProhibited(pattern, at);
  }
  removeProhibited(pattern: string): Promise<boolean> {
    return this.fleet.removeProhibited(pattern);
  }

  // Tickets: tickets.ts.
  endpointTickets(...args: Parameters<TicketStore['endpointTickets']>): ReturnType<TicketStore['endpointTickets']> {
    return this.tickets.endpointTickets(...args);
  }
  worklogRecorded(...args: Parameters<TicketStore['worklogRecorded']>): ReturnType<TicketStore['worklogRecorded']> {
    return this.tickets.worklogRecorded(...args);
  }
  listTickets(...args: Parameters<TicketStore['listTickets']>): ReturnType<TicketStore['listTickets']> {
    return this.tickets.listTickets(...args);
  }
  getTicket(...args: Parameters<TicketStore['getTicket']>): ReturnType<TicketStore['getTicket']> {
    return this.tickets.getTicket(...args);
  }
  getAttachment(...args: Parameters<TicketStore['getAttachment']>): ReturnType<TicketStore['getAttachment']> {
    return this.tickets.getAttachment(...args);
  }
  setTicketStatus(...args: Parameters<TicketStore['setTicketStatus']>): ReturnType<TicketStore['setTicketStatus']> {
    return this.tickets.setTicketStatus(...args);
  }
  addTicketNote(...args: Parameters<TicketStore['addTicketNote']>): ReturnType<TicketStore['addTicketNote']> {
    return this.tickets.addTicketNote(...args);
  }
}
