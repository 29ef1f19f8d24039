// The sync engine: drains the desk job queue one job at a time (retries with backoff, an outage
// holds everything until the desk answers again) and polls the desk for status and notes.
import type { CatalogStatusJson, DeskPreflightJson, DeskSyncStatusJson } from '../../../shared/http-api.js';
import type { Logger } from '../../../shared/log.js';
import type { AssetEventRules } from '../rules/asset-events.js';
import type { DeskJob } from '../../store/desk-records.js';
import type { Store } from '../../store/store.js';
import { integrationLevel, type DeskConnector } from '../connector.js';
import { isDeskError } from '../errors.js';
import { BatchJobRules } from './batch-jobs.js';
import { lastCatalogRun } from './catalog.js';
import { CatalogSchedule } from './catalog-schedule.js';
import { importNamedTickets } from './desk-tickets.js';
import { NotYet, runJob } from './flows.js';
import { DEFAULT_BACKOFF, retryDelay, type Backoff } from './keys.js';
import { DEFAULT_MAPPING, effectiveCapabilities, importsFromDesk, type FieldMapping } from './mapping.js';
import { pollOnce, type Touched } from './poll.js';
import { DeskPreflight } from './preflight.js';
import { catalogIntervalMs, DEFAULT_SCHEDULES, nextSlot, slotMs, type Schedules } from './schedules.js';

/** The catalog job's key: one at a time; a request while one is queued or running makes one more run at most. */
const CATALOG_JOB_KEY = 'catalog';

export interface EngineOptions {
  desk: DeskConnector;
  store: Store;
  log: Logger;
  pollMs: number;
  requesterDomain?: string;
  /** The desk requester for accounts with no email or desk user; `deskUser` when absent (./requester.ts). */
  fallbackRequester?: string;
  /** The desk's API user (settings `user`). */
  deskUser?: string;
  /** Asset events that become desk tickets; none when absent. */
  assetEvents?: AssetEventRules;
  /** More prohibited-software patterns (the web console's), asked whenever rules are evaluated; a change must come as a new array. */
  extraProhibited?: () => readonly string[];
  /** The rules the ingest asks for each batch's desk jobs; enabled while the engine runs. A new set when absent (see `jobs`). */
  jobs?: BatchJobRules;
  /** Directions, value maps, starting status, notes, attachments, account lookup; today's behaviour when absent. */
  mapping?: FieldMapping;
  /** When each flow runs and the catalog's interval; everything at once and the catalog daily when absent. */
  schedules?: Schedules;
  /** A desk ticket's status, customer-facing note or number (once the desk has it) changed: push the ticket to its device. */
  ticketChanged: (deviceId: string, ref: string, ticketId: number) => void;
  now?: () => number;
  random?: () => number;
  backoff?: Backoff;
}

/** The engine's status (GET /api/desk/status): one type, declared with the API in shared/http-api.ts. */
export type DeskStatus = DeskSyncStatusJson;
export type CatalogStatus = CatalogStatusJson;

export class DeskSyncEngine {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly backoff: Backoff;
  private draining: Promise<void> | null = null;
  private polling: Promise<void> | null = null;
  /** Store calls started outside a drain or poll (the next wake-up, releasing held jobs): whenIdle waits for them too. */
  private readonly pending = new Set<Promise<void>>();
  private wake: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly catalog: CatalogSchedule | null;
  private readonly preflight: DeskPreflight;
  private readonly mapping: FieldMapping;
  private readonly schedules: Schedules;
  private started = false;
  private again = false;
  private healthy = true;
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private lastPollAt: number | null = null;
  /** What a batch enqueues for this desk: hand it to the ingest (gateway option `deskJobs`). */
  readonly jobs: BatchJobRules;
  private pollError: string | null = null; // an outage fails every poll and is logged once

