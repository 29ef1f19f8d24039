// The Outpost server: the HTTP API and the agents' WebSocket endpoint on one port, over one store.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { OutpostError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../shared/protocol.js';
import { buildApi } from './api/http.js';
import { createAdminAccount } from './auth/accounts.js';
import type { TechnicianDesk } from './auth/technicians.js';
import type { DeskConnector } from './desk/connector.js';
import { ApprovalPoller } from './deploy/approvals.js';
import { BatchJobRules } from './desk/sync/batch-jobs.js';
import { DeskSyncEngine, type EngineOptions } from './desk/sync/engine.js';
import { createConnector, type DeskSettings } from './desk/sync/settings.js';
import { AgentGateway, type AgentCommand } from './ingest/gateway.js';
import { PRE_AUTH_DEFAULTS, type PreAuthLimits } from './ingest/pre-auth.js';
import { LiveHub, type LiveMessage, type LivePublisher } from './live/hub.js';
import type { FleetBus } from './fleet/bus.js';
import { openFleetBus, type FleetTimings } from './fleet/open-bus.js';
import { SoftwareSweeper } from './ingest/software-sweeper.js';
import { deskRulesNow } from './ingest/batch-job.js';
import { ProhibitedList } from './desk/rules/prohibited-list.js';
import { DEFAULT_QUOTAS, QuotaSettingsSchema, TicketQuotas, type QuotaSettings } from './ingest/quotas.js';
import { hashSecret, newSecret } from './store/secrets.js';
import { describeStore, openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { issueEnrolmentToken, type EnrolmentTokenOptions } from './store/tokens.js';
import { OUTPOST_VERSION } from '../shared/version.js';
import { DEPLOY_LIMITS } from '../shared/deploy.js';
import { PackageFiles } from './deploy/package-files.js';
import { Deployer } from './deploy/deployer.js';
import { DeploySigner } from './deploy/signing.js';
import { DEPLOY_SIGNAL, listenAcrossProcesses } from './fleet/gateway-signals.js';
import type { Turns } from './ingest/turn-pacer.js';
import { rateFile } from './ingest/reconnect-rate-file.js';

/** The reconnect rate this process measured, kept in its data directory across restarts. */
const RECONNECT_RATE_FILE = 'reconnect-rate.json';

export const DEFAULT_LISTEN_BACKLOG = 4096;

export interface ServerOptions {
  host: string;
  port: number;
  dataDir: string;
  /** A postgres:// URL: the store is that PostgreSQL database instead of the SQLite file in dataDir. */
  store?: string;
  /** From OUTPOST_ADMIN_TOKEN: replaces the stored admin token. Otherwise one is generated once. */
  adminToken?: string;
  log: Logger;
  /** Ping interval; an agent that misses one ping is dropped. Default 30 s. */
  heartbeatMs?: number;
  /** Agents' frames held in memory past which their sockets are not read; default HELD_FRAME_BYTES (read-gate.ts). */
  heldFrameBytes?: number;
  settings?: Partial<Settings>;
  /** How long a new connection has to send enrol or hello. Default 5 s. */
  authTimeoutMs?: number;
  /**
   * The listen backlog (TCP accept queue). Node's default, 511, overflows in a reconnect storm and
   * handshakes then wait on SYN retransmits; default DEFAULT_LISTEN_BACKLOG (the OS caps it at
   * net.core.somaxconn).
   */
  listenBacklog?: number;
  /** Caps on unauthenticated agent connections, per address and in total (PRE_AUTH_DEFAULTS). */
  preAuth?: Partial<PreAuthLimits>;
  /** The service desk to sync with; without one the server is the desk of record. */
  desk?: DeskSettings;
  /** A connector to use instead of the one `desk` describes (tests). */
  deskConnector?: DeskConnector;
  /** What one device and one person at it may write into tickets; defaults in ingest/quotas.ts. */
  quotas?: Partial<QuotaSettings>;
  /** Clock, for tests. */
  now?: () => number;
  /** PEM certificate (chain) and key: the server speaks HTTPS and wss:// itself. */
  tls?: { cert: string; key: string };
  /** Heartbeat and lease of this process among several on one PostgreSQL (server/fleet/). */
  fleet?: FleetTimings;
  /** Paces the agents' upgrades and hello steps per turn of the loop (ingest/turn-pacer.ts); tests step one by hand. */
  connectionTurns?: Turns;
}

interface Running {
  store: Store;
  bus: FleetBus;
  gateway: AgentGateway;
  app: FastifyInstance;
  desk: DeskSyncEngine | null;
  /** Reads self-service approvals from the desk; runs beside the desk sync, in the same process. */
  approvals: ApprovalPoller | null;
  sweeper: SoftwareSweeper;
  /** Lets this process's batches queue desk jobs while another process runs the desk sync. */
  deskIntake: (() => void) | null;
}

export class OutpostServer {
  private readonly settings: Settings;
  private readonly quotas: QuotaSettings;
  private readonly now: () => number;
  private running: Running | null = null;
  private adminHash: Buffer | null = null;

  constructor(private readonly opts: ServerOptions) {
    this.settings = validSettings(opts.settings);
    this.quotas = validQuotas(opts.quotas);
    if (opts.adminToken !== undefined) checkAdminToken(opts.adminToken);
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<{ url: string; adminToken?: string }> {
    if (this.running) throw new Error('The server is already running.');
    const where = { dataDir: this.opts.dataDir, store: this.opts.store };
    const store = await openStore(where, { sqliteWorker: true });
    const bus = openFleetBus(where, store, this.opts.log.child({ part: 'fleet' }), this.now, this.opts.fleet);
    try {
      // Marks offline whatever was connected when this process's predecessor(s) ended.
      await bus.start();
      const adminToken = await this.initAdminToken(store);
      const running = await this.assemble(store, bus);
      await running.app.listen({ host: this.opts.host, port: this.opts.port, backlog: this.opts.listenBacklog ?? DEFAULT_LISTEN_BACKLOG });
      running.gateway.start();
      this.startFleetWideParts(running);
      this.running = running;
      const url = urlOf(this.opts.host, (running.app.server.address() as AddressInfo).port, this.opts.tls ? 'https' : 'http');
      this.opts.log.info({ url, store: describeStore({ dataDir: this.opts.dataDir, store: this.opts.store }) }, 'Outpost server listening');
      return adminToken === undefined ? { url } : { url, adminToken };
    } catch (err) {
      await bus.stop();
      await store.close();
      throw err;
    }
  }

  /** Closes agent connections (1001), waits for in-flight batches, stops listening, closes the store. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = null;
    await running.gateway.stop();
    // Stops the fleet-wide parts this process ran (the desk sync among them) and releases its devices.
    await running.bus.stop();
    await running.app.close();
    await running.store.close();
    this.opts.log.info({}, 'Outpost server stopped');
  }

  async createEnrolmentToken(opts?: EnrolmentTokenOptions): Promise<string> {
    return issueEnrolmentToken(this.requireRunning().store, opts, this.now());
  }

  /**
   * For `outpost start`: when no console admin exists yet, creates `username` with a generated
   * password and returns it (shown once); null when there already is an admin.
   */
  async createFirstAdmin(username: string): Promise<string | null> {
    const { admins } = this.requireRunning().store;
    if ((await admins.countAdmins()) > 0) return null;
    const password = newSecret();
    await createAdminAccount(admins, username, password, this.now());
    return password;
  }

  /** Sends a command to a connected agent; false when the device is not connected. */
  sendCommand(deviceId: string, command: AgentCommand): boolean {
    return this.running?.gateway.sendCommand(deviceId, command, command === 'settings' ? this.settings : undefined) ?? false;
  }

  /** The fleet-wide parts (desk sync, software sweeper) this process runs now; all of them when alone. */
  get fleetParts(): string[] {
    return this.running?.bus.runs ?? [];
  }

  isOnline(deviceId: string): boolean {
    return this.running?.gateway.isOnline(deviceId) ?? false;
  }

  private async assemble(store: Store, bus: FleetBus): Promise<Running> {
    const hub = new LiveHub(this.opts.log.child({ part: 'live' }));
    // Every process's events reach every process's console streams.
    const live: LivePublisher = {
      publish: (name, data) => {
        hub.publish(name, data);
        bus.broadcastLive({ name, data } as LiveMessage);
      },
    };
    bus.onLive((message) => hub.publish(message.name, message.data));
    bus.onOrphansReleased((ids) => {
      const at = new Date(this.now()).toISOString();
      for (const deviceId of ids) live.publish('presence', { deviceId, online: false, at });
    });
    const ticketEvent = (ticketId: number, deviceId: string | null) =>
      live.publish('ticket', { ticketId, deviceId, at: new Date(this.now()).toISOString() });
    const deskJobs = new BatchJobRules();
    const sweeper = new SoftwareSweeper(store, this.opts.log.child({ part: 'ingest' }), this.now, undefined, () => deskRulesNow(deskJobs));
    bus.onWake('sweep', () => sweeper.poke());
    const deployer: Deployer = new Deployer({
      store,
      signer: DeploySigner.open(this.opts.dataDir),
      log: this.opts.log.child({ part: 'deploy' }),
      now: this.now,
      deskJobs,
      // Connected to another process (several on PostgreSQL): that one sends the device its pending commands.
      send: (deviceId, message): boolean =>
        gateway.sendMessage(deviceId, message) || (void bus.toDevice({ deviceId, kind: DEPLOY_SIGNAL, args: [] }), false),
      // Every process's console streams see it (the live publisher fans out over the fleet bus).
      changed: (deviceId, deploymentId) => live.publish('deployment', { deploymentId, deviceId, at: new Date(this.now()).toISOString() }),
      ticketChanged: (deviceId, ref, ticketId) => {
        if (deviceId !== null) void gateway.pushTicketsAnywhere(deviceId, [ref]);
        ticketEvent(ticketId, deviceId);
      },
    });
    const gateway = new AgentGateway({
      deploy: deployer,
      store,
      hub: live,
      bus,
      softwareLeftBehind: () => bus.wake('sweep'),
      // Counted afresh each start: a restart lets at most one more window's worth through.
      ticketQuota: new TicketQuotas(this.quotas),
      deskJobs,
      log: this.opts.log.child({ part: 'ingest' }),
      settings: () => this.settings,
      heartbeatMs: this.opts.heartbeatMs ?? 30_000,
      rememberedRate: rateFile(join(this.opts.dataDir, RECONNECT_RATE_FILE)),
      ...(this.opts.heldFrameBytes ? { heldFrameBytes: this.opts.heldFrameBytes } : {}),
      authTimeoutMs: this.opts.authTimeoutMs ?? PRE_AUTH_DEFAULTS.timeoutMs,
      ...(this.opts.connectionTurns ? { turns: this.opts.connectionTurns } : {}),
      preAuth: { ...PRE_AUTH_DEFAULTS, ...this.opts.preAuth },
      now: this.now,
      // Made below; a worklog naming a desk number Outpost never saw is looked up in the desk first.
      deskTickets: async (ticketIds) => desk?.importNamedTickets(ticketIds),
    });
    listenAcrossProcesses(bus, gateway, deployer, this.opts.log);
    const prohibited = new ProhibitedList(store, () => this.opts.desk?.assetEvents.prohibited ?? []);
    await prohibited.refresh();
    const connector = this.deskConnector();
    const desk = this.deskEngine(store, connector, prohibited, deskJobs, (deviceId, ref, ticketId) => {
      void gateway.pushTicketsAnywhere(deviceId, [ref]);
      ticketEvent(ticketId, deviceId);
    });
    const approvals =
      connector && this.opts.desk
        ? new ApprovalPoller({
            store,
            deskJobs,
            connector: () => connector,
            dispatch: (deploymentId, deviceIds) => deployer.dispatch(deploymentId, deviceIds),
            ticketChanged: (deviceId, ref, ticketId) => {
              void gateway.pushTicketsAnywhere(deviceId, [ref]);
              ticketEvent(ticketId, deviceId);
            },
            log: this.opts.log.child({ part: 'approvals' }),
            now: this.now,
            intervalMs: this.opts.desk.approvalPollMinutes * 60_000,
          })
        : null;
    const app = await buildApi({
      store,
      log: this.opts.log.child({ part: 'api' }),
      ...(this.opts.tls ? { https: this.opts.tls } : {}),
      version: OUTPOST_VERSION,
      adminTokenHash: () => this.adminHash,
      requestScan: (id) => gateway.commandDevice(id, 'scan'),
      isOnline: (id) => gateway.isOnline(id),
      disconnect: (id) => void gateway.disconnectMerged(id),
      now: this.now,
      ticketChanged: (deviceId, ref) => {
        if (deviceId !== null) void gateway.pushTicketsAnywhere(deviceId, [ref]);
      },
      ticketEvent,
      // Every process sends the new lists to the agents it holds.
      templatesChanged: () => bus.wake('templates'),
      packagesChanged: () => bus.wake('self-service'),
      hub,
      deskJobs,
      deskStatus: async () => (desk ? desk.status() : null),
      requestCatalogSync: async () => (desk ? desk.requestCatalogSync() : null),
      requestPackagesSync: async () => (desk ? desk.requestPackagesSync() : null),
      runPreflight: async () => (desk ? desk.runPreflight() : null),
      prohibited,
      deskAssetTickets: connector?.assetTickets ? (assetId, limit) => connector.assetTickets!(assetId, limit) : null,
      deskQueues: async () => (connector ? ((await connector.listQueues?.()) ?? undefined) : null),
      technicians: connector ? technicianDesk(connector) : null,
      packageFiles: new PackageFiles(this.opts.dataDir, DEPLOY_LIMITS.maxPackageBytes),
      dispatchDeployment: (deploymentId, deviceIds) => deployer.dispatch(deploymentId, deviceIds),
    });
    app.server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
    const assetEvents = this.opts.desk?.assetEvents;
    const deskIntake = desk
      ? () => {
          deskJobs.setEnabled(true, assetEvents, () => prohibited.consolePatterns);
          store.desk.setEnabled(true);
        }
      : null;
    return { store, bus, gateway, app, desk, approvals, sweeper, deskIntake };
  }

  /**
   * The parts that act for the whole fleet run in one process of several (the bus picks it): the
   * desk sync (its polls, schedules, catalog) and the software sweeper. A desk job queued in any
   * process wakes the desk sync wherever it runs: the store tells it (PostgreSQL: the desk store's
   * own NOTIFY, listened to while the engine runs).
   */
  private startFleetWideParts({ bus, desk, approvals, sweeper, deskIntake }: Running): void {
    bus.singleton('sweeper', sweeper);
    if (!desk || !deskIntake) return;
    // Every process's batches queue desk jobs; only the one running the sync sends them.
    deskIntake();
    bus.singleton('desk', {
      start: () => {
        desk.start();
        approvals?.start();
      },
      // The engine turns the job rules off when it stops; this process still queues jobs.
      stop: async () => {
        await approvals?.stop();
        await desk.stop();
        deskIntake();
      },
    });
  }

  /** One connector for the sync engine and the console (queues, technicians' sign-in); null without a desk. */
  private deskConnector(): DeskConnector | null {
    const settings = this.opts.desk;
    if (!settings) return null;
    return this.opts.deskConnector ?? createConnector(settings, this.opts.log.child({ part: 'desk' }));
  }

  private deskEngine(
    store: Store,
    connector: DeskConnector | null,
    prohibited: ProhibitedList,
    jobs: BatchJobRules,
    ticketChanged: EngineOptions['ticketChanged'],
  ): DeskSyncEngine | null {
    const settings = this.opts.desk;
    if (!settings || !connector) return null;
    const log = this.opts.log.child({ part: 'desk' });
    return new DeskSyncEngine({
      desk: connector,
      store,
      log,
      pollMs: settings.pollSeconds * 1000,
      ...(settings.requesterDomain ? { requesterDomain: settings.requesterDomain } : {}),
      ...(settings.fallbackRequester ? { fallbackRequester: settings.fallbackRequester } : {}),
      deskUser: settings.user,
      assetEvents: settings.assetEvents,
      extraProhibited: () => prohibited.consolePatterns,
      jobs,
      mapping: settings.mapping,
      schedules: settings.schedules,
      ticketChanged,
      now: this.now,
    });
  }

  /** Returns the admin token only when it was generated now (the CLI prints it once). */
  private async initAdminToken(store: Store): Promise<string | undefined> {
    if (this.opts.adminToken !== undefined) {
      this.adminHash = hashSecret(this.opts.adminToken);
      await store.setAdminTokenHash(this.adminHash);
      return undefined;
    }
    this.adminHash = await store.adminTokenHash();
    if (this.adminHash) return undefined;
    const token = newSecret();
    this.adminHash = hashSecret(token);
    await store.setAdminTokenHash(this.adminHash);
    return token;
  }

  private requireRunning(): Running {
    if (!this.running) throw new Error('The server is not running.');
    return this.running;
  }
}

/** The connector's technician look-ups, bound, for the console's sign-in and user import. */
function technicianDesk(connector: DeskConnector): TechnicianDesk {
  return {
    ...(connector.verifyTechnician ? { verify: (u: string, p: string) => connector.verifyTechnician!(u, p) } : {}),
    ...(connector.findTechnician ? { find: (u: string) => connector.findTechnician!(u) } : {}),
  };
}

function validSettings(overrides: Partial<Settings> | undefined): Settings {
  const parsed = SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...overrides });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new OutpostError('E_CONFIG', `Setting ${issue?.path.join('.') ?? '?'} is not valid: ${issue?.message ?? 'invalid'}.`);
}

function validQuotas(overrides: Partial<QuotaSettings> | undefined): QuotaSettings {
  const parsed = QuotaSettingsSchema.safeParse({ ...DEFAULT_QUOTAS, ...overrides });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new OutpostError(
    'E_CONFIG',
    `"quotas.${issue?.path.join('.') ?? '?'}" in the config file is not valid: ${issue?.message ?? 'invalid'}.`,
  );
}

function checkAdminToken(token: string): void {
  if (!/^\S{16,512}$/.test(token)) {
    throw new OutpostError('E_CONFIG', 'OUTPOST_ADMIN_TOKEN must be 16 to 512 characters with no spaces.');
  }
}

function urlOf(host: string, port: number, scheme: 'http' | 'https'): string {
  const shown = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `${scheme}://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}
