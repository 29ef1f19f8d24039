// The timed triggers - periodic full refresh, logged-on-users refresh, daily scheduled scan - on one
// timer set for whichever is due first. Due times count from the last scan that covered them, so a
// startup, manual or scheduled full scan also postpones the next refresh instead of repeating it.
import type { Settings } from '../../shared/protocol.js';
import { nextDailyAt, parseDailyTime } from './daily.js';
import type { Clock, ScanScope, TimerHandle } from './types.js';

export type DueKind = 'schedule' | 'refresh' | 'users';

/**
 * Timers run on a monotonic clock that stops while the machine sleeps, so a 20-hour wait armed before
 * a night in suspend would end hours late. Re-reading the wall clock at least this often keeps the
 * daily schedule honest after sleep and clock changes; it is one wake-up per quarter hour, not polling.
 */
export const WALL_CLOCK_RECHECK_MS = 15 * 60_000;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export class Periodic {
  private timer: TimerHandle | undefined;
  private running = false;
  private lastFullAt = 0;
  private lastUsersAt = 0;
  private scheduleAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private settings: Settings,
    private readonly onDue: (kind: DueKind) => void,
  ) {}

  /** Starts counting from now, as the startup scan is a full one. */
  start(): void {
    this.running = true;
    const now = this.clock.now();
    this.lastFullAt = now;
    this.lastUsersAt = now;
    this.scheduleAt = this.nextScheduled(now);
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.clear();
  }

  /** Records a scan of any trigger so the refreshes it covers count from now. */
  noteScan(scope: ScanScope): void {
    const now = this.clock.now();
    if (scope === 'full') this.lastFullAt = now;
    if (scope === 'full' || scope === 'users') this.lastUsersAt = now;
    this.arm();
  }

  /** New intervals apply from the last scan; a changed daily time is recomputed from now. */
  updateSettings(settings: Settings): void {
    const scheduleChanged = settings.scheduledScanAt !== this.settings.scheduledScanAt;
    this.settings = settings;
    if (scheduleChanged) this.scheduleAt = this.nextScheduled(this.clock.now());
    this.arm();
  }

  /** When the next timed scan is due, in wall-clock ms (for status displays and tests). */
  nextDue(): { kind: DueKind; at: number } | undefined {
    if (!this.running) return undefined;
    const candidates: { kind: DueKind; at: number }[] = [
      { kind: 'refresh', at: this.lastFullAt + this.settings.refreshMinutes * MINUTE_MS },
      { kind: 'users', at: this.lastUsersAt + this.settings.usersRefreshMinutes * MINUTE_MS },
    ];
    if (this.scheduleAt !== undefined) candidates.unshift({ kind: 'schedule', at: this.scheduleAt });
    // Ties go to the earlier entry: a scheduled or full scan covers the users refresh due with it.
    return candidates.reduce((a, b) => (b.at < a.at ? b : a));
  }

  private arm(): void {
    this.clear();
    const due = this.nextDue();
    if (due === undefined) return;
    const wait = Math.min(Math.max(0, due.at - this.clock.now()), WALL_CLOCK_RECHECK_MS);
    this.timer = this.clock.setTimeout(() => this.wake(), wait);
  }

  private wake(): void {
    this.timer = undefined;
    if (!this.running) return;
    const now = this.clock.now();
    this.correctForClockGoingBack(now);
    const due = this.nextDue();
    if (due !== undefined && due.at <= now) {
      // Marked done before the callback, so a callback that ends up not scanning cannot make it due forever.
      if (due.kind === 'schedule') this.scheduleAt = this.nextScheduled(now);
      if (due.kind !== 'users') this.lastFullAt = now;
      this.lastUsersAt = now;
      this.onDue(due.kind);
    }
    this.arm();
  }

  /** A wall clock set back must not push due times days into the future. */
  private correctForClockGoingBack(now: number): void {
    this.lastFullAt = Math.min(this.lastFullAt, now);
    this.lastUsersAt = Math.min(this.lastUsersAt, now);
    if (this.scheduleAt !== undefined && this.scheduleAt - now > DAY_MS + 60 * MINUTE_MS) {
      this.scheduleAt = this.nextScheduled(now);
    }
  }

  private nextScheduled(now: number): number | undefined {
    const at = this.settings.scheduledScanAt === null ? undefined : parseDailyTime(this.settings.scheduledScanAt);
    return at === undefined ? undefined : nextDailyAt(now, at);
  }

  private clear(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
