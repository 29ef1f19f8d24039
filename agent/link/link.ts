// The agent's WebSocket link to the server: enrol or authenticate, then deliver the outbox in seq
// order, a window of unacknowledged items at a time, and take acks and commands. Reconnects with
// exponential backoff and full jitter; a silent server (no ping) is dropped and reconnected.
import WebSocket, { type RawData } from 'ws';
import type { IdentityHints } from '../../shared/inventory.js';
import type { Logger } from '../../shared/log.js';
import { ServerMessages, parseFrame, type ServerMessage, type ServerMessageMap } from '../../shared/protocol.js';
import { callAgent } from './call-agent.js';
import { firstMessage, type FirstMessage } from './first-message.js';
import { Heartbeat } from './heartbeat.js';
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, type LinkOptions } from './link-options.js';
import { attemptFailure } from './reconnect-policy.js';
import { Reconnect } from './reconnect.js';
import { sendFromOutbox } from './send-outbox.js';
import { SendWindow } from './send-window.js';
import { ServerErrors } from './server-errors.js';
import { closeSocket, dialServer, errorText, rawText } from './socket.js';
import { followMerge, loadCredentials } from './stored-identity.js';
import { agentUrl } from './url.js';

/** What a Link is constructed with (defined beside its timing constants). */
export type { LinkOptions } from './link-options.js';

type Phase = 'idle' | 'connecting' | 'authenticating' | 'ready' | 'waiting' | 'stopped';

export class Link {
  private phase: Phase = 'idle';
  private ws: WebSocket | undefined;
  private readonly url: string;
  private readonly reconnect: Reconnect;
  private readonly log: Logger;
  private readonly heartbeat: Heartbeat;
  private readonly window = new SendWindow();
  private readonly errors: ServerErrors;
  private firstSent: FirstMessage['type'] | undefined;
  private readySince = 0;
  private id: string | undefined;
  private isConnected = false;
  private stopping: Promise<void> | undefined;
  /** The last error of the current connection attempt, to tell a saturated server from an absent one. */
  private lastError: string | undefined;

  constructor(private readonly opts: LinkOptions) {
    this.url = agentUrl(opts.serverUrl);
    this.log = opts.log;
    this.reconnect = new Reconnect(opts.random ?? Math.random, opts.log);
    this.heartbeat = new Heartbeat(opts.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS);
    this.errors = new ServerErrors({
      opts,
      log: opts.log,
      forgetDeviceId: () => (this.id = undefined),
      pump: () => this.pump(),
    });
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
      this.reconnect.cancel();
      this.heartbeat.stop();
      const ws = this.ws;
      this.stopping = ws ? closeSocket(ws) : Promise.resolve();
    }
    await this.stopping;
    this.ws = undefined;
    this.setConnected(false);
  }

  private connect(): void {
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
      ws = dialServer(this.url, this.opts);
    } catch (err) {
      this.log.error({ err: errorText(err), url: this.url }, 'cannot open a connection; will retry');
      return this.retry();
    }
    this.ws = ws;
    this.lastError = undefined;
    this.errors.newConnection();
    ws.on('open', () => {
      if (ws !== this.ws) return;
      this.phase = 'authenticating';
      this.firstSent = first.type;
      this.armHeartbeat();
      // Uncompressed: in a reconnect storm the server inflates a few frames at a time, and a hello
      // queued behind others' inflation can miss the login deadline; a few hundred bytes once per
      // connection are not worth that.
      ws.send(JSON.stringify(first), { compress: false });
    });
    ws.on('message', (data, isBinary) => this.onFrame(ws, data, isBinary));
    ws.on('ping', () => {
      if (ws === this.ws) this.armHeartbeat();
    });
    ws.on('error', (err) => {
      if (ws === this.ws) this.lastError = err.message;
      if (ws === this.ws && this.phase !== 'stopped') this.log.warn({ err: err.message, url: this.url }, 'connection error');
    });
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString('utf8')));
  }

  private loadCredentials(): ReturnType<typeof loadCredentials> {
    return loadCredentials(this.opts.credentials, this.log);
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
        return this.errors.onError(ws, msg);
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
    this.reconnect.spreadOver((msg.reconnectSpreadSeconds ?? 0) * 1000);
    if (this.firstSent === 'hello') followMerge(this.opts.credentials, msg.deviceId, this.log);
    const reconciliation = this.opts.outbox.reconcile(msg.lastSeq);
    if (msg.deployKey) this.opts.onDeployKey?.(msg.deployKey, false);
    this.phase = 'ready';
    this.readySince = Date.now();
    this.log.info({ deviceId: msg.deviceId, lastSeq: msg.lastSeq, pending: this.opts.outbox.pendingCount(), reconciliation }, 'connected');
    this.setConnected(true);
    this.deliverCommand({ type: 'command', command: 'settings', settings: msg.settings });
    this.pump();
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

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    this.heartbeat.stop();
    const upFor = this.phase === 'ready' ? Date.now() - this.readySince : 0;
    this.window.reset();
    this.setConnected(false);
    if (this.phase === 'stopped') return;
    this.errors.onClose(code);
    this.reconnect.closed(code, upFor, attemptFailure(this.lastError));
    this.log.info({ code, reason: reason.slice(0, 200) }, 'disconnected');
    this.retry();
  }

  private retry(): void {
    if (this.phase === 'stopped') return;
    this.phase = 'waiting';
    this.reconnect.schedule(() => this.connect());
  }

  private armHeartbeat(): void {
    const ws = this.ws;
    this.heartbeat.arm(() => {
      if (ws !== this.ws || !ws) return;
      this.log.warn({ timeoutMs: this.heartbeat.timeoutMs }, 'no heartbeat from the server; reconnecting');
      ws.terminate();
    });
  }

  /** Sends batches until the window is full or the outbox has nothing more. */
  private pump(): void {
    const ws = this.ws;
    if (this.phase !== 'ready' || !ws || ws.readyState !== WebSocket.OPEN) return;
    try {
      sendFromOutbox(ws, this.window, this.opts.outbox);
    } catch (err) {
      // Unsent items would wait for the next ack or notify, which may never come: reconnect.
      this.log.error({ err: errorText(err) }, 'reading the outbox failed; reconnecting');
      ws.terminate();
    }
  }

  private deliverCommand(cmd: ServerMessageMap['command']): void {
    callAgent(this.log, { command: cmd.command }, 'the agent failed to take a command', () => this.opts.onCommand(cmd));
  }

  /** Hands a message to the agent once authenticated; the agent failing to take it is logged, not fatal. */
  private deliver(type: ServerMessage['type'], take: () => void): void {
    if (this.phase !== 'ready') {
      this.log.warn({ type }, 'message before welcome ignored');
      return;
    }
    callAgent(this.log, { type }, 'the agent failed to take a server message', take);
  }

  private setConnected(connected: boolean): void {
    if (this.isConnected === connected) return;
    this.isConnected = connected;
    callAgent(this.log, {}, 'onConnectionChange failed', () => this.opts.onConnectionChange?.(connected));
  }
}
