// Turns a burst of file events into one action: fires after `quietMs` without a new event, but never
// later than `maxMs` after the burst's first event, so a package manager that writes for minutes
// still gets its changes reported while it runs.
import type { Clock, TimerHandle } from './types.js';

export class Debouncer {
  private timer: TimerHandle | undefined;
  private burstStartedAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly quietMs: number,
    private readonly maxMs: number,
    private readonly fire: () => void,
  ) {}

  /** Records one event of a burst. */
  poke(): void {
    const now = this.clock.now();
    this.burstStartedAt ??= now;
    const untilCap = Math.max(0, this.burstStartedAt + this.maxMs - now);
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => this.flush(), Math.min(this.quietMs, untilCap));
  }

  /** Drops a pending burst without firing. */
  cancel(): void {
    this.clearTimer();
    this.burstStartedAt = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    this.burstStartedAt = undefined;
    this.fire();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
