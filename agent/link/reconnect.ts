// When the link tries again after a connection is lost or refused (the delays: reconnect-policy.ts).
import type { Logger } from '../../shared/log.js';
import { ReconnectPolicy, type AttemptFailure } from './reconnect-policy.js';

export class Reconnect {
  private readonly policy: ReconnectPolicy;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    random: () => number,
    private readonly log: Logger,
  ) {
    this.policy = new ReconnectPolicy(random, () => Date.now());
  }

  /** The server's welcome said how widely its fleet should spread reconnects. */
  spreadOver(ms: number): void {
    this.policy.spreadOver(ms);
  }

  /** A connection closed with `code` after being ready for `upForMs` (0 if it never was). */
  closed(code: number, upForMs: number, failure?: AttemptFailure): void {
    this.policy.closed(code, upForMs, failure);
  }

  /** Runs `connect` after the next delay. */
  schedule(connect: () => void): void {
    const delayMs = this.policy.next();
    this.log.info({ delayMs, attempt: this.policy.attempt, restarting: this.policy.restarting }, 'reconnecting');
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
