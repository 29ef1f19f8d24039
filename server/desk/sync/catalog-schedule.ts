// When the software catalog is pushed on its own: an interval after the last scheduled run (kept in
// desk_state, so a restart neither repeats nor skips a run), or a few minutes after the first start,
// once the endpoints have reconnected and reported their software.
import type { Logger } from '../../../shared/log.js';
import type { DeskStore } from '../../store/desk-records.js';

/** The first run ever waits this long after start. */
export const FIRST_CATALOG_RUN_DELAY_MS = 5 * 60_000;
/** When the schedule last queued a run (epoch ms): the next one is due an interval later, across restarts. */
const CATALOG_SCHEDULED_KEY = 'catalog:scheduledAt';
/** setTimeout's ceiling (intervals stay below it; a stored time ahead of the clock may not): longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface CatalogScheduleOptions {
  store: DeskStore;
  intervalMs: number;
  now: () => number;
  /** Queues a run. */
  request: () => Promise<unknown>;
  log: Logger;
  /** desk_state key of when the schedule last queued a run; the software catalog's when absent. */
  stateKey?: string;
  /** Hands over a run's store work, so that the engine's idle wait covers it. */
  track?: (work: Promise<void>) => void;
}

export class CatalogSchedule {
  private timer: NodeJS.Timeout | undefined;
  private dueAt: number | null = null;
  private running = false;

  constructor(private readonly opts: CatalogScheduleOptions) {}

  /** When the next run is due (epoch ms), or null when stopped. */
  get nextRunAt(): number | null {
    return this.dueAt;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const last = Number(await this.opts.store.getState(this.opts.stateKey ?? CATALOG_SCHEDULED_KEY));
    if (!this.running) return;
    this.dueAt = Number.isFinite(last) && last > 0 ? last + this.opts.intervalMs : this.opts.now() + FIRST_CATALOG_RUN_DELAY_MS;
    this.wait();
  }

  stop(): void {
    this.running = false;
    this.dueAt = null;
    clearTimeout(this.timer);
  }

  private wait(): void {
    clearTimeout(this.timer);
    if (this.dueAt === null) return;
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, this.dueAt - this.opts.now()));
    this.timer = setTimeout(() => {
      const run = this.due();
      if (this.opts.track) this.opts.track(run);
      else void run;
    }, ms);
  }

  private async due(): Promise<void> {
    if (!this.running || this.dueAt === null) return;
    const at = this.opts.now();
    if (at >= this.dueAt) {
      try {
        await this.opts.store.setState(this.opts.stateKey ?? CATALOG_SCHEDULED_KEY, String(at));
        await this.opts.request();
      } catch (err) {
        this.opts.log.error({ err: String(err), schedule: this.opts.stateKey ?? CATALOG_SCHEDULED_KEY }, 'could not queue a catalog run');
      }
      this.dueAt = at + this.opts.intervalMs;
    }
    if (this.running) this.wait(); // also a wait longer than one timer allows
  }
}
