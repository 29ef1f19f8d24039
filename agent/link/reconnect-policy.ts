// How long the link waits before its next attempt. Normally exponential backoff with full jitter
// (backoff.ts). After a server closed cleanly (1001, going away: a restart or a deploy) the fleet
// should be back as soon as the server listens again, as a stream and not a wave: the backoff's
// doubling made every attempt refused during a restart of a few seconds double the next wait
// (8, 16, 32, 64 s), so 1,000 agents took ~60 s to return to a server that was up after 6.
//
// So for a while after a clean close each agent keeps a place in the window the server announced
// (welcome.reconnectSpreadSeconds, sized so the fleet arrives at a rate the server takes): the
// first attempt at a random point of the window, and each attempt refused while the server is
// away one window later, less a little jitter. Places stay spread evenly over the window, so the
// refused attempts cost the box only cheap TCP resets and the fleet arrives at about N / window a
// second once the server listens, all of it within one window.
import { CLOSE_CODES } from '../../shared/protocol.js';
import { Backoff } from './backoff.js';
import { GOING_AWAY_MIN_ATTEMPT, STABLE_CONNECTION_MS } from './link-options.js';

/** How long after a clean close failed attempts keep their place instead of backing off. */
export const RESTART_WINDOW_MS = 2 * 60_000;
/** The window when the server announced a narrower one (or none): a small fleet retries every ~2 s. */
export const RESTART_MIN_SPREAD_MS = 2_000;
/** A refused attempt waits 80-100 % of the window: jitter enough to stay apart, never beyond it. */
export const RESTART_RETRY_JITTER = 0.2;
/** An attempt that timed out or was turned away (503/429) met a server that is up but saturated:
 * this agent's window doubles, up to this many times the announced one. */
export const RESTART_MAX_WIDENING = 8;

/** What a failed attempt met, when the link can tell: `saturated` is a server that is up but did not
 * take it (opening handshake timed out, 503 or 429); anything else is unknown (refused, reset). */
export type AttemptFailure = 'saturated' | undefined;

/** The failure of an attempt from the error the WebSocket client reported. */
export function attemptFailure(errorMessage: string | undefined): AttemptFailure {
  return errorMessage && /handshake has timed out|server response: (503|429)/i.test(errorMessage) ? 'saturated' : undefined;
}

/** Codes of an attempt that never reached the server (refused, reset, timed out): ws says 1006. */
const UNREACHED = new Set<number>([1006, CLOSE_CODES.goingAway]);

export class ReconnectPolicy {
  private readonly backoff: Backoff;
  private spreadMs = 0;
  /** While now() is before this, failed attempts keep their place in the window (0: not after a clean close). */
  private restartUntil = 0;
  private firstAfterRestart = false;
  private restartAttempts = 0;
  private widening = 1;

  constructor(
    private readonly random: () => number,
    private readonly now: () => number,
  ) {
    this.backoff = new Backoff(random);
  }

  /** Failed attempts so far: the backoff's, or those since a clean close. */
  get attempt(): number {
    return this.restartUntil ? this.restartAttempts : this.backoff.attempt;
  }

  /** True while attempts are paced for a server that is restarting. */
  get restarting(): boolean {
    return this.restartUntil > this.now();
  }

  /** The server's welcome said how widely its fleet should spread reconnects. */
  spreadOver(ms: number): void {
    this.spreadMs = Math.max(0, Number.isFinite(ms) ? ms : 0);
    this.backoff.spreadOver(this.spreadMs);
  }

  /** A connection closed with `code` after being ready for `upForMs` (0 if it never was). */
  closed(code: number, upForMs: number, failure?: AttemptFailure): void {
    if (upForMs >= STABLE_CONNECTION_MS) this.backoff.reset();
    // A welcome ended any restart.
    if (upForMs > 0) this.restartUntil = 0;
    if (code === CLOSE_CODES.goingAway) {
      if (!this.restarting) this.startRestart();
      return;
    }
    // An answer from a server that is up (auth, protocol) ends it too: back off as usual.
    if (!UNREACHED.has(code)) this.restartUntil = 0;
    // A server that is back but cannot take the fleet as fast as it asked: come back more slowly.
    else if (failure === 'saturated' && this.restarting) this.widening = Math.min(this.widening * 2, RESTART_MAX_WIDENING);
  }

  /** The delay before the next attempt; each call counts one more. */
  next(): number {
    if (!this.restarting) {
      this.restartUntil = 0;
      return this.backoff.next();
    }
    this.restartAttempts++;
    const windowMs = Math.max(this.spreadMs, RESTART_MIN_SPREAD_MS) * this.widening;
    const r = clampUnit(this.random());
    if (this.firstAfterRestart) {
      this.firstAfterRestart = false;
      return Math.floor(r * windowMs);
    }
    return Math.floor(windowMs * (1 - RESTART_RETRY_JITTER * r));
  }

  private startRestart(): void {
    // If the window passes without a welcome, back off from where a going-away server always put it.
    this.backoff.atLeast(GOING_AWAY_MIN_ATTEMPT);
    this.restartUntil = this.now() + RESTART_WINDOW_MS;
    this.firstAfterRestart = true;
    this.restartAttempts = 0;
    this.widening = 1;
  }
}

function clampUnit(x: number): number {
  return Number.isFinite(x) ? Math.min(Math.max(x, 0), 1 - Number.EPSILON) : 0;
}
