// A count over a sliding window in one-minute buckets: what the server's ticket quotas and the
// agent's quick check of the same quotas both use. O(window in minutes) per look, a few numbers kept.

const BUCKET_MS = 60_000;

export class SlidingWindow {
  private readonly buckets = new Map<number, number>();

  constructor(private readonly windowMs: number) {}

  /** What was added in the window ending at `now`; forgets older buckets. */
  total(now: number): number {
    let sum = 0;
    for (const [minute, n] of this.buckets) {
      if ((minute + 1) * BUCKET_MS <= now - this.windowMs) this.buckets.delete(minute);
      else sum += n;
    }
    return sum;
  }

  add(now: number, amount: number): void {
    const minute = Math.floor(now / BUCKET_MS);
    this.buckets.set(minute, (this.buckets.get(minute) ?? 0) + amount);
  }
}

/** The per-person quotas the agent applies before queueing (the server's defaults for one
 * requester, so an honest agent hears "wait" at once instead of having the server refuse later). */
export const REQUESTER_QUOTAS = {
  windowMinutes: 60,
  tickets: 20,
  notes: 60,
  attachmentBytes: 200 * 1024 * 1024,
} as const;
