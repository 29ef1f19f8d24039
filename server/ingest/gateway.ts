// The WebSocket endpoint agents connect to (/agent): upgrade, heartbeat, who is online, commands.
// Who is online is kept in memory (one session per device) and told to the fleet bus, which keeps the
// store's online flag (and, with several processes, which one holds the socket); both changes are
// published for the console's live view. Commands for a device go through the bus, so they reach it
// in whichever process it is connected to.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../shared/log.js';
import { CLOSE_CODES, LIMITS, type ServerMessage, type ServerMessageMap, type Settings } from '../../shared/protocol.js';
import { noLivePublisher, type LivePublisher } from '../live/hub.js';
import type { BatchJobRules } from '../desk/sync/batch-jobs.js';
import type { Store } from '../store/store.js';
import { MAX_SIGNAL_ARGS, type DeviceSignal, type FleetBus, type PresenceChange } from '../fleet/bus.js';
import { LocalFleetBus } from '../fleet/local-bus.js';
import { builtInSignalHandlers, SIGNALS, ticketSignals, type SignalHandler } from './device-signals.js';
import { checkFrameLimitSupport } from './frame-limit.js';
import { PRE_AUTH_DEFAULTS, PreAuthLimiter, type PreAuthLimits } from './pre-auth.js';
import type { TicketQuota } from './quotas.js';
import { AgentSession, type DeployHooks, type SessionContext } from './session.js';
import { FrameReader } from './frame-reader.js';
import { BatchSlots } from './batch-slots.js';
import { ReadGate } from './read-gate.js';
import { SoftwareSweeper } from './software-sweeper.js';
import { deskRulesNow } from './batch-job.js';
import { selfServiceCatalog } from '../../shared/self-service.js';
import { performance } from 'node:perf_hooks';
import { ReconnectWindow, type RememberedRate } from './reconnect-window.js';
import { AgentListsCache } from './agent-lists.js';
import { DeviceMarks } from './device-marks.js';
import { TurnPacer, type Turns } from './turn-pacer.js';
import { HelloBatcher } from './hello-batch.js';

export const AGENT_PATH = '/agent';
/** Retry-After on a refused upgrade; agents back off with jitter anyway. */
const PRE_AUTH_RETRY_S = 5;

export interface GatewayOptions {
  store: Store;
  log: Logger;
  settings: () => Settings;
  heartbeatMs: number;
  /** Agents' frames held in memory past which their sockets are not read (read-gate.ts). */
  heldFrameBytes?: number;
  authTimeoutMs: number;
  /** Caps on connections that have not authenticated yet; default PRE_AUTH_DEFAULTS. */
  preAuth?: PreAuthLimits;
  now: () => number;
  /** How long stop() waits for agents to answer the close handshake before cutting them off. */
  closeGraceMs?: number;
  /** The console's live view (a LiveHub): presence, inventory and endpoint ticket events. */
  hub?: LivePublisher;
  /** What one device and one person at it may write into tickets (ingest/quotas.ts); unlimited when absent. */
  ticketQuota?: TicketQuota;
  /** The desk's rules for the jobs a batch makes (the sync engine's); none when absent. */
  deskJobs?: BatchJobRules | null;
  /** Desk numbers a batch's worklogs name, looked up in the desk before it is applied (desk/sync/desk-tickets.ts). */
  deskTickets?: (ticketIds: readonly string[]) => Promise<void>;
  /** Presence and signals across server processes; a local bus over the store when absent (the
   * gateway then clears the online flags itself at stop). */
  bus?: FleetBus;
  /** A batch left old software rows behind; when absent the gateway runs its own sweeper. */
  softwareLeftBehind?: () => void;
  /** Software deployment's part in each session (server/deploy/deployer.ts). */
  deploy?: DeployHooks;
  /** Milliseconds the event loop has been busy, for the reconnect window's rate; the process's own when absent. */
  loopBusyMs?: () => number;
  /** Where the measured reconnect rate outlives a restart (reconnect-rate-file.ts); the prior each start without. */
  rememberedRate?: RememberedRate;
  /** Bounds the upgrades and hello steps one turn of the loop starts (turn-pacer.ts); a TurnPacer when absent. */
  turns?: Turns;
}

