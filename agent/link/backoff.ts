// Reconnect delays: exponential backoff with full jitter. Each agent waits a random time between
// zero and a ceiling that doubles with every failed attempt, so a fleet that lost its server comes
// back spread out instead of in one wave.

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 5 * 60_000;

/** The delay before reconnect attempt `attempt` (0 for the first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, random: () => number, baseMs = BACKOFF_BASE_MS, capMs = BACKOFF_CAP_MS): number {
  return Math.floor(clampUnit(random()) * backoffCeiling(attempt, baseMs, capMs));
}

/** The largest delay attempt `attempt` can wait. */
export function backoffCeiling(attempt: number, baseMs = BACKOFF_BASE_MS, capMs = BACKOFF_CAP_MS): number {
  // Past 2^30 the ceiling is the cap anyway; stopping there keeps the power finite.
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  return Math.min(capMs, baseMs * 2 ** exponent);
}

/** Counts failed attempts and hands out the next delay. */
export class Backoff {
  private attempts = 0;
  /** The server's announced reconnect spread (welcome): no ceiling is lower. */
  private spreadMs = 0;

  constructor(
    private readonly random: () => number = Math.random,
    private readonly baseMs = BACKOFF_BASE_MS,
    private readonly capMs = BACKOFF_CAP_MS,
  ) {}

  get attempt(): number {
    return this.attempts;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const attempt = this.attempts++;
    const ceiling = Math.max(backoffCeiling(attempt, this.baseMs, this.capMs), this.spreadMs);
    return Math.floor(clampUnit(this.random()) * ceiling);
  }

  /**
   * The server said how widely its fleet should spread reconnects (from its size): every delay is
   * drawn from at least [0, ms), so a restart brings thousands of agents back as a stream.
   */
  spreadOver(ms: number): void {
    this.spreadMs = Math.max(0, Number.isFinite(ms) ? ms : 0);
  }

  /** At least `attempt` failures from now on: a server that is going away spreads its fleet wider. */
  atLeast(attempt: number): void {
    this.attempts = Math.max(this.attempts, attempt);
  }

  reset(): void {
    this.attempts = 0;
  }
}

/** A random() that returned 1 or more (a bad injected source) would exceed the ceiling. */
function clampUnit(x: number): number {
  return Number.isFinite(x) ? Math.min(Math.max(x, 0), 1 - Number.EPSILON) : 0;
}
