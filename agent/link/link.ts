// The agent's WebSocket link to the server: enrol or authenticate, then deliver the outbox in seq
// order, a window of unacknowledged items at a time, and take acks and commands. Reconnects with
// exponential backoff and full jitter; a silent server (no ping) is dropped and reconnected.
import WebSocket, { type RawData } from 'ws';
import type { IdentityHints } from '../../shared/inventory.js';
import type { Logger } from '../../shared/log.js';
import { CLOSE_CODES, LIMITS, ServerMessages, parseFrame, type ServerMessage, type ServerMessageMap } from '../../shared/protocol.js';
import { Backoff } from './backoff.js';
import { MAX_BATCH_BYTES, nextBatch } from './batch.js';
import type { StoredCredentials } from './credentials.js';
import { firstMessage, type FirstMessage } from './first-message.js';
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFLATE_THRESHOLD_BYTES,
  GOING_AWAY_MIN_ATTEMPT,
  STABLE_CONNECTION_MS,
  type LinkOptions,
} from './link-options.js';
import { SendWindow } from './send-window.js';
import { closeSocket, errorText, rawText } from './socket.js';
import { agentUrl } from './url.js';

export {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFLATE_THRESHOLD_BYTES,
  GOING_AWAY_MIN_ATTEMPT,
  STABLE_CONNECTION_MS,
  type LinkOptions,
} from './link-options.js';

type Phase = 'idle' | 'connecting' | 'authenticating' | 'ready' | 'waiting' | 'stopped';

