// The agent: triggers decide when to look, the scanner collects, the outbox keeps the change, the
// link delivers it, the local API answers the tray and the CLI, tickets and worklogs ride the outbox
// too. This file only wires them.
import { mkdir } from 'node:fs/promises';
import type { Snapshot } from '../shared/inventory.js';
import type { Logger } from '../shared/log.js';
import { DEFAULT_SETTINGS, type ServerMessageMap, type Settings } from '../shared/protocol.js';
import type { Host } from './host/host.js';
import { identityHints, identitySource, type IdentitySource } from './collect/identity.js';
import { Link } from './link/link.js';
import { FileCredentialStore } from './link/credentials.js';
import { Callers, type LoggedOn } from './local-api/callers.js';
import { localHandlers } from './local-api/handlers.js';
import { LocalApiServer } from './local-api/server.js';
import { createTokenFiles, type TokenFiles } from './local-api/token-files.js';
import { Outbox } from './outbox/outbox.js';
import { effectiveSettings } from './schedule.js';
import { localApiPath } from './paths.js';
import { ScanQueue, type ScanOutcome } from './scan-queue.js';
import { TicketDesk } from './tickets/ticket-desk.js';
import { Worklogs } from './tickets/worklogs.js';
import { SoftwareRequests } from './tickets/software-requests.js';
import { TemplateCache } from './tickets/template-cache.js';
import { CachedList } from './cached-list.js';
import { SELF_SERVICE_LIMITS, SelfServicePackageSchema, type SelfServicePackage } from '../shared/self-service.js';
import { Triggers, type EventSource } from './triggers/index.js';
import type { ScanRequest } from './triggers/types.js';
import { join } from 'node:path';
import { asDiskFull, isDiskFull } from './outbox/disk-full.js';
import { DeployRunner } from './deploy/runner.js';
import { downloadPackage } from './deploy/download.js';
import { detects } from './deploy/detect.js';

/** A scan that failed on a full disk is tried again this long after. */
export const DISK_FULL_RETRY_MS = 10_000;

/** Collects a snapshot of the given scope, merged over the previous one. */
export interface InventoryScanner {
  scan(scope: ScanRequest['scope'], previous: Snapshot | undefined): Promise<Snapshot>;
  /** Package-database files whose change means software changed. */
  watchPaths(): Promise<string[]>;
}

export interface AgentOptions {
  stateDir: string;
  serverUrl: string;
  enrolmentToken?: string;
  /** PEM CA pinned for wss://. */
  ca?: string;
  version: string;
  log: Logger;
  host: Host;
  scanner: InventoryScanner;
  /** The OS install's id, hashed; resolved once at start. */
  installId: () => Promise<string>;
  /**
   * Schedule settings set on this machine (flag, env, config file). Each one given wins over the
   * fleet's from the server; the rest follow the fleet, or the defaults until the server answers.
   */
  settings?: Partial<Settings>;
  /** The account administrators (readers of admin-token) act as. Default 'root'. */
  adminAccount?: string;
  /** Where callers' token files are written; default the real files under stateDir. */
  tokenFiles?: TokenFiles;
  now?: () => Date;
  /** OS event watchers (installs, logons) beyond the file watches; create.ts gives the platform's. */
  eventSources?: readonly EventSource[];
  /** [0, 1), for the link's reconnect jitter. */
  random?: () => number;
}

export class Agent {
  private readonly outbox: Outbox;
  private readonly link: Link;
  private readonly localApi: LocalApiServer;
  private readonly callers: Callers;
  private readonly tickets: TicketDesk;
  private readonly worklogs: Worklogs;
  private readonly templates: TemplateCache;
  private readonly catalog: CachedList<SelfServicePackage>;
  private readonly queue: ScanQueue;
  private readonly deploy: DeployRunner;
  private triggers: Triggers | undefined;
  private installId: string | undefined;
  /** What identity hints need from the first snapshot; not the snapshot itself, whose software
   * list would keep the collectors' raw outputs (e.g. the whole dpkg status file) alive. */
  private firstSnapshot: Promise<IdentitySource>;
  private resolveFirstSnapshot!: (s: IdentitySource) => void;
  private settings: Settings;
  private diskFullRetry: NodeJS.Timeout | undefined;

