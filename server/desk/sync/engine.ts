// The sync engine: drains the desk job queue one job at a time (retries with backoff, an outage
// holds everything until the desk answers again) and polls the desk for status and notes.
import type { DeskPreflightJson } from '../../../shared/http-api.js';
import { isDeskError } from '../errors.js';
import { BatchJobRules } from './batch-jobs.js';
import { CATALOG_JOB_KEY } from './catalog.js';
import { CatalogSchedule } from './catalog-schedule.js';
import { keepsPackages, PACKAGES_JOB_KEY, PACKAGES_SCHEDULED_KEY } from './packages.js';
import { importNamedTickets } from './desk-tickets.js';
import type { DeskStatus, EngineOptions } from './engine-options.js';
import { engineStatus, type DeskHealth } from './engine-status.js';
import { runOneJob, type JobRunDeps } from './job-run.js';
import { DEFAULT_BACKOFF, type Backoff } from './keys.js';
import { DEFAULT_MAPPING, importsFromDesk, type FieldMapping } from './mapping.js';
import { pollOnce, type Touched } from './poll.js';
import { DeskPreflight } from './preflight.js';
import { catalogIntervalMs, DEFAULT_SCHEDULES, nextSlot, slotMs, type Schedules } from './schedules.js';

export type { CatalogStatus, DeskStatus, EngineOptions } from './engine-options.js';

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
  private readonly packages: CatalogSchedule | null;
  private readonly preflight: DeskPreflight;
  private readonly mapping: FieldMapping;
  private readonly schedules: Schedules;
  private started = false;
  private again = false;
  private readonly health: DeskHealth = { healthy: true, lastError: null, lastErrorAt: null };
  private readonly jobRun: JobRunDeps;
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
    this.jobRun = {
      opts,
      now: this.now,
      random: this.random,
      backoff: this.backoff,
      mapping: this.mapping,
      markHealthy: () => this.markHealthy(),
      markUnhealthy: (error) => this.markUnhealthy(error),
    };
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
    const packagesMs = catalogIntervalMs(this.schedules, 'packages');
    this.packages =
      packagesMs === null || !keepsPackages(opts.desk)
        ? null
        : new CatalogSchedule({
            store: opts.store.desk,
            intervalMs: packagesMs,
            now: this.now,
            request: () => this.requestPackagesSync(),
            log: opts.log,
            stateKey: PACKAGES_SCHEDULED_KEY,
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
    if (this.packages) this.track(this.packages.start());
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

  /** Queues a run of the package store's catalog now ("send now"); false when this desk keeps none. */
  async requestPackagesSync(): Promise<boolean> {
    if (!keepsPackages(this.opts.desk)) return false;
    await this.opts.store.desk.enqueue({ kind: 'packages', key: PACKAGES_JOB_KEY, payload: {}, coalesce: true }, this.now());
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
    this.packages?.stop();
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
    return engineStatus({
      desk: this.opts.desk,
      store: this.opts.store.desk,
      mapping: this.mapping,
      schedules: this.schedules,
      health: this.health,
      lastPollAt: this.lastPollAt,
      catalog: this.catalog,
      packages: this.packages,
      preflight: this.preflight.last,
    });
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
      if (!(await runOneJob(this.jobRun, job))) return;
    }
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
    if (!this.health.healthy && this.started) {
      this.opts.log.info({}, 'desk reachable again');
      // Jobs held by the outage go now rather than at the end of their backoff.
      this.health.healthy = true;
      this.track(this.opts.store.desk.releaseHeld(this.now()).then(() => this.kick()));
    }
  }

  private markUnhealthy(error: string): void {
    this.health.healthy = false;
    this.health.lastError = error;
    this.health.lastErrorAt = this.now();
  }
}