export class Link {
  private phase: Phase = 'idle';
  private ws: WebSocket | undefined;
  private readonly url: string;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly window = new SendWindow();
  private firstSent: FirstMessage['type'] | undefined;
  /** Set once per connection, so an error frame and its close code are handled once. */
  private rejected = false;
  private readySince = 0;
  private id: string | undefined;
  private isConnected = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: LinkOptions) {
    this.url = agentUrl(opts.serverUrl);
    this.backoff = new Backoff(opts.random ?? Math.random);
    this.log = opts.log;
  }

  /** True between the server's welcome and the connection closing. */
  get connected(): boolean {
    return this.isConnected;
  }

  /** This device's id at the server, once enrolled. */
  get deviceId(): string | undefined {
    return this.id;
  }

  start(): void {
    if (this.phase !== 'idle') return;
    this.id = this.loadCredentials()?.deviceId;
    this.connect();
  }

  /** New items are in the outbox. */
  notify(): void {
    this.pump();
  }

  /** Closes the connection (1000) and cancels every timer; resolves once the socket is closed. */
  async stop(): Promise<void> {
    if (this.phase !== 'stopped') {
      this.phase = 'stopped';
      clearTimeout(this.reconnectTimer);
      clearTimeout(this.heartbeatTimer);
      const ws = this.ws;
      this.stopping = ws ? closeSocket(ws) : Promise.resolve();
    }
    await this.stopping;
    this.ws = undefined;
    this.setConnected(false);
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    if (this.phase === 'stopped') return;
    this.phase = 'connecting';
    // Hints first: a socket opened before we can say who we are would sit idle.
    this.opts.hints().then(
      (hints) => this.open(hints),
      (err: unknown) => {
        if (this.phase === 'stopped') return;
        this.log.error({ err: errorText(err) }, 'identity hints are not available; will retry');
        this.retry();
      },
    );
  }

  private open(hints: IdentityHints): void {
    if (this.phase !== 'connecting') return;
    const first = firstMessage({ ...this.opts, hints, credentials: this.loadCredentials() });
    if (!first) return this.retry();
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, {
        perMessageDeflate: { threshold: DEFLATE_THRESHOLD_BYTES },
        maxPayload: LIMITS.maxFrameBytes,
        handshakeTimeout: this.opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
        ...(this.opts.ca ? { ca: this.opts.ca } : {}),
      });
    } catch (err) {
      this.log.error({ err: errorText(err), url: this.url }, 'cannot open a connection; will retry');
      return this.retry();
    }
    this.ws = ws;
    this.rejected = false;
    ws.on('open', () => {
      if (ws !== this.ws) return;
      this.phase = 'authenticating';
      this.firstSent = first.type;
      this.armHeartbeat();
      ws.send(JSON.stringify(first));
    });
    ws.on('message', (data, isBinary) => this.onFrame(ws, data, isBinary));
    ws.on('ping', () => {
      if (ws === this.ws) this.armHeartbeat();
    });
    ws.on('error', (err) => {
      if (ws === this.ws && this.phase !== 'stopped') this.log.warn({ err: err.message, url: this.url }, 'connection error');
    });
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString('utf8')));
  }

  private loadCredentials(): StoredCredentials | undefined {
    try {
      return this.opts.credentials.load();
    } catch (err) {
      this.log.error({ err: errorText(err) }, 'cannot read the stored credentials');
      return undefined;
    }
  }

  private onFrame(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (ws !== this.ws || this.phase === 'stopped') return;
    this.armHeartbeat();
    if (isBinary) {
      this.log.warn({ code: 'E_BAD_MESSAGE' }, 'binary frame from the server ignored');
      return;
    }
    const parsed = parseFrame(ServerMessages, rawText(data));
    if (!parsed.ok) {
      this.log.warn({ code: parsed.code, reason: parsed.message }, 'bad frame from the server ignored');
      return;
    }
    try {
      this.handle(ws, parsed.message);
    } catch (err) {
      // Most likely the outbox could not be read or written. Start over on a fresh connection
      // (after a backoff) rather than carry on with half-updated state.
      this.log.error({ err: errorText(err), type: parsed.message.type }, 'handling a server message failed; reconnecting');
      ws.terminate();
    }
  }

  private handle(ws: WebSocket, msg: ServerMessage): void {
    switch (msg.type) {
      case 'enrolled':
        return this.onEnrolled(msg);
      case 'welcome':
        return this.onWelcome(msg);
      case 'ack':
        return this.onAck(msg.seq);
      case 'command':
        return this.onCommand(msg);
      case 'tickets':
        return this.deliver('tickets', () => this.opts.onTickets?.(msg));
      case 'self-service':
        return this.deliver('self-service', () => this.opts.onSelfService?.(msg));
      case 'templates':
        return this.deliver('templates', () => this.opts.onTemplates?.(msg));
      case 'worklog-result':
        return this.deliver('worklog-result', () => this.opts.onWorklogResult?.(msg));
      case 'deploy':
        return this.deliver('deploy', () => this.opts.onDeploy?.(msg));
      case 'error':
        return this.onServerError(ws, msg);
    }
  }

  private onEnrolled(msg: ServerMessageMap['enrolled']): void {
    if (this.phase !== 'authenticating' || this.firstSent !== 'enrol') {
      this.log.warn({ type: msg.type }, 'unexpected enrolled message ignored');
      return;
    }
    this.opts.credentials.save({ deviceId: msg.deviceId, secret: msg.secret, serverUrl: this.opts.serverUrl });
    this.id = msg.deviceId;
    if (msg.deployKey) this.opts.onDeployKey?.(msg.deployKey, true);
    this.log.info({ deviceId: msg.deviceId }, 'enrolled');
  }

  private onWelcome(msg: ServerMessageMap['welcome']): void {
    if (this.phase !== 'authenticating') {
      this.log.warn({ type: msg.type }, 'unexpected welcome message ignored');
      return;
    }
    this.id = msg.deviceId;
    this.backoff.spreadOver((msg.reconnectSpreadSeconds ?? 0) * 1000);
    if (this.firstSent === 'hello') this.followMerge(msg.deviceId);
    const reconciliation = this.opts.outbox.reconcile(msg.lastSeq);
    if (msg.deployKey) this.opts.onDeployKey?.(msg.deployKey, false);
    this.phase = 'ready';
    this.readySince = Date.now();
    this.log.info({ deviceId: msg.deviceId, lastSeq: msg.lastSeq, pending: this.opts.outbox.pendingCount(), reconciliation }, 'connected');
    this.setConnected(true);
    this.deliverCommand({ type: 'command', command: 'settings', settings: msg.settings });
    this.pump();
  }

  /** After IT merged this device into another, the server welcomes the old id as the kept device;
   * the agent keeps the id the server uses now (the old one would keep working as an alias). */
  private followMerge(deviceId: string): void {
    const stored = this.loadCredentials();
    if (!stored || stored.deviceId === deviceId) return;
    try {
      this.opts.credentials.save({ ...stored, deviceId });
      this.log.info({ deviceId, previousDeviceId: stored.deviceId }, 'the server knows this device by another id now (merged); stored it');
    } catch (err) {
      this.log.warn({ err: errorText(err) }, 'cannot store the device id the server uses now; the old one keeps working');
    }
  }

  private onAck(seq: number): void {
    if (this.phase !== 'ready') return;
    // Never let a confused server delete items it has not been sent.
    if (seq > this.window.sentThrough) this.log.warn({ seq, sentThrough: this.window.sentThrough }, 'ack beyond what was sent; capped');
    this.opts.outbox.ack(this.window.acked(seq));
    this.pump();
  }

  private onCommand(cmd: ServerMessageMap['command']): void {
    if (cmd.command === 'full-snapshot') {
      this.log.info({ command: cmd.command }, 'the server asked for a full snapshot');
      this.opts.outbox.requestFull();
      this.pump();
      return;
    }
    this.deliverCommand(cmd);
  }

  private onServerError(ws: WebSocket, msg: ServerMessageMap['error']): void {
    const fields = {
      code: msg.code,
      fatal: msg.fatal,
      reason: msg.message.slice(0, 500),
      ...(msg.seq !== undefined ? { seq: msg.seq } : {}),
    };
    if (msg.code === 'E_AUTH') return this.credentialsRejected();
    if (msg.code === 'E_BAD_TOKEN') return this.tokenRejected();
    if (msg.code === 'E_DIGEST_MISMATCH' || msg.code === 'E_NO_BASELINE' || msg.code === 'E_PART_SEQUENCE') {
      this.log.warn(fields, 'the server needs a full snapshot');
      this.opts.outbox.requestFull();
      return this.pump();
    }
    if (!msg.fatal && msg.seq !== undefined && msg.code === 'E_RATE_LIMITED')
      this.opts.onItemRefused?.(msg.seq, { code: msg.code, message: msg.message });
    if (msg.fatal) this.log.error(fields, 'fatal error from the server; it will close the connection');
    else this.log.warn(fields, 'error from the server');
    if (msg.fatal && ws.readyState === WebSocket.OPEN) ws.close(CLOSE_CODES.normal);
  }

  private credentialsRejected(): void {
    if (this.rejected) return;
    this.rejected = true;
    if (this.opts.enrolmentToken !== undefined) {
      this.opts.credentials.clear();
      this.id = undefined;
      this.log.warn(
        { code: 'E_AUTH' },
        "the server rejected this device's credentials; they are deleted and the agent enrols again with its token",
      );
      return;
    }
    this.log.error(
      { code: 'E_AUTH' },
      "the server rejected this device's credentials and no enrolment token is configured: re-enrol the device or restore its credentials; will keep retrying",
    );
  }

  private tokenRejected(): void {
    if (this.rejected) return;
    this.rejected = true;
    this.log.error({ code: 'E_BAD_TOKEN' }, 'the server rejected the enrolment token (unknown, expired or used up); will keep retrying');
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    clearTimeout(this.heartbeatTimer);
    const upFor = this.phase === 'ready' ? Date.now() - this.readySince : 0;
    this.window.reset();
    this.setConnected(false);
    if (this.phase === 'stopped') return;
    if (code === CLOSE_CODES.auth) this.credentialsRejected();
    if (code === CLOSE_CODES.badToken) this.tokenRejected();
    if (upFor >= STABLE_CONNECTION_MS) this.backoff.reset();
    if (code === CLOSE_CODES.goingAway) this.backoff.atLeast(GOING_AWAY_MIN_ATTEMPT);
    if (code === CLOSE_CODES.replaced)
      this.log.warn({ code }, 'another connection with these credentials replaced this one (a cloned machine?)');
    this.log.info({ code, reason: reason.slice(0, 200) }, 'disconnected');
    this.retry();
  }

  private retry(): void {
    if (this.phase === 'stopped') return;
    this.phase = 'waiting';
    const delayMs = this.backoff.next();
    this.log.info({ delayMs, attempt: this.backoff.attempt }, 'reconnecting');
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }

  private armHeartbeat(): void {
    clearTimeout(this.heartbeatTimer);
    const ws = this.ws;
    const timeoutMs = this.opts.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.heartbeatTimer = setTimeout(() => {
      if (ws !== this.ws || !ws) return;
      this.log.warn({ timeoutMs }, 'no heartbeat from the server; reconnecting');
      ws.terminate();
    }, timeoutMs);
  }

  /** Sends batches until the window is full or the outbox has nothing more. */
  private pump(): void {
    const ws = this.ws;
    if (this.phase !== 'ready' || !ws || ws.readyState !== WebSocket.OPEN) return;
    try {
      for (let room = this.window.room(); room > 0; room = this.window.room()) {
        // About one batch's worth: a large item is read (and parsed) once, when its turn comes.
        const items = this.opts.outbox.peek(this.window.sentThrough, room, MAX_BATCH_BYTES);
        if (items.length === 0) return;
        const batch = nextBatch(items, room);
        if (batch.kind === 'too-large') {
          this.opts.outbox.setAside(
            batch.item.seq,
            'E_FRAME_TOO_LARGE',
            `${batch.bytes} bytes; the server takes at most ${LIMITS.maxFrameBytes}`,
          );
          continue;
        }
        ws.send(batch.frame);
        this.window.sent(batch.seqs, batch.frame.length);
      }
    } catch (err) {
      // Unsent items would wait for the next ack or notify, which may never come: reconnect.
      this.log.error({ err: errorText(err) }, 'reading the outbox failed; reconnecting');
      ws.terminate();
    }
  }

  private deliverCommand(cmd: ServerMessageMap['command']): void {
    try {
      this.opts.onCommand(cmd);
    } catch (err) {
      this.log.error({ err: errorText(err), command: cmd.command }, 'the agent failed to take a command');
    }
  }

  /** Hands a message to the agent once authenticated; the agent failing to take it is logged, not fatal. */
  private deliver(type: ServerMessage['type'], take: () => void): void {
    if (this.phase !== 'ready') {
      this.log.warn({ type }, 'message before welcome ignored');
      return;
    }
    try {
      take();
    } catch (err) {
      this.log.error({ err: errorText(err), type }, 'the agent failed to take a server message');
    }
  }

  private setConnected(connected: boolean): void {
    if (this.isConnected === connected) return;
    this.isConnected = connected;
    try {
      this.opts.onConnectionChange?.(connected);
    } catch (err) {
      this.log.error({ err: errorText(err) }, 'onConnectionChange failed');
    }
  }
}
