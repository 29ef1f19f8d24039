// One agent connection: authenticate (enrol or hello), then apply item batches and ack them.
// Frames are handled one at a time in arrival order; while one is being handled the socket is paused,
// so a fast sender is held back by TCP rather than by server memory. Ticket pushes join the same
// queue, so a ticket list read earlier is never sent after one read later.
import type { RawData, WebSocket } from 'ws';
import { ERROR_CODES, type ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { CLOSE_CODES, LIMITS, type AgentMessageMap, type Item, type ServerMessage, type Settings } from '../../shared/protocol.js';
import { hashSecret, newSecret, sameHash } from '../store/secrets.js';
import { raiseFrameLimit } from './frame-limit.js';
import type { BatchJobRules } from '../desk/sync/batch-jobs.js';
import type { DeviceRuntime, HelloRecord, Store } from '../store/store.js';
import { applyItems, deskRulesNow, type BatchDone, type BatchInput } from './batch-job.js';
import type { TicketQuota } from './quotas.js';
import type { LivePublisher } from '../live/hub.js';
import { ticketEvents } from './live-events.js';
import type { Screened } from './budget-screen.js';
import type { BatchSlots } from './batch-slots.js';
import type { ReadGate } from './read-gate.js';
import type { FrameReader } from './frame-reader.js';
import type { Turns } from './turn-pacer.js';
import { readAgentFrame } from './read-frame.js';
import { unpackedOnly, type CarriedItem } from './packed-items.js';
import { outOfOrderSeq } from './plan-batch.js';
import { batchReplies, FULL_LIST_LIMIT, ticketMessages } from './ticket-replies.js';

export interface SessionContext {
  store: Store;
  log: Logger;
  settings: () => Settings;
  now: () => number;
  authTimeoutMs: number;
  /** How long an unauthenticated peer may take to answer a close before its socket is cut. */
  preAuthCloseGraceMs: number;
  /** The console's live view: what batches changed. */
  live: LivePublisher;
  /** Bounds what endpoints may write into tickets; nothing but the per-ticket file limits when absent. */
  ticketQuota?: TicketQuota;
  /** The desk's rules for the jobs a batch makes; none without a desk. */
  deskJobs?: BatchJobRules | null;
  /** Whether the device has a live connection in this process. */
  isLive(deviceId: string): boolean;
  /** Marks the device online through this session, closing any older session of the same device. */
  claim(deviceId: string, session: AgentSession): void;
  release(deviceId: string, session: AgentSession): void;
  /** A batch left software rows of a past generation behind: the sweeper deletes them in steps. */
  softwareLeftBehind(): void;
  /** Over how many seconds this server's agents should spread their reconnects (see welcome). */
  reconnectSpreadSeconds(): number;
  /** Sends this session the lists agents keep (ticket templates, self-service catalog), in order with every later change. */
  offerLists?: (session: AgentSession) => void;
  /** Records when the device was last seen (its connection closed); store.touch when absent. */
  seen?: (deviceId: string, at: number) => Promise<void>;
  /** Desk numbers the batch's worklogs name: desk tickets Outpost never saw are taken over first. */
  deskTickets?: (ticketIds: readonly string[]) => Promise<void>;
  /** Bounds the batches read and not yet acked across sessions (batch-slots.ts); unbounded when absent. */
  batchSlots?: BatchSlots;
  /** Bounds the bytes of frames held across sessions by pausing sockets (read-gate.ts); unbounded when absent. */
  readGate?: Pick<ReadGate, 'join' | 'leave' | 'hold'>;
  /** Reads frames, large ones off the event loop; every frame in place when absent. */
  frames?: Pick<FrameReader, 'read'>;
  /** Software deployment (server/deploy/deployer.ts); none in tests of other things. */
  deploy?: DeployHooks;
  /** A place in a turn of the loop for each step of authenticating (turn-pacer.ts); none: at once. */
  turns?: Turns;
  /** Records a hello with the others of its turn (hello-batch.ts); store.recordHello when absent. */
  recordHello?: (deviceId: string, hello: HelloRecord) => Promise<DeviceRuntime | null>;
}

/** What a session asks of deployment: the signing key to hand out, the commands a connecting
 * device still has to get, and the recording of the steps a batch carries. */
export interface DeployHooks {
  readonly publicKey: string;
  pendingMessages(deviceId: string): Promise<ServerMessage[]>;
  recordSteps(deviceId: string, items: readonly Item[]): Promise<{ code: ErrorCode; seq: number; message: string }[]>;
}

/** The part of a net.Socket that batches writes. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}
/** Above this, an answer to a hello is still worth deflating (a long ticket list or catalog). */
export const UNCOMPRESSED_ANSWER_BYTES = 16 * 1024;

const noCork: Corkable = { cork: () => undefined, uncork: () => undefined };

const inPlace: Pick<FrameReader, 'read'> = {
  read: async (bytes, authenticated) => readAgentFrame(bytes.toString('utf8'), authenticated),
};

export class AgentSession {
  deviceId: string | null = null;
  private secretHash: Buffer | null = null;
  private closing = false;
  private alive = true;
  private pending = 0;
  /** The read gate has paused this socket: the server holds too many frames (read-gate.ts). */
  private heldBack = false;
  private work: Promise<void> = Promise.resolve();
  private authTimer: NodeJS.Timeout | undefined;
  /** Socket bytes read when the session started (the upgrade request), and whether the login
   * deadline was extended once for a frame that had arrived but was still being inflated. */
  private bytesAtStart = 0;
  private authExtended = false;
  /** Writes are being held until the loop's next turn (coalesceWrites). */
  private corked = false;
  /** Socket bytes read when the last ping went out. */
  private bytesAtPing = 0;
  /** Messages received before authentication: the first must be enrol or hello, and alone. */
  private preAuthMessages = 0;
  private resolveDone!: () => void;
  /** Settles once the socket closed and everything this session started has finished. */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));
  private log: Logger;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: SessionContext,
    readonly remote: string,
    /** Gives back this connection's unauthenticated slot (idempotent). */
    private readonly releasePreAuth: () => void = () => undefined,
    /** Bytes read from the TCP socket so far (net.Socket.bytesRead), for the login timeout. */
    private readonly bytesRead: () => number = () => 0,
    /** The TCP socket's cork/uncork, so the answers to a hello leave in one write. */
    private readonly socket: Corkable = noCork,
  ) {
    this.log = ctx.log.child({ remote });
  }

  /** The self-service catalog was sent before the device's platform was known (no inventory yet). */
  catalogAwaitsPlatform = false;

  start(): void {
    this.ws.on('message', (data, isBinary) => this.enqueue(data, isBinary));
    this.ws.on('pong', () => (this.alive = true));
    // ws closes the socket itself after an error (1009 for an oversized frame); log and carry on.
    // Before authentication the peer is a stranger: debug only, and no 30 s close handshake.
    this.ws.on('error', (err) => {
      const fields = { err: err.message, code: (err as { code?: string }).code };
      if (this.deviceId !== null) return this.log.warn(fields, 'agent socket error');
      this.log.debug(fields, 'unauthenticated socket error');
      this.cutOffSoon();
    });
    this.ws.on('close', (code) => this.onClose(code));
    this.bytesAtStart = this.bytesRead();
    this.authTimer = setTimeout(() => this.authTimedOut(), this.ctx.authTimeoutMs);
  }

  /** Called by the gateway's heartbeat: a session that missed the previous ping is dropped. */
  heartbeat(): void {
    // While a frame is being handled (or waits for a batch slot), or the read gate holds the socket
    // back (read-gate.ts), the socket is paused and a pong could not be read yet: the peer is not
    // judged, but still pinged, so that an agent whose batch waits its turn through a mass first
    // inventory keeps hearing from the server and stays.
    if (this.pending > 0 || this.heldBack) return this.ping();
    // Bytes arrived since the last ping: the peer is there. Its pong may wait behind a large frame
    // still queued for inflation (ws inflates a few at a time per process): in a mass first inventory
    // that wait passes a heartbeat, and the connection must not be dropped for it.
    const read = this.bytesRead();
    if (read > this.bytesAtPing) this.alive = true;
    this.bytesAtPing = read;
    if (!this.alive) {
      this.log.info({ deviceId: this.deviceId }, 'agent missed a heartbeat; dropping the connection');
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ping();
  }

  private ping(): void {
    try {
      this.ws.ping();
    } catch {
      // not open: the close event is on its way
    }
  }

  send(message: ServerMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const text = JSON.stringify(message);
    // The answers to a hello go out uncompressed (unless large): deflate runs on the thread pool and
    // its frame would leave in a write of its own, after the others (see coalesceWrites).
    const sent = (err?: Error) => {
      if (err) this.log.debug({ err: err.message }, 'send failed');
    };
    if (this.corked && text.length <= UNCOMPRESSED_ANSWER_BYTES) this.ws.send(text, { compress: false }, sent);
    else this.ws.send(text, sent);
  }

  /** Sends the current state of these tickets of the device, after any work already queued. */
  pushTickets(refs: readonly string[]): void {
    this.work = this.work
      .then(async () => {
        if (this.closing || this.deviceId === null) return;
        const tickets = await this.ctx.store.endpointTickets(this.deviceId, { refs, limit: refs.length });
        for (const message of ticketMessages(tickets, false)) this.send(message);
      })
      .catch((err: unknown) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'ticket push failed'));
  }

  /** The read gate's: stop reading this socket until readAgain (the agent's bytes wait in TCP). */
  holdBack(): void {
    this.heldBack = true;
    this.ws.pause();
  }

  readAgain(): void {
    this.heldBack = false;
    if (this.pending === 0) this.ws.resume();
  }

  close(code: number, reason: string): void {
    this.closing = true;
    clearTimeout(this.authTimer);
    // The peer's close frame must be read to finish the handshake.
    this.ctx.readGate?.leave(this);
    this.readAgain();
    this.ws.close(code, reason);
    if (this.deviceId === null) this.cutOffSoon();
  }

  /** An unauthenticated peer that does not answer our close frame is not waited for (ws waits 30 s). */
  private cutOffSoon(): void {
    setTimeout(() => this.ws.terminate(), this.ctx.preAuthCloseGraceMs).unref();
  }

  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }

  private enqueue(data: RawData, isBinary: boolean): void {
    this.alive = true;
    if (this.closing) return;
    // An agent sends enrol or hello and waits for the answer; a stranger gets one message's worth.
    if (this.deviceId === null && ++this.preAuthMessages > 1) {
      return this.fatal('E_NOT_AUTHENTICATED', 'Send one enrol or hello and wait for its answer.', CLOSE_CODES.policy);
    }
    if (++this.pending === 1) this.ws.pause();
    const giveBytesBack = this.deviceId !== null ? this.ctx.readGate?.hold(byteLength(data)) : undefined;
    this.work = this.work
      .then(() => (this.closing ? undefined : this.handle(data, isBinary)))
      .catch((err: unknown) => this.internalError(err))
      .finally(() => {
        giveBytesBack?.();
        // Resume even when closing: the peer's close frame must still be read to finish the handshake.
        if (--this.pending === 0 && (!this.heldBack || this.closing)) this.ws.resume();
      });
  }

  private async handle(data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) return this.reject('E_BAD_MESSAGE', 'Frames must be text (JSON).');
    // An authenticated session's frame is a batch: it waits for a slot before it is even parsed.
    const giveBack = this.deviceId !== null && this.ctx.batchSlots ? await this.ctx.batchSlots.take() : null;
    // Enrol or hello: its reads wait for a place in a turn of the loop (the login timer is held meanwhile: pending).
    if (this.deviceId === null) await this.ctx.turns?.place();
    try {
      if (this.closing) return;
      await this.handleFrame(data);
    } finally {
      giveBack?.();
    }
  }

  private async handleFrame(data: RawData): Promise<void> {
    // Large frames are read off the event loop (frame-reader.ts); the answer is the same either way.
    const read = await (this.ctx.frames ?? inPlace).read(toBuffer(data), this.deviceId !== null);
    if (!read.ok) return this.reject(read.code, read.message);
    // Every item was past the budget: nothing left to validate, each is refused by its seq.
    if (read.message === null) return this.items([], read.overBudget);
    const { message, overBudget } = read;
    if (this.deviceId === null) {
      if (message.type === 'enrol') return this.enrol(message);
      if (message.type === 'hello') return this.hello(message);
      return this.fatal('E_NOT_AUTHENTICATED', ERROR_CODES.E_NOT_AUTHENTICATED, CLOSE_CODES.protocol);
    }
    if (message.type === 'items') return this.items(message.items, overBudget);
    this.error('E_ALREADY_AUTHENTICATED', ERROR_CODES.E_ALREADY_AUTHENTICATED);
  }

  private async enrol(message: AgentMessageMap['enrol']): Promise<void> {
    const secret = newSecret();
    const secretHash = hashSecret(secret);
    const result = await this.ctx.store.enrol({
      tokenHash: hashSecret(message.token),
      hints: message.hints,
      agentVersion: message.agentVersion,
      secretHash,
      at: this.ctx.now(),
      isLive: (id) => this.ctx.isLive(id),
      remote: this.remote,
    });
    if (!result.ok) {
      this.log.warn({}, 'enrolment refused: unknown, expired or used-up token');
      return this.fatal('E_BAD_TOKEN', ERROR_CODES.E_BAD_TOKEN, CLOSE_CODES.badToken);
    }
    const { deviceId, created, cloneOf, matchedBy, duplicateOf } = result;
    const fields = { deviceId, created, cloneOf, matchedBy, duplicateOf, hostname: message.hints.hostname };
    this.log.info(
      fields,
      created ? (duplicateOf ? 'device enrolled; possibly a duplicate of another' : 'device enrolled') : 'device re-enrolled',
    );
    this.ctx.live.publish('inventory', { deviceId, hostname: message.hints.hostname, sections: [], trigger: 'enrolled', at: this.iso() });
    await this.ctx.turns?.place();
    if (this.closing) return;
    this.coalesceWrites();
    this.send({ type: 'enrolled', deviceId, secret, ...(this.ctx.deploy ? { deployKey: this.ctx.deploy.publicKey } : {}) });
    await this.authenticated(deviceId, secretHash, { lastSeq: 0, needsFull: true });
  }

  private async hello(message: AgentMessageMap['hello']): Promise<void> {
    const secretHash = hashSecret(message.secret);
    // A device IT merged into another answers to its old id too (the agent's stored credential).
    const stored = await this.ctx.store.deviceCredential(message.deviceId);
    // One answer for an unknown device and a wrong secret: ids cannot be probed.
    if (!stored || !sameHash(stored.secretHash, secretHash)) {
      this.log.warn({}, 'agent authentication failed');
      return this.fatal('E_AUTH', ERROR_CODES.E_AUTH, CLOSE_CODES.auth);
    }
    const deviceId = stored.deviceId;
    const record = this.ctx.recordHello ?? ((id: string, hello: HelloRecord) => this.ctx.store.recordHello(id, hello));
    const runtime = await record(deviceId, {
      hints: message.hints,
      agentVersion: message.agentVersion,
      at: this.ctx.now(),
    });
    if (!runtime) return this.fatal('E_AUTH', ERROR_CODES.E_AUTH, CLOSE_CODES.auth);
    // The welcome, the ticket list and the other lists: a step of its own in a turn of the loop.
    await this.ctx.turns?.place();
    if (this.closing) return;
    await this.authenticated(deviceId, secretHash, runtime);
  }

  private async authenticated(deviceId: string, secretHash: Buffer, runtime: DeviceRuntime): Promise<void> {
    clearTimeout(this.authTimer);
    this.coalesceWrites();
    // Only now may large (and compressed) batches arrive.
    raiseFrameLimit(this.ws, LIMITS.maxFrameBytes);
    this.releasePreAuth();
    this.deviceId = deviceId;
    this.secretHash = secretHash;
    this.log = this.ctx.log.child({ deviceId, remote: this.remote });
    this.ctx.claim(deviceId, this);
    this.ctx.readGate?.join(this);
    this.send({
      type: 'welcome',
      deviceId,
      lastSeq: runtime.lastSeq,
      settings: this.ctx.settings(),
      reconnectSpreadSeconds: this.ctx.reconnectSpreadSeconds(),
      ...(this.ctx.deploy ? { deployKey: this.ctx.deploy.publicKey } : {}),
    });
    // Without a usable baseline every delta would be refused; ask for the full picture straight away.
    if (runtime.needsFull) this.send({ type: 'command', command: 'full-snapshot' });
    // The endpoint's ticket list may be stale by anything that happened while it was away.
    const tickets = await this.ctx.store.endpointTickets(deviceId, { limit: FULL_LIST_LIMIT });
    for (const message of ticketMessages(tickets, true)) this.send(message);
    this.ctx.offerLists?.(this);
    // Deployments made while it was away (the agent runs each id once, so a repeat is harmless).
    for (const message of (await this.ctx.deploy?.pendingMessages(deviceId)) ?? []) this.send(message);
  }

  /**
   * What is sent from now until the loop's next turn leaves in one socket write: a welcome is
   * followed by the ticket list, templates, catalog and pending deployments, and in a reconnect
   * storm one write per frame was about a sixth of the server's busy time (writev on a loaded box).
   */
  private coalesceWrites(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    setImmediate(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  private async items(items: CarriedItem[], overBudget: Screened[] = []): Promise<void> {
    const disorder = outOfOrderSeq(items);
    if (disorder !== null) return this.error('E_SEQ_ORDER', ERROR_CODES.E_SEQ_ORDER, disorder);
    const deviceId = this.deviceId!;
    const mine = this.secretHash!;
    const named = items.flatMap((i) => (i.kind === 'worklog' ? [i.body.entry.ticketId] : []));
    if (named.length > 0) await this.ctx.deskTickets?.(named);
    // Before the batch commits its seq: a crash in between redelivers the steps, recorded once by seq.
    // A snapshot's body may be packed (packed-items.ts): it is neither a step nor a ticket item.
    const plain = unpackedOnly(items);
    const stepProblems = (await this.ctx.deploy?.recordSteps(deviceId, plain)) ?? [];
    // A store job: with SQLite it runs in the store's worker thread, plan included (batch-job.ts).
    const input: BatchInput = { deviceId, at: this.ctx.now(), items, overBudget, secretHash: mine, desk: deskRulesNow(this.ctx.deskJobs) };
    const done = await this.ctx.store.runJob(applyItems, input, this.ctx.ticketQuota);
    if (!done) return this.fatal('E_AUTH', 'The device has enrolled again; this connection is no longer valid.', CLOSE_CODES.auth);
    // Before the ack: an agent deletes acked items and must already know what became of them.
    for (const reply of await batchReplies(this.ctx.store, deviceId, plain, done.replayed, done.tickets)) this.send(reply);
    for (const p of stepProblems) this.error(p.code, p.message, p.seq);
    this.report(done, items.length);
    if (done.leftGarbage) this.ctx.softwareLeftBehind();
    this.publish(deviceId, done);
    // The catalog depends on the platform, which a device's first inventory tells: send it again then
    // (the gateway keeps waiting if the platform is still unknown).
    if (done.snapshotWritten && this.catalogAwaitsPlatform) {
      this.catalogAwaitsPlatform = false;
      this.ctx.offerLists?.(this);
    }
  }

  /** Tells the console what the batch changed, once it is written. */
  private publish(deviceId: string, done: BatchDone): void {
    const at = this.iso();
    if (done.inventory) this.ctx.live.publish('inventory', { ...done.inventory, at });
    for (const ticket of ticketEvents(deviceId, done.tickets, at)) this.ctx.live.publish('ticket', ticket);
  }

  private iso(): string {
    return new Date(this.ctx.now()).toISOString();
  }

  private report(plan: BatchDone, received: number): void {
    if (plan.replayed.length) {
      const n = plan.replayed.length;
      this.error('E_SEQ_REPLAYED', `${n} item(s) were applied before and skipped.`, Math.max(...plan.replayed));
    }
    for (const p of plan.problems) this.error(p.code, p.message, p.seq);
    this.send({ type: 'ack', seq: plan.lastSeq });
    if (plan.fullRequested) this.send({ type: 'command', command: 'full-snapshot' });
    this.log.debug({ received, replayed: plan.replayed.length, changes: plan.changes, lastSeq: plan.lastSeq }, 'batch applied');
  }

  /** A bad frame: before authentication it ends the connection, after it only this frame is refused. */
  private reject(code: ErrorCode, message: string): void {
    if (this.deviceId === null || code === 'E_PROTOCOL_VERSION') return this.fatal(code, message, CLOSE_CODES.protocol);
    this.error(code, message);
  }

  private error(code: ErrorCode, message: string, seq?: number): void {
    this.send({ type: 'error', code, message, fatal: false, ...(seq === undefined ? {} : { seq }) });
  }

  private fatal(code: ErrorCode, message: string, closeCode: number): void {
    this.send({ type: 'error', code, message, fatal: true });
    this.close(closeCode, code);
  }

  private authTimedOut(): void {
    if (this.deviceId !== null || this.closing || this.pending > 0) return;
    // In a storm, ws inflates a few frames at a time per process: a hello that reached the socket in
    // time may still wait its turn. The deadline counts from when the server could first read the
    // frame, so bytes that arrived in time get one more period to become a message (once: a peer
    // trickling bytes gains no more than that, and the pre-auth frame limit keeps it small).
    if (!this.authExtended && this.bytesRead() > this.bytesAtStart) {
      this.authExtended = true;
      this.authTimer = setTimeout(() => this.authTimedOut(), this.ctx.authTimeoutMs);
      return;
    }
    this.fatal('E_NOT_AUTHENTICATED', `No hello or enrol within ${Math.round(this.ctx.authTimeoutMs / 1000)} s.`, CLOSE_CODES.protocol);
  }

  private internalError(err: unknown): void {
    this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'failed to handle an agent message');
    // 1011: the agent keeps its items and sends them again after reconnecting.
    this.fatal('E_INTERNAL', ERROR_CODES.E_INTERNAL, 1011);
  }

  private onClose(code: number): void {
    this.closing = true;
    clearTimeout(this.authTimer);
    this.ctx.readGate?.leave(this);
    const deviceId = this.deviceId;
    if (deviceId !== null) {
      this.ctx.release(deviceId, this);
      this.log.info({ code }, 'agent disconnected');
      const at = this.ctx.now();
      // Written with the other connections closed meanwhile (the gateway's device-marks.ts).
      this.work = this.work
        .then(() => (this.ctx.seen ? this.ctx.seen(deviceId, at) : this.ctx.store.touch(deviceId, at)))
        .catch(() => undefined);
    }
    void this.work.then(this.resolveDone);
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