export type AgentCommand = ServerMessageMap['command']['command'];

export class AgentGateway {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<AgentSession>();
  private readonly online = new Map<string, AgentSession>();
  private readonly ctx: SessionContext;
  /** Stops reading agents' sockets while their frames held in memory pass a bound (read-gate.ts). */
  private readonly readGate: ReadGate;
  private readonly preAuth: PreAuthLimiter;
  private readonly sweeper: SoftwareSweeper | null;
  private readonly bus: FleetBus;
  private readonly ownsBus: boolean;
  private readonly signalHandlers: Map<string, SignalHandler>;
  private readonly frames = new FrameReader();
  private readonly reconnectWindow: ReconnectWindow;
  private frameLimitChecked = false;
  private readonly live: LivePublisher;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Lists agents keep, read and sent one after another (sendLists). */
  private listSends: Promise<void> = Promise.resolve();
  /** The lists agents keep, one read serving many hellos. */
  private readonly lists: AgentListsCache;
  /** Online-flag writes in the order the connections came and went. */
  private presence: Promise<void> = Promise.resolve();
  private readonly presenceQueue: PresenceChange[] = [];
  /** Last-seen times of closed connections, written together (device-marks.ts). */
  private readonly lastSeen: DeviceMarks;
  /** Upgrades and hello steps, a bounded number a turn, so a storm leaves the loop to the API between. */
  private readonly turns: Turns;

