// When the link tries again after a connection is lost or refused: backoff with full jitter, reset
// after a connection that stayed up, stretched when the server is going away (restart, deploy).
import type { Logger } from '../../shared/log.js';
import { CLOSE_CODES } from '../../shared/protocol.js';
import { Backoff } from './backoff.js';
import { GOING_AWAY_MIN_ATTEMPT, STABLE_CONNECTION_MS } from './link-options.js';

export class Reconnect {
  private readonly backoff: Backoff;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    random: () => number,
    private readonly log: Logger,
  ) {
    this.backoff = new Backoff(random);
  }

  /** The server's welcome said how widely its fleet should spread reconnects. */
  spreadOver(ms: number): void {
    this.backoff.spreadOver(ms);
  }

  /** A connection closed with `code` after being ready for `upForMs` (0 if it never was). */
  closed(code: number, upForMs: number): void {
    if (upForMs >= STABLE_CONNECTION_MS) this.backoff.reset();
    if (code === CLOSE_CODES.goingAway) this.backoff.atLeast(GOING_AWAY_MIN_ATTEMPT);
  }

  /** Runs `connect` after the next backoff delay. */
  schedule(connect: () => void): void {
    const delayMs = this.backoff.next();
    this.log.info({ delayMs, attempt: this.backoff.attempt }, 'reconnecting');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      connect();
    }, delayMs);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
