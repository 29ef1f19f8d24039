// A small server that speaks the agent protocol (shared/protocol.ts) on 127.0.0.1, for testing the
// agent's link without the real server. It enrols with known tokens, authenticates known devices,
// applies items once each (skipping seqs it already has, as the real server must) and acks.
// Its state (devices, applied items) survives stop()/start(), like a server restart. With `desk` on
// it also plays a minimal service desk: numbers tickets, takes notes and closes, answers worklogs
// (recorded when the ticket number exists, else rejected) and pushes tickets down as the real server does.
import type { SoftwareApproval } from '../../shared/self-service.js';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import {
  AgentMessages,
  CLOSE_CODES,
  DEFAULT_SETTINGS,
  LIMITS,
  parseFrame,
  type AgentMessage,
  type AgentMessageMap,
  type Item,
  type ServerMessage,
} from '../../shared/protocol.js';
import type { EndpointTicket, TicketStatus } from '../../shared/tickets.js';
import { deadline } from '../support/deadline.js';

export interface FakeDevice {
  deviceId: string;
  secret: string;
  /** Highest seq applied. */
  lastSeq: number;
  /** Every item applied, in order. */
  applied: Item[];
  /** With `desk`: the device's tickets by ref. */
  tickets: Map<string, EndpointTicket>;
}

export interface FakeAgentServerOptions {
  /** Enrolment tokens that are accepted (each any number of times). */
  tokens?: string[];
  /** Ack every batch as soon as it is applied. Default true. */
  autoAck?: boolean;
  /** Keep batches without applying them until applyHeld() (a server that has not committed yet). */
  holdBatches?: boolean;
  /** Ping each connection this often; 0 for never. Default 0. */
  pingIntervalMs?: number;
  /** Make clients compress each frame on its own (saves server memory; costs bytes). Default false. */
  clientNoContextTakeover?: boolean;
  /** Act as the desk of record for tickets and worklogs. Default false. */
  desk?: boolean;
  /** The reconnect spread welcome announces, in seconds; absent by default (an older server). */
  reconnectSpreadSeconds?: number;
}

interface Conn {
  ws: WebSocket;
  device?: FakeDevice;
  /** TCP bytes read from this client so far. */
  bytesRead: () => number;
}

export class FakeAgentServer extends EventEmitter {
  readonly devices = new Map<string, FakeDevice>();
  /** Every message received, in order, after validation (hello, enrol, items). */
  readonly messages: AgentMessage[] = [];
  /** Every frame that failed validation. */
  readonly rejected: string[] = [];
  /** Close codes of connections the client closed. */
  readonly closeCodes: number[] = [];
  /** For each connection, in order: whether the first frame the client sent was compressed (RSV1). */
  readonly firstFrameCompressed: boolean[] = [];
  /** For each entry of `messages`: TCP bytes read from its connection once it had arrived. */
  readonly bytesReadAt: number[] = [];
  connections = 0;
  held: { conn: Conn; items: Item[] }[] = [];
  opts: Required<Omit<FakeAgentServerOptions, 'reconnectSpreadSeconds'>> & Pick<FakeAgentServerOptions, 'reconnectSpreadSeconds'>;
  private wss: WebSocketServer | undefined;
  private readonly conns = new Set<Conn>();
  private port = 0;
  private nextTicketNumber = 1000;

  constructor(opts: FakeAgentServerOptions = {}) {
    super();
    this.opts = { tokens: [], autoAck: true, holdBatches: false, pingIntervalMs: 0, clientNoContextTakeover: false, desk: false, ...opts };
  }

