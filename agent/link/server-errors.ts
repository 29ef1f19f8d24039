// What the link does with the server's error messages and refusal close codes: credentials or
// token refused (once per connection, however the server says it), a lost baseline (send a full
// snapshot), an item refused by a quota (its owner is told), anything else logged.
import WebSocket from 'ws';
import type { Logger } from '../../shared/log.js';
import { CLOSE_CODES, type ServerMessageMap } from '../../shared/protocol.js';
import type { LinkOptions } from './link-options.js';

export interface ServerErrorsContext {
  opts: Pick<LinkOptions, 'credentials' | 'enrolmentToken' | 'outbox' | 'onItemRefused'>;
  log: Logger;
  /** The stored credentials were deleted: the device has no id until it enrols again. */
  forgetDeviceId: () => void;
  /** Sends what the outbox holds now (after a full snapshot was requested). */
  pump: () => void;
}

const NEEDS_FULL_SNAPSHOT = new Set(['E_DIGEST_MISMATCH', 'E_NO_BASELINE', 'E_PART_SEQUENCE']);

export class ServerErrors {
  /** Set once per connection, so an error frame and its close code are handled once. */
  private rejected = false;

  constructor(private readonly ctx: ServerErrorsContext) {}

  /** A new connection: its refusals are reported afresh. */
  newConnection(): void {
    this.rejected = false;
  }

  onError(ws: WebSocket, msg: ServerMessageMap['error']): void {
    const { opts, log } = this.ctx;
    const fields = {
      code: msg.code,
      fatal: msg.fatal,
      reason: msg.message.slice(0, 500),
      ...(msg.seq !== undefined ? { seq: msg.seq } : {}),
    };
    if (msg.code === 'E_AUTH') return this.credentialsRejected();
    if (msg.code === 'E_BAD_TOKEN') return this.tokenRejected();
    if (NEEDS_FULL_SNAPSHOT.has(msg.code)) {
      log.warn(fields, 'the server needs a full snapshot');
      opts.outbox.requestFull();
      return this.ctx.pump();
    }
    if (!msg.fatal && msg.seq !== undefined && msg.code === 'E_RATE_LIMITED')
      opts.onItemRefused?.(msg.seq, { code: msg.code, message: msg.message });
    if (msg.fatal) log.error(fields, 'fatal error from the server; it will close the connection');
    else log.warn(fields, 'error from the server');
    if (msg.fatal && ws.readyState === WebSocket.OPEN) ws.close(CLOSE_CODES.normal);
  }

  /** The connection closed with `code`: a refusal the server may not have explained in a message. */
  onClose(code: number): void {
    if (code === CLOSE_CODES.auth) this.credentialsRejected();
    if (code === CLOSE_CODES.badToken) this.tokenRejected();
    if (code === CLOSE_CODES.replaced)
      this.ctx.log.warn({ code }, 'another connection with these credentials replaced this one (a cloned machine?)');
  }

  private credentialsRejected(): void {
    if (this.rejected) return;
    this.rejected = true;
    const { opts, log } = this.ctx;
    if (opts.enrolmentToken !== undefined) {
      opts.credentials.clear();
      this.ctx.forgetDeviceId();
      log.warn(
        { code: 'E_AUTH' },
        "the server rejected this device's credentials; they are deleted and the agent enrols again with its token",
      );
      return;
    }
    log.error(
      { code: 'E_AUTH' },
      "the server rejected this device's credentials and no enrolment token is configured: re-enrol the device or restore its credentials; will keep retrying",
    );
  }

  private tokenRejected(): void {
    if (this.rejected) return;
    this.rejected = true;
    this.ctx.log.error(
      { code: 'E_BAD_TOKEN' },
      'the server rejected the enrolment token (unknown, expired or used up); will keep retrying',
    );
  }
}
