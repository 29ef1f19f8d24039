// The WebSocket endpoint agents connect to (/agent): upgrade, heartbeat, who is online, commands.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../shared/log.js';
import { CLOSE_CODES, LIMITS, type ServerMessageMap, type Settings } from '../../shared/protocol.js';
import type { Store } from '../store/store.js';
import { AgentSession, type SessionContext } from './session.js';

export const AGENT_PATH = '/agent';

export interface GatewayOptions {
  store: Store;
  log: Logger;
  settings: () => Settings;
  heartbeatMs: number;
  authTimeoutMs: number;
  now: () => number;
  /** How long stop() waits for agents to answer the close handshake before cutting them off. */
  closeGraceMs?: number;
}

export type AgentCommand = ServerMessageMap['command']['command'];

export class AgentGateway {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<AgentSession>();
  private readonly online = new Map<string, AgentSession>();
  private readonly ctx: SessionContext;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly opts: GatewayOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: LIMITS.maxFrameBytes,
      // Agents send the bulk; the server's replies are small acks, so the server keeps no deflate
      // window between messages (less memory per connection) and leaves tiny frames uncompressed.
      perMessageDeflate: { serverNoContextTakeover: true, threshold: 1024 },
    });
    this.ctx = {
      store: opts.store,
      log: opts.log,
      settings: opts.settings,
      now: opts.now,
      authTimeoutMs: opts.authTimeoutMs,
      claim: (deviceId, session) => this.claim(deviceId, session),
      release: (deviceId, session) => {
        if (this.online.get(deviceId) === session) this.online.delete(deviceId);
      },
    };
  }

  start(): void {
    this.heartbeat = setInterval(() => {
      for (const session of this.sessions) session.heartbeat();
    }, this.opts.heartbeatMs);
  }

  /** For the HTTP server's 'upgrade' event. Anything but /agent gets a 404 and the socket is dropped. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => this.opts.log.debug({ err: err.message }, 'upgrade socket error'));
    if (pathOf(req.url) !== AGENT_PATH) return refuse(socket, 404, 'Not Found');
    if (this.stopping) return refuse(socket, 503, 'Service Unavailable');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  isOnline(deviceId: string): boolean {
    return this.online.has(deviceId);
  }

  get onlineCount(): number {
    return this.online.size;
  }

  /** Sends a command to a connected device; false when it is not connected. */
  sendCommand(deviceId: string, command: AgentCommand, settings?: Settings): boolean {
    const session = this.online.get(deviceId);
    if (!session) return false;
    session.send({ type: 'command', command, ...(settings ? { settings } : {}) });
    return true;
  }

  /** Sends these tickets' current state to the device if it is connected; false when it is not.
   * An offline device gets the full list when it next connects. */
  pushTickets(deviceId: string, refs: readonly string[]): boolean {
    const session = this.online.get(deviceId);
    if (!session || refs.length === 0) return false;
    session.pushTickets(refs);
    return true;
  }

  /** Closes every agent connection with 1001 and waits until their in-flight work is written. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    const sessions = [...this.sessions];
    for (const s of sessions) s.close(CLOSE_CODES.goingAway, 'server shutting down');
    const all = Promise.all(sessions.map((s) => s.done));
    if (!(await settlesWithin(all, this.opts.closeGraceMs ?? 2000))) {
      for (const s of sessions) s.terminate();
      await all;
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const session = new AgentSession(ws, this.ctx, req.socket.remoteAddress ?? 'unknown');
    this.sessions.add(session);
    ws.once('close', () => this.sessions.delete(session));
    session.start();
    if (this.stopping) session.close(CLOSE_CODES.goingAway, 'server shutting down');
  }

  private claim(deviceId: string, session: AgentSession): void {
    const previous = this.online.get(deviceId);
    this.online.set(deviceId, session);
    if (previous && previous !== session) {
      this.opts.log.info({ deviceId }, 'a newer connection replaces the open one');
      previous.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
    }
  }
}

function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://outpost').pathname;
  } catch {
    return null;
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