  /** Base URL (http://...), as an admin would configure it. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens on a free port the first time, and on the same port after a restart. */
  async start(): Promise<void> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: this.port,
      path: '/agent',
      perMessageDeflate: { clientNoContextTakeover: this.opts.clientNoContextTakeover },
      maxPayload: LIMITS.maxFrameBytes,
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    this.port = (wss.address() as AddressInfo).port;
    this.wss = wss;
    wss.on('connection', (ws, req) => {
      // The first bytes after the upgrade start the client's first frame: RSV1 (0x40) marks it compressed.
      req.socket.once('data', (chunk: Buffer) => this.firstFrameCompressed.push((chunk[0]! & 0x40) !== 0));
      this.accept(ws, () => req.socket.bytesRead);
    });
  }

  /** Closes every connection with `code` (going away by default) and stops listening. */
  async stop(code: number = CLOSE_CODES.goingAway): Promise<void> {
    const wss = this.wss;
    if (!wss) return;
    this.wss = undefined;
    for (const c of this.conns) c.ws.close(code, 'server stopping');
    await Promise.all([...this.conns].map((c) => closed(c.ws)));
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  /** Cuts every connection without a close frame, as a network failure would. */
  dropConnections(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  /** Sends a message or a raw frame to every authenticated connection. */
  send(message: ServerMessage | string | Buffer): void {
    for (const c of this.conns) {
      if (!c.device) continue;
      if (Buffer.isBuffer(message)) c.ws.send(message, { binary: true });
      else c.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
    }
  }

  /** Applies the held batches and acks them. */
  applyHeld(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) this.apply(h.conn, h.items);
  }

  /** Acks everything applied so far on each connection. */
  ackAll(): void {
    for (const c of this.conns) if (c.device) this.reply(c, { type: 'ack', seq: c.device.lastSeq });
  }

  /** Resolves when `check` holds, re-checked after every event; rejects after `timeoutMs`. */
  async waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (check()) return;
    await new Promise<void>((resolve, reject) => {
      const onEvent = () => {
        if (!check()) return;
        this.off('event', onEvent);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('event', onEvent);
        reject(new Error(`timed out waiting for ${what}`));
      }, deadline(timeoutMs));
      this.on('event', onEvent);
    });
  }

  /** Items applied for the only device (tests with one agent). */
  applied(): Item[] {
    return [...this.devices.values()][0]?.applied ?? [];
  }

  /** With `desk`: every ticket of every device. */
  deskTickets(): EndpointTicket[] {
    return [...this.devices.values()].flatMap((d) => [...d.tickets.values()]);
  }

  /** With `desk`: IT changes a ticket's status; the change is pushed to its device. */
  setTicketStatus(ref: string, status: TicketStatus, note?: string): void {
    for (const device of this.devices.values()) {
      const t = device.tickets.get(ref);
      if (!t) continue;
      t.status = status;
      if (note)
        t.notes.push({ id: `it-${t.notes.length + 1}`, author: 'IT', text: note, at: new Date().toISOString(), fromEndpoint: false });
      this.pushTickets(device, false, [t]);
    }
  }

  /** With `desk`: IT answered a self-service request in the desk; the answer is pushed to its device. */
  decideSoftware(ref: string, approval: SoftwareApproval): void {
    for (const device of this.devices.values()) {
      const t = device.tickets.get(ref);
      if (!t?.softwareRequest) continue;
      t.softwareRequest = { ...t.softwareRequest, approval };
      t.updatedAt = new Date().toISOString();
      this.pushTickets(device, false, [t]);
    }
  }

  /** The service desk took the ticket: from now on it shows the desk's number, as the real server labels it. */
  deskNumbers(ref: string, deskNumber: string): void {
    for (const device of this.devices.values()) {
      const t = device.tickets.get(ref);
      if (!t) continue;
      t.label = `#${deskNumber}`;
      this.pushTickets(device, false, [t]);
    }
  }

  authenticatedConnections(): number {
    return [...this.conns].filter((c) => c.device).length;
  }

  private accept(ws: WebSocket, bytesRead: () => number): void {
    const conn: Conn = { ws, bytesRead };
    this.conns.add(conn);
    this.connections++;
    const ping = this.opts.pingIntervalMs > 0 ? setInterval(() => ws.ping(), this.opts.pingIntervalMs) : undefined;
    ws.on('message', (data, isBinary) => this.onFrame(conn, data, isBinary));
    ws.on('close', (code) => {
      clearInterval(ping);
      this.conns.delete(conn);
      this.closeCodes.push(code);
      this.emit('event');
    });
    this.emit('event');
  }

  private onFrame(conn: Conn, data: RawData, isBinary: boolean): void {
    const text = isBinary ? '' : (data as Buffer).toString('utf8');
    const parsed = parseFrame(AgentMessages, text);
    if (!parsed.ok) {
      this.rejected.push(text);
      this.reply(conn, { type: 'error', code: parsed.code, message: parsed.message, fatal: false });
      this.emit('event');
      return;
    }
    const msg = parsed.message;
    this.messages.push(msg);
    this.bytesReadAt.push(conn.bytesRead());
    if (msg.type === 'enrol') this.enrol(conn, msg);
    else if (msg.type === 'hello') this.hello(conn, msg);
    else this.items(conn, msg);
    this.emit('event');
  }

  private enrol(conn: Conn, msg: AgentMessageMap['enrol']): void {
    if (!this.opts.tokens.includes(msg.token)) return this.fail(conn, 'E_BAD_TOKEN', CLOSE_CODES.badToken);
    const device: FakeDevice = {
      deviceId: `dev-${this.devices.size + 1}`,
      secret: randomBytes(24).toString('hex'),
      lastSeq: 0,
      applied: [],
      tickets: new Map(),
    };
    this.devices.set(device.deviceId, device);
    this.reply(conn, { type: 'enrolled', deviceId: device.deviceId, secret: device.secret });
    this.welcome(conn, device);
  }

  private hello(conn: Conn, msg: AgentMessageMap['hello']): void {
    const device = this.devices.get(msg.deviceId);
    if (!device || device.secret !== msg.secret) return this.fail(conn, 'E_AUTH', CLOSE_CODES.auth);
    this.welcome(conn, device);
  }

  private welcome(conn: Conn, device: FakeDevice): void {
    conn.device = device;
    const spread = this.opts.reconnectSpreadSeconds;
    this.reply(conn, {
      type: 'welcome',
      deviceId: device.deviceId,
      lastSeq: device.lastSeq,
      settings: DEFAULT_SETTINGS,
      ...(spread === undefined ? {} : { reconnectSpreadSeconds: spread }),
    });
    if (this.opts.desk) this.reply(conn, { type: 'tickets', full: true, tickets: [...device.tickets.values()] });
  }

  private items(conn: Conn, msg: AgentMessageMap['items']): void {
    if (!conn.device) return this.fail(conn, 'E_NOT_AUTHENTICATED', CLOSE_CODES.protocol);
    if (this.opts.holdBatches) this.held.push({ conn, items: msg.items });
    else this.apply(conn, msg.items);
  }

  private apply(conn: Conn, items: Item[]): void {
    const device = conn.device!;
    const changed = new Set<EndpointTicket>();
    const results: ServerMessage[] = [];
    for (const item of items) {
      if (item.seq <= device.lastSeq) continue;
      device.applied.push(item);
      device.lastSeq = item.seq;
      if (this.opts.desk) this.applyToDesk(device, item, changed, results);
    }
    if (this.opts.autoAck) this.reply(conn, { type: 'ack', seq: device.lastSeq });
    if (changed.size > 0) this.pushTickets(device, false, [...changed]);
    for (const r of results) this.reply(conn, r);
    this.emit('event');
  }

  private applyToDesk(device: FakeDevice, item: Item, changed: Set<EndpointTicket>, results: ServerMessage[]): void {
    const at = new Date().toISOString();
    if (item.kind === 'ticket.create') {
      const { ref, subject, description, priority, createdAt } = item.body;
      const t: EndpointTicket = {
        ref,
        number: this.nextTicketNumber++,
        subject,
        description,
        priority,
        status: 'new',
        createdAt,
        updatedAt: at,
        notes: [],
      };
      if (item.body.category) t.category = item.body.category;
      if (item.body.softwareRequest)
        t.softwareRequest = { ...item.body.softwareRequest, approval: { state: 'pending', reason: null, at: null } };
      device.tickets.set(ref, t);
      changed.add(t);
    } else if (item.kind === 'ticket.note' || item.kind === 'ticket.close' || item.kind === 'ticket.reopen') {
      const t = device.tickets.get(item.body.ref);
      if (!t) return;
      if (item.kind !== 'ticket.close')
        t.notes.push({
          id: item.body.noteId,
          author: item.body.requester.account,
          text: item.body.text,
          at: item.body.at,
          fromEndpoint: true,
        });
      if (item.kind === 'ticket.close') t.status = 'closed';
      if (item.kind === 'ticket.reopen' && (t.status === 'resolved' || t.status === 'closed')) t.status = 'open';
      t.updatedAt = at;
      changed.add(t);
    } else if (item.kind === 'worklog') {
      const known = [...device.tickets.values()].some((t) => String(t.number) === item.body.entry.ticketId);
      results.push(
        known
          ? { type: 'worklog-result', ref: item.body.ref, state: 'recorded' }
          : {
              type: 'worklog-result',
              ref: item.body.ref,
              state: 'rejected',
              error: { code: 'E_UNKNOWN_TICKET', message: `There is no ticket ${item.body.entry.ticketId}.` },
            },
      );
    }
  }

  private pushTickets(device: FakeDevice, full: boolean, tickets: EndpointTicket[]): void {
    for (const c of this.conns) if (c.device === device) this.reply(c, { type: 'tickets', full, tickets: structuredClone(tickets) });
  }

  private fail(conn: Conn, code: string, closeCode: number): void {
    this.reply(conn, { type: 'error', code, message: code, fatal: true });
    conn.ws.close(closeCode);
  }

  private reply(conn: Conn, message: ServerMessage): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(message));
  }
}

function closed(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => ws.once('close', () => resolve()));
}