  constructor(private readonly opts: AgentOptions) {
    const log = opts.log;
    this.settings = effectiveSettings(DEFAULT_SETTINGS, opts.settings);
    this.outbox = new Outbox({ path: join(opts.stateDir, 'outbox.db'), log: log.child({ part: 'outbox' }) });
    this.queue = new ScanQueue((req) => this.runScan(req));
    this.firstSnapshot = new Promise((resolve) => (this.resolveFirstSnapshot = resolve));
    const credentials = new FileCredentialStore(join(opts.stateDir, 'credentials.json'));
    this.deploy = new DeployRunner({
      outbox: this.outbox,
      host: opts.host,
      dir: join(opts.stateDir, 'deploy'),
      log: log.child({ part: 'deploy' }),
      deviceId: () => this.link.deviceId,
      download: (file, dest) =>
        downloadPackage(
          { serverUrl: opts.serverUrl, ...(opts.ca ? { ca: opts.ca } : {}), credentials: () => credentials.load() },
          file,
          dest,
        ),
      // The inventory as a software scan finds it now (recorded like any scan, so IT sees it too).
      detect: async (detection) => {
        await this.scan({ trigger: 'software-change', scope: 'software' });
        return detects(this.outbox.baseline()?.snapshot.software ?? [], detection);
      },
      notify: () => this.link.notify(),
      installed: () => void this.scan({ trigger: 'software-change', scope: 'software' }).catch(() => undefined),
      ...(opts.now ? { now: opts.now } : {}),
    });
    this.link = new Link({
      serverUrl: opts.serverUrl,
      credentials,
      ...(opts.enrolmentToken ? { enrolmentToken: opts.enrolmentToken } : {}),
      ...(opts.ca ? { ca: opts.ca } : {}),
      outbox: this.outbox,
      hints: async () => identityHints(await this.firstSnapshot, this.installId ?? 'unknown-install'),
      agentVersion: opts.version,
      log: log.child({ part: 'link' }),
      onCommand: (cmd) => this.onCommand(cmd),
      ...(opts.random ? { random: opts.random } : {}),
      onTickets: (msg) => this.tickets.applyServer(msg),
      onWorklogResult: (msg) => this.worklogs.applyResult(msg),
      onTemplates: (msg) => this.templates.apply(msg),
      onSelfService: (msg) => {
        this.catalog.replace(msg.packages);
        log.info({ packages: msg.packages.length }, 'self-service catalog updated');
      },
      onItemRefused: (seq, error) => this.tickets.refusedByServer(seq, error),
      onDeploy: (msg) => this.deploy.accept(msg),
      onDeployKey: (key, atEnrolment) => this.deploy.pinKey(key, atEnrolment),
    });
    // After the caller has its answer: sending a ticket's files is work the caller need not wait for.
    const notify = () => void setImmediate(() => this.link.notify());
    const now = opts.now;
    this.catalog = new CachedList({
      path: join(opts.stateDir, 'self-service.json'),
      item: SelfServicePackageSchema,
      max: SELF_SERVICE_LIMITS.packages,
      log: log.child({ part: 'self-service' }),
    });
    this.templates = new TemplateCache({ path: join(opts.stateDir, 'templates.json'), log: log.child({ part: 'templates' }) });
    this.tickets = new TicketDesk({
      templates: this.templates,
      outbox: this.outbox,
      device: () => ({
        snapshot: this.outbox.baseline()?.snapshot,
        deviceId: this.link.deviceId,
        hostname: opts.host.hostname(),
        platform: opts.host.platform,
      }),
      connected: () => this.link.connected,
      notify,
      log: log.child({ part: 'tickets' }),
      ...(now ? { now } : {}),
    });
    this.worklogs = new Worklogs({ outbox: this.outbox, notify, log: log.child({ part: 'worklogs' }), ...(now ? { now } : {}) });
    this.callers = new Callers({
      files: opts.tokenFiles ?? createTokenFiles({ stateDir: opts.stateDir, host: opts.host, log: log.child({ part: 'local-api' }) }),
      platform: opts.host.platform,
      adminAccount: opts.adminAccount ?? 'root',
      log: log.child({ part: 'local-api' }),
    });
    this.localApi = new LocalApiServer({
      path: localApiPath(opts.stateDir),
      log: log.child({ part: 'local-api' }),
      authenticate: (auth) => this.callers.authenticate(auth),
      // Re-read the logged-on users (debounced): a new user gets a token and can retry.
      onRefused: () => this.triggers?.notifyLogon(),
      handlers: localHandlers({
        status: () => this.status(),
        scanNow: async () => {
          const outcome = await this.scan({ trigger: 'manual', scope: 'full' });
          return { queued: true, changed: outcome.changed, pendingItems: this.outbox.pendingCount() };
        },
        tickets: this.tickets,
        worklogs: this.worklogs,
        templates: this.templates,
        catalog: this.catalog,
        softwareRequests: new SoftwareRequests({ tickets: this.tickets, catalog: this.catalog, templates: this.templates }),
      }),
    });
  }