  constructor(private readonly opts: EngineOptions) {
    this.jobs = opts.jobs ?? new BatchJobRules();
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.mapping = opts.mapping ?? DEFAULT_MAPPING;
    this.schedules = opts.schedules ?? DEFAULT_SCHEDULES;
    this.preflight = new DeskPreflight({
      desk: opts.desk,
      log: opts.log,
      now: this.now,
      random: this.random,
      backoff: this.backoff,
      onResult: (r) => {
        const blocking = r.problems.find((p) => p.severity === 'blocking');
        return blocking ? this.markUnhealthy(blocking.message) : this.markHealthy();
      },
    });
    const intervalMs = catalogIntervalMs(this.schedules);
    this.catalog =
      intervalMs === null || !opts.desk.capabilities.softwareCatalog
        ? null
        : new CatalogSchedule({
            store: opts.store.desk,
            intervalMs,
            now: this.now,
            request: () => this.requestCatalogSync(),
            log: opts.log,
            track: (work) => this.track(work),
          });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.jobs.setEnabled(true, this.opts.assetEvents, this.opts.extraProhibited);
    this.opts.store.desk.setEnabled(true);
    this.opts.store.desk.onEnqueued(() => this.kick());
    this.preflight.start(); // a wrong URL, credentials, queue or field show at start-up, not at the first ticket
    this.kick();
    // The connector's own readStatus: polling is how notes come back too.
    if (this.opts.desk.capabilities.readStatus && importsFromDesk(this.mapping)) {
      this.pollTimer = setInterval(() => this.pollNow(), this.opts.pollMs);
      this.pollNow();
    }
    if (this.catalog) this.track(this.catalog.start());
  }

  /**
   * Queues a software catalog run now (on demand); false when this desk keeps no catalog. A run
   * already queued is not doubled; one requested while a run is going runs once more after it.
   */
  async requestCatalogSync(): Promise<boolean> {
    if (!this.opts.desk.capabilities.softwareCatalog) return false;
    await this.opts.store.desk.enqueue({ kind: 'catalog', key: CATALOG_JOB_KEY, payload: {}, coalesce: true }, this.now());
    return true;
  }

  /**
   * Desk numbers that worklogs about to be applied name: those Outpost has no ticket for are looked
   * up in the desk and taken over (./desk-tickets.ts). Never rejects.
   */
  async importNamedTickets(ticketIds: readonly string[]): Promise<void> {
    if (!this.started || !this.opts.desk.capabilities.worklogs) return;
    await importNamedTickets(this.opts.desk, this.opts.store, ticketIds, this.now(), this.opts.log).catch((err: unknown) =>
      this.opts.log.error({ err: String(err) }, 'desk ticket look-up failed'),
    );
  }

  /** Checks the desk's setup now (POST /api/desk/preflight); the result is also in status(). */
  runPreflight(): Promise<DeskPreflightJson> {
    return this.preflight.run();
  }

  /** Waits for the running job and poll; queued jobs stay queued for the next start. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.opts.store.desk.onEnqueued(null);
    this.opts.store.desk.setEnabled(false);
    this.jobs.setEnabled(false);
    clearTimeout(this.wake);
    clearInterval(this.pollTimer);
    this.catalog?.stop();
    await this.preflight.stop();
    await this.whenIdle();
  }

  /** Runs due jobs now (also what a new job or a timer calls). */
  kick(): void {
    if (!this.started) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    clearTimeout(this.wake);
    this.draining = this.drain()
      .catch((err: unknown) => this.opts.log.error({ err: String(err) }, 'desk queue failed'))
      .finally(() => {
        this.draining = null;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.track(this.scheduleWake());
      });
  }