  constructor(private readonly opts: GatewayOptions) {
    this.readGate = new ReadGate(opts.heldFrameBytes ? { limitBytes: opts.heldFrameBytes } : {});
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // Until a device authenticates: raised per connection by raiseFrameLimit once it has.
      maxPayload: LIMITS.preAuthFrameBytes,
      // Agents send the bulk; the server's replies are small acks, so the server keeps no deflate
      // window between messages (less memory per connection) and leaves tiny frames uncompressed.
      perMessageDeflate: { serverNoContextTakeover: true, threshold: 1024 },
    });
    this.live = opts.hub ?? noLivePublisher;
    this.lists = new AgentListsCache(opts.store, opts.now);
    this.lastSeen = new DeviceMarks((marks) => opts.store.markDevices(marks));
    this.turns = opts.turns ?? new TurnPacer();
    const hellos = new HelloBatcher(opts.store);
    this.preAuth = new PreAuthLimiter(opts.preAuth ?? PRE_AUTH_DEFAULTS);
    this.sweeper = opts.softwareLeftBehind
      ? null
      : new SoftwareSweeper(opts.store, opts.log, opts.now, undefined, () => deskRulesNow(opts.deskJobs));
    this.ownsBus = opts.bus === undefined;
    this.bus = opts.bus ?? new LocalFleetBus(opts.store);
    this.signalHandlers = builtInSignalHandlers(opts.settings);
    this.reconnectWindow = new ReconnectWindow({
      loopBusyMs: opts.loopBusyMs ?? (() => performance.eventLoopUtilization().active),
      devicesSeenSince: async (since) => (await opts.store.listDevices({ seenAfter: since, limit: 1, offset: 0 })).total,
      now: opts.now,
      ...(opts.rememberedRate ? { remembered: opts.rememberedRate } : {}),
    });
    this.bus.onDeviceSignal((signal) => this.deliverHere(signal));
    this.ctx = {
      store: opts.store,
      log: opts.log,
      settings: opts.settings,
      now: opts.now,
      authTimeoutMs: opts.authTimeoutMs,
      preAuthCloseGraceMs: PRE_AUTH_DEFAULTS.closeGraceMs,
      live: this.live,
      ...(opts.ticketQuota ? { ticketQuota: opts.ticketQuota } : {}),
      deskJobs: opts.deskJobs ?? null,
      isLive: (deviceId) => this.online.has(deviceId),
      claim: (deviceId, session) => this.claim(deviceId, session),
      release: (deviceId, session) => this.release(deviceId, session),
      seen: (deviceId, at) => this.lastSeen.mark({ deviceId, seenAt: at }),
      softwareLeftBehind: opts.softwareLeftBehind ?? (() => this.sweeper?.poke()),
      reconnectSpreadSeconds: () => this.reconnectWindow.spreadSeconds(this.online.size),
      ...(opts.deskTickets ? { deskTickets: opts.deskTickets } : {}),
      offerLists: (session) => this.sendLists([session], { templates: true, selfService: true }),
      ...(opts.deploy ? { deploy: opts.deploy } : {}),
      frames: this.frames,
      batchSlots: new BatchSlots(),
      readGate: this.readGate,
      turns: this.turns,
      recordHello: (deviceId, hello) => hellos.record(deviceId, hello),
    };
  }

  /** IT changed the ticket templates: every connected agent gets the whole list. */
  pushTemplates(): void {
    this.lists.changed();
    this.sendLists(null, { templates: true, selfService: false });
  }

  /** IT changed the package store: every connected agent gets its self-service catalog. */
  pushSelfService(): void {
    this.lists.changed();
    this.sendLists(null, { templates: false, selfService: true });
  }

  /**
   * The lists agents keep (ticket templates, the self-service catalog), read and sent one send after
   * another, so an older list never overtakes a newer one. `to` null: every session online when read.
   */
  private sendLists(to: AgentSession[] | null, which: { templates: boolean; selfService: boolean }): void {
    this.listSends = this.listSends.then(async () => {
      try {
        // Read for many hellos at once in a storm (agent-lists.ts); a push above has just dropped it.
        const { templates, packages } = await this.lists.read();
        const sessions = to ?? [...this.online.values()];
        if (which.templates) {
          for (const session of sessions) session.send({ type: 'templates', templates });
        }
        if (which.selfService) {
          // One read of the platforms for every session, not a whole device (snapshot and software) each.
          const ids = sessions.flatMap((x) => (x.deviceId === null ? [] : [x.deviceId]));
          const platforms = await this.opts.store.devicePlatforms(ids);
          for (const session of sessions) {
            if (session.deviceId === null) continue;
            const platform = platforms.get(session.deviceId);
            session.catalogAwaitsPlatform = !platform;
            session.send({ type: 'self-service', packages: selfServiceCatalog(packages, platform) });
          }
        }
      } catch (err) {
        this.opts.log.warn({ err: errorText(err) }, 'could not send the ticket templates or the self-service catalog');
      }
    });
  }

  start(): void {
    this.sweeper?.start();
    this.reconnectWindow.start();
    this.heartbeat = setInterval(() => {
      for (const session of this.sessions) session.heartbeat();
    }, this.opts.heartbeatMs);
  }

  /**
   * For the HTTP server's 'upgrade' event. Anything but /agent gets a 404 and the socket is dropped.
   * Past the caps on unauthenticated connections the answer is 429 (this address) or 503 (the
   * server), before the WebSocket handshake, so a refusal costs no WebSocket or deflate state.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => this.opts.log.debug({ err: err.message }, 'upgrade socket error'));
    if (pathOf(req.url) !== AGENT_PATH) return refuse(socket, 404, 'Not Found');
    if (this.stopping) return refuse(socket, 503, 'Service Unavailable');
    const admission = this.preAuth.admit(req.socket.remoteAddress ?? 'unknown');
    if (!admission.ok) {
      // Debug only: a flood of refusals must not become a flood of log lines.
      this.opts.log.debug(
        { remote: req.socket.remoteAddress, refusal: admission.refusal },
        'unauthenticated connection refused at its cap',
      );
      return admission.refusal === 'address'
        ? refuse(socket, 429, 'Too Many Requests', PRE_AUTH_RETRY_S)
        : refuse(socket, 503, 'Service Unavailable', PRE_AUTH_RETRY_S);
    }
    // Given back when the device authenticates, or when the socket closes, whichever comes first.
    socket.once('close', admission.release);
    // Admitted (so counted at the cap) while it waits its turn: an agent sends nothing before the 101.
    void this.turns.place().then(() => this.upgrade(req, socket, head, admission.release));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, releasePreAuth: () => void): void {
    // Gone while it waited (ws would drop it too, but no handshake is worth starting for it).
    if (socket.destroyed) return;
    if (this.stopping) return refuse(socket, 503, 'Service Unavailable');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, releasePreAuth));
  }

  /** Connections that have not authenticated yet. */
  get unauthenticatedCount(): number {
    return this.preAuth.size;
  }

  isOnline(deviceId: string): boolean {
    return this.online.has(deviceId);
  }

  get onlineCount(): number {
    return this.online.size;
  }

  /** Sends a command to the device in whichever server process holds it; false when none does. */
  commandDevice(deviceId: string, command: AgentCommand): Promise<boolean> {
    return this.bus.toDevice({ deviceId, kind: SIGNALS.command, args: [command] });
  }

  /** Sends these tickets' state to the device wherever it is connected; false when it is not. */
  async pushTicketsAnywhere(deviceId: string, refs: readonly string[]): Promise<boolean> {
    let sent = false;
    for (const signal of ticketSignals(deviceId, refs, MAX_SIGNAL_ARGS)) sent = (await this.bus.toDevice(signal)) || sent;
    return sent;
  }

  /** Ends the device's connection, in whichever process holds it, as merged into another device. */
  disconnectMerged(deviceId: string): Promise<boolean> {
    return this.bus.toDevice({ deviceId, kind: SIGNALS.merged, args: [] });
  }

  /** Handles another kind of device signal (added by other parts) for sockets in this process. */
  onSignal(kind: string, handler: SignalHandler): void {
    this.signalHandlers.set(kind, handler);
  }

  /** Sends a command to a device connected to this process; false when it is not. */
  sendCommand(deviceId: string, command: AgentCommand, settings?: Settings): boolean {
    const session = this.online.get(deviceId);
    if (!session) return false;
    session.send({ type: 'command', command, ...(settings ? { settings } : {}) });
    return true;
  }

  /** Ends the device's agent connection, if it has one, with this close code. */
  disconnect(deviceId: string, code: number, reason: string): void {
    this.online.get(deviceId)?.close(code, reason);
  }

  /** Sends a message to the device's connection in this process; false when it has none. */
  sendMessage(deviceId: string, message: ServerMessage): boolean {
    const session = this.online.get(deviceId);
    if (!session) return false;
    session.send(message);
    return true;
  }

  /** Sends these tickets' current state to the device if it is connected here; false when it is not.
   * An offline device gets the full list when it next connects. */
  pushTickets(deviceId: string, refs: readonly string[]): boolean {
    const session = this.online.get(deviceId);
    if (!session || refs.length === 0) return false;
    session.pushTickets(refs);
    return true;
  }

  /** Closes every agent connection with 1001, waits until their in-flight work is written and
   * marks every device offline. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sweeper?.stop();
    this.reconnectWindow.stop();
    this.readGate.stop();
    clearInterval(this.heartbeat);
    const sessions = [...this.sessions];
    for (const s of sessions) s.close(CLOSE_CODES.goingAway, 'server shutting down');
    const all = Promise.all(sessions.map((s) => s.done));
    if (!(await settlesWithin(all, this.opts.closeGraceMs ?? 2000))) {
      for (const s of sessions) s.terminate();
      await all;
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.frames.stop();
    // One write for the whole fleet rather than one per connection closed above.
    await this.presence;
    await this.lastSeen.settled();
    // A bus given to the gateway is stopped by its owner, which releases this process's sessions.
    if (!this.ownsBus) return;
    await this.opts.store
      .clearOnline()
      .catch((err: unknown) => this.opts.log.warn({ err: errorText(err) }, 'could not mark devices offline'));
  }

  /** A signal from the bus for a socket in this process; false when the device is not connected here. */
  private deliverHere(signal: DeviceSignal): boolean {
    const session = this.online.get(signal.deviceId);
    const handler = this.signalHandlers.get(signal.kind);
    if (!session || !handler) return false;
    handler(session, signal.args);
    return true;
  }

  private accept(ws: WebSocket, req: IncomingMessage, releasePreAuth: () => void): void {
    if (!this.frameLimitChecked) {
      checkFrameLimitSupport(ws, LIMITS.preAuthFrameBytes);
      this.frameLimitChecked = true;
    }
    const session = new AgentSession(
      ws,
      this.ctx,
      req.socket.remoteAddress ?? 'unknown',
      releasePreAuth,
      () => req.socket.bytesRead,
      req.socket,
    );
    this.sessions.add(session);
    ws.once('close', () => this.sessions.delete(session));
    session.start();
    if (this.stopping) session.close(CLOSE_CODES.goingAway, 'server shutting down');
  }

  private claim(deviceId: string, session: AgentSession): void {
    this.reconnectWindow.welcomed();
    const previous = this.online.get(deviceId);
    this.online.set(deviceId, session);
    if (previous && previous !== session) {
      this.opts.log.info({ deviceId }, 'a newer connection replaces the open one');
      previous.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
    }
    // A device replacing its own connection never went offline: nothing to record or tell.
    if (!previous) this.markPresence(deviceId, true);
  }

  /** Only the device's current session takes it offline; one replaced by a newer connection does not. */
  private release(deviceId: string, session: AgentSession): void {
    if (this.online.get(deviceId) !== session) return;
    this.online.delete(deviceId);
    this.markPresence(deviceId, false);
  }

  private markPresence(deviceId: string, online: boolean): void {
    // While stopping, stop() marks the whole fleet offline at once.
    if (this.stopping) return;
    this.presenceQueue.push({ deviceId, online });
    // A write is already queued: this change goes with it (in a storm, one write for many).
    if (this.presenceQueue.length > 1) return;
    this.presence = this.presence.then(() => this.writePresence());
  }

  /** The presence changes queued so far, in their order, as one write where the bus can. */
  private async writePresence(): Promise<void> {
    const changes = this.presenceQueue.splice(0);
    try {
      const changed = this.bus.markMany ? await this.bus.markMany(changes) : await oneByOne(this.bus, changes);
      const at = new Date(this.opts.now()).toISOString();
      changes.forEach(({ deviceId, online }, i) => {
        if (changed[i]) this.live.publish('presence', { deviceId, online, at });
      });
    } catch (err) {
      this.opts.log.warn({ devices: changes.length, err: errorText(err) }, 'could not record presence');
    }
  }
}

/** Claims and releases one after another; a release says whether the device went offline (no other process holds it). */
async function oneByOne(bus: FleetBus, changes: readonly PresenceChange[]): Promise<boolean[]> {
  const changed: boolean[] = [];
  for (const { deviceId, online } of changes) changed.push(online ? (await bus.claim(deviceId), true) : await bus.release(deviceId));
  return changed;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://outpost').pathname;
  } catch {
    return null;
  }
}

function refuse(socket: Duplex, status: number, text: string, retryAfterS?: number): void {
  socket.once('finish', () => socket.destroy());
  const retry = retryAfterS === undefined ? '' : `Retry-After: ${retryAfterS}\r\n`;
  socket.end(`HTTP/1.1 ${status} ${text}\r\n${retry}Connection: close\r\nContent-Length: 0\r\n\r\n`);
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