  async start(): Promise<void> {
    await mkdir(this.opts.stateDir, { recursive: true, mode: 0o711 });
    this.outbox.start();
    this.templates.start();
    this.catalog.start();
    const baseline = this.outbox.baseline();
    if (baseline) this.resolveFirstSnapshot(identitySource(baseline.snapshot));
    this.installId = await this.opts.installId();
    // Tokens before the socket: a caller that reaches the API can already read a valid token.
    await this.callers.start(loggedOnAccounts(baseline?.snapshot));
    await this.localApi.start();
    this.link.start();
    this.triggers = new Triggers({
      settings: this.settings,
      watchPaths: await this.opts.scanner.watchPaths(),
      host: this.opts.host,
      log: this.opts.log.child({ part: 'triggers' }),
      ...(this.opts.eventSources ? { eventSources: this.opts.eventSources } : {}),
      onScan: async (req) => void (await this.scan(req)),
    });
    this.triggers.start();
    // After the triggers: settling an interrupted install scans the software.
    await this.deploy.start();
  }

  async stop(): Promise<void> {
    this.triggers?.stop();
    clearTimeout(this.diskFullRetry);
    await this.deploy.stop();
    await this.queue.idle();
    await this.localApi.stop();
    await this.callers.idle();
    await this.link.stop();
    this.outbox.stop();
  }

  /** Queues a scan; resolves when a scan covering it has recorded its change. */
  scan(req: ScanRequest): Promise<ScanOutcome> {
    return this.queue.request(req);
  }

  private async runScan(req: ScanRequest): Promise<ScanOutcome> {
    const previous = this.outbox.baseline()?.snapshot;
    const scope = previous ? req.scope : 'full';
    const started = Date.now();
    try {
      const snapshot = await this.opts.scanner.scan(scope, previous);
      const recorded = this.outbox.recordSnapshot(req.trigger, snapshot);
      this.resolveFirstSnapshot(identitySource(snapshot));
      this.opts.log.info(
        {
          trigger: req.trigger,
          scope,
          ms: Date.now() - started,
          recorded: recorded?.kind ?? 'no change',
          ...(req.detail ? { detail: req.detail } : {}),
        },
        'inventory scanned',
      );
      if (recorded) this.link.notify();
      // Users who logged on get their token before the scan that saw them is reported done.
      await this.callers.sync(loggedOnAccounts(snapshot)).catch(() => undefined);
      return { changed: recorded !== null };
    } catch (err) {
      this.opts.log.error(
        { trigger: req.trigger, err: (err as Error).message, ...(isDiskFull(err) ? { code: 'E_DISK_FULL' } : {}) },
        'inventory scan failed',
      );
      // The change is still on the machine but not in the outbox: try again once space may be back,
      // instead of waiting for the next trigger (which may be a day away).
      if (isDiskFull(err)) this.retryAfterDiskFull(req);
      throw asDiskFull(err);
    }
  }

  private retryAfterDiskFull(req: ScanRequest): void {
    if (this.diskFullRetry) return;
    this.diskFullRetry = setTimeout(() => {
      this.diskFullRetry = undefined;
      void this.scan(req).catch(() => undefined);
    }, DISK_FULL_RETRY_MS);
  }

  private onCommand(cmd: ServerMessageMap['command']): void {
    if (cmd.command === 'scan') void this.scan({ trigger: 'server', scope: 'full' }).catch(() => undefined);
    if (cmd.command === 'settings' && cmd.settings) {
      const next = effectiveSettings(cmd.settings, this.opts.settings);
      if (JSON.stringify(next) === JSON.stringify(this.settings)) return; // every welcome repeats them
      this.settings = next;
      this.triggers?.updateSettings(next);
    }
  }

  private status() {
    const last = this.outbox.lastRecorded();
    return {
      deviceId: this.link.deviceId ?? null,
      hostname: this.opts.host.hostname(),
      connected: this.link.connected,
      server: this.opts.serverUrl,
      lastInventoryAt: last?.at ?? null,
      lastTrigger: last?.trigger ?? null,
      pendingItems: this.outbox.pendingCount(),
      digest: this.outbox.baseline()?.digest ?? null,
      agentVersion: this.opts.version,
    };
  }
}

/** Every signed-in user (each session of one user counts once, in Callers); Windows keeps the domain for the token folder's ACL. */
function loggedOnAccounts(snapshot: Snapshot | undefined): LoggedOn[] {
  return snapshot?.users.map((u) => (u.domain ? { account: u.name, principal: `${u.domain}\\${u.name}` } : u.name)) ?? [];
}
