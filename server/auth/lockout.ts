// Locks a username after repeated failed sign-ins, whichever addresses they come from (the per-IP
// rate limit does not stop a guesser with many addresses). Kept in memory: a restart forgets it,
// which is acceptable because each locked window is short and the per-IP limit still applies.

export interface LockoutPolicy {
  maxFailures: number;
  windowMs: number;
  /** Usernames tracked at once; beyond it the oldest is dropped, so guessing names cannot grow memory. */
  maxTracked: number;
}

export const LOCKOUT_POLICY: LockoutPolicy = { maxFailures: 10, windowMs: 15 * 60_000, maxTracked: 10_000 };

export class SignInLockout {
  /** Lower-cased username -> times of its recent failures, oldest first. */
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly policy: LockoutPolicy = LOCKOUT_POLICY) {}

  /** Ms until the username may try again, or 0 when it is not locked. */
  lockedFor(username: string, now: number): number {
    const recent = this.recent(username.toLowerCase(), now);
    if (recent.length < this.policy.maxFailures) return 0;
    // Unlocks when enough of the failures have left the window to allow one more attempt.
    return recent[recent.length - this.policy.maxFailures]! + this.policy.windowMs - now;
  }

  /**
   * Checks and counts in one step, before the password is evaluated: 0 when this attempt may go
   * ahead (and it is already counted as a failure, undone by recordSuccess), else the ms to wait.
   * Checking first and counting after the slow hash let parallel guesses all pass the check.
   */
  beginAttempt(username: string, now: number): number {
    const locked = this.lockedFor(username, now);
    if (locked > 0) return locked;
    this.recordFailure(username, now);
    return 0;
  }

  recordFailure(username: string, now: number): void {
    const key = username.toLowerCase();
    const recent = [...this.recent(key, now), now].slice(-this.policy.maxFailures);
    this.failures.delete(key); // re-inserted last: the Map's order is then least recently failed first
    this.failures.set(key, recent);
    if (this.failures.size > this.policy.maxTracked) this.failures.delete(this.failures.keys().next().value!);
  }

  recordSuccess(username: string): void {
    this.failures.delete(username.toLowerCase());
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const recent = times.filter((t) => t > now - this.policy.windowMs);
    if (recent.length === 0) this.failures.delete(key);
    return recent;
  }
}