  /** Keeps a store call the engine does not await in sight of whenIdle; its failure is logged. */
  private track(work: Promise<void>): void {
    const tracked = work
      .catch((err: unknown) => this.opts.log.error({ err: String(err) }, 'desk queue failed'))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Resolves when no job run or poll is in progress (tests, and stop). */
  async whenIdle(): Promise<void> {
    while (this.draining || this.polling || this.pending.size > 0) await Promise.all([this.draining, this.polling, ...this.pending]);
  }

  pollNow(): void {
    if (!this.started || this.polling) return;
    this.polling = this.poll().finally(() => (this.polling = null));
  }

  async status(): Promise<DeskStatus> {
    const counts = await this.opts.store.desk.jobCounts();
    const failed = await this.opts.store.desk.recentFailed(20);
    return {
      configured: true,
      kind: this.opts.desk.kind,
      level: integrationLevel(effectiveCapabilities(this.opts.desk.capabilities, this.mapping)),
      healthy: this.healthy,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt === null ? null : new Date(this.lastErrorAt).toISOString(),
      ...counts,
      lastPollAt: this.lastPollAt === null ? null : new Date(this.lastPollAt).toISOString(),
      jobs: failed.map((j) => ({
        id: j.id,
        kind: j.kind,
        key: j.key,
        attempts: j.attempts,
        error: j.lastError,
        at: new Date(j.updatedAt).toISOString(),
      })),
      catalog: await this.catalogStatus(),
      preflight: this.preflight.last,
    };
  }

  private async catalogStatus(): Promise<CatalogStatus> {
    const store = this.opts.store.desk;
    return {
      supported: this.opts.desk.capabilities.softwareCatalog,
      schedule: this.schedules.catalog,
      queued: (await store.jobState(CATALOG_JOB_KEY)) === 'queued',
      nextRunAt: this.catalog?.nextRunAt ? new Date(this.catalog.nextRunAt).toISOString() : null,
      lastRun: await lastCatalogRun(store),
    };
  }

  private async drain(): Promise<void> {
    while (this.started) {
      const job = await this.opts.store.desk.nextDue(this.now());
      if (!job) return;
      // A flow on a schedule: a new job waits for its flow's next slot (retries keep their backoff).
      const slot = slotMs(this.schedules, job.kind);
      if (slot > 0 && job.attempts === 0 && job.nextAt % slot !== 0) {
        await this.opts.store.desk.deferJob(job.id, nextSlot(job.nextAt, slot));
        continue;
      }
      // A desk that is down holds the whole queue: the next attempt waits for this job's backoff.
      if (!(await this.runOne(job))) return;
    }
  }

  /** False when the desk is unavailable and draining should pause. */
  private async runOne(job: DeskJob): Promise<boolean> {
    const store = this.opts.store.desk;
    const started = this.now();
    await store.beginAttempt(job.id, started);
    const attempt = job.attempts + 1;
    try {
      const ctx = {
        desk: this.opts.desk,
        store: this.opts.store,
        requesterDomain: this.opts.requesterDomain,
        fallbackRequester: this.opts.fallbackRequester,
        deskUser: this.opts.deskUser,
        firstAttempt: attempt === 1,
        now: this.now,
        mapping: this.mapping,
      };
      await runJob(ctx, job);
      await store.completeJob(job.id, job.revision, this.now());
      if (job.kind === 'ticket.create') await this.numbered(job.payload.deviceId, job.payload.ref);
      this.opts.log.debug({ job: job.id, kind: job.kind, attempt, ms: this.now() - started }, 'desk job done');
      this.markHealthy();
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof NotYet) {
        await store.holdJob(job.id, this.now() + retryDelay(attempt, this.backoff, this.random), message, this.now());
        return true;
      }
      if (isDeskError(err) && err.retryable) {
        this.markUnhealthy(`${err.code}: ${message}`);
        const delay = retryDelay(attempt, this.backoff, this.random, err.retryAfterMs);
        await store.holdJob(job.id, this.now() + delay, `${err.code}: ${message}`, this.now());
        this.opts.log.warn({ job: job.id, kind: job.kind, code: err.code, retryInMs: delay }, 'desk job held');
        return false;
      }
      const code = isDeskError(err) ? err.code : 'E_INTERNAL';
      await store.failJob(job.id, `${code}: ${message}`, this.now());
      this.opts.log.error({ job: job.id, kind: job.kind, code, err: message }, 'desk job failed');
      return true;
    }
  }

  /** The ticket now has the desk's number: the endpoint shows it from now on. */
  private async numbered(deviceId: string, ref: string): Promise<void> {
    const ticketId = await this.opts.store.desk.ticketIdByRef(deviceId, ref);
    if (ticketId !== null) this.opts.ticketChanged(deviceId, ref, ticketId);
  }

  private async scheduleWake(): Promise<void> {
    if (!this.started) return;
    const at = await this.opts.store.desk.nextDueAt();
    if (at === null || !this.started) return;
    clearTimeout(this.wake);
    this.wake = setTimeout(() => this.kick(), Math.max(0, at - this.now()));
  }

  private async poll(): Promise<void> {
    let touched: Touched[] = [];
    try {
      touched = await pollOnce(this.opts.desk, this.opts.store, this.now(), this.mapping);
      this.lastPollAt = this.now();
      this.pollError = null;
      this.markHealthy();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const error = isDeskError(err) ? `${err.code}: ${message}` : message;
      if (error !== this.pollError) this.opts.log.warn({ err: message }, 'desk poll failed');
      this.pollError = error;
      this.markUnhealthy(error);
    }
    for (const t of touched) this.opts.ticketChanged(t.deviceId, t.ref, t.ticketId);
  }

  private markHealthy(): void {
    if (!this.healthy && this.started) {
      this.opts.log.info({}, 'desk reachable again');
      // Jobs held by the outage go now rather than at the end of their backoff.
      this.healthy = true;
      this.track(this.opts.store.desk.releaseHeld(this.now()).then(() => this.kick()));
    }
  }

  private markUnhealthy(error: string): void {
    this.healthy = false;
    this.lastError = error;
    this.lastErrorAt = this.now();
  }
}
