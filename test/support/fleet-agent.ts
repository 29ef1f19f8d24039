// A simulated agent that speaks the wire protocol and behaves like the real one where the
// several-processes tests need it: an outbox of numbered items kept until acked, one batch in flight,
// and after losing its connection a reconnect (hello) that resends whatever the server's welcome says
// it does not hold. It records the commands it is sent and which backend of a proxy it landed on.
import WebSocket from 'ws';
import { snapshotDigest } from '../../shared/digest.js';
import type { Snapshot } from '../../shared/inventory.js';
import { LIMITS, PROTOCOL_VERSION, type Trigger } from '../../shared/protocol.js';
import { partItems } from './protocol-device.js';
import { waitFor } from './outpost.js';

interface Item {
  seq: number;
  at: string;
  kind: string;
  body: object;
}

interface Frame {
  type: string;
  seq?: number;
  lastSeq?: number;
  deviceId?: string;
  secret?: string;
  command?: string;
  code?: string;
}

export class FleetAgent {
  deviceId = '';
  secret = '';
  /** The digest of the last snapshot queued: what the server must end up holding. */
  digest = '';
  readonly commands: string[] = [];
  readonly errors: string[] = [];
  /** Connections made (the first included). */
  connections = 0;
  /** The proxy backend the current connection went to. */
  backend: number | undefined;
  private outbox: Item[] = [];
  private nextSeq = 1;
  private ws: WebSocket | null = null;
  private inFlight = 0;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly installId: string,
    private readonly backendOf: (clientPort: number) => number | undefined = () => undefined,
  ) {}

  /** Enrols with the token and waits for the welcome. */
  async enrol(token: string): Promise<void> {
    await this.connect({ type: 'enrol', token });
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.deviceId !== '';
  }

  /** Queues a full snapshot (in parts, as the real agent does). */
  snapshot(snapshot: Snapshot, trigger: Trigger = 'startup'): void {
    const items = partItems(snapshot, this.nextSeq, trigger);
    this.nextSeq += items.length;
    this.digest = snapshotDigest(snapshot);
    this.queue(items);
  }

  /** Queues one item of `kind`. */
  item(kind: string, body: object): void {
    this.queue([{ seq: this.nextSeq++, at: new Date().toISOString(), kind, body }]);
  }

  /** Resolves when every queued item has been acked. */
  async settled(timeoutMs = 60_000): Promise<void> {
    await waitFor(() => this.outbox.length === 0, timeoutMs, `agent ${this.installId} to have its items acked (${this.state()})`);
  }

  /** What it is doing, for a failure's message. */
  state(): string {
    const seqs = this.outbox.map((i) => i.seq);
    return `connected ${this.connected}, backend ${this.backend}, ${this.connections} connections, in flight ${this.inFlight}, unacked ${seqs.join(',')}, errors ${this.errors.join(',')}`;
  }

  stop(): void {
    this.stopped = true;
    this.ws?.terminate();
  }

  private queue(items: Item[]): void {
    this.outbox.push(...items);
    this.flush();
  }

  private flush(): void {
    if (!this.connected || this.inFlight > 0 || this.outbox.length === 0) return;
    const batch = this.outbox.slice(0, Math.min(16, LIMITS.maxBatchItems));
    this.inFlight = batch[batch.length - 1]!.seq;
    this.ws!.send(JSON.stringify({ type: 'items', items: batch }));
  }

  private acked(seq: number): void {
    this.outbox = this.outbox.filter((i) => i.seq > seq);
    if (seq >= this.inFlight) this.inFlight = 0;
    this.flush();
  }

  private connect(auth: { type: 'enrol'; token: string } | { type: 'hello' }): Promise<void> {
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/agent`, { perMessageDeflate: true });
    this.ws = ws;
    this.connections++;
    const hints = { installId: this.installId, hostname: this.installId, macs: [] };
    return new Promise((resolve, reject) => {
      ws.on('open', () => {
        const socket = (ws as unknown as { _socket?: { localPort?: number } })._socket;
        this.backend = socket?.localPort === undefined ? undefined : this.backendOf(socket.localPort);
        const first =
          auth.type === 'enrol'
            ? { type: 'enrol', protocol: PROTOCOL_VERSION, agentVersion: 'fleet-test', token: auth.token, hints }
            : {
                type: 'hello',
                protocol: PROTOCOL_VERSION,
                agentVersion: 'fleet-test',
                deviceId: this.deviceId,
                secret: this.secret,
                hints,
              };
        ws.send(JSON.stringify(first));
      });
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as Frame;
        if (frame.type === 'enrolled') {
          this.deviceId = frame.deviceId ?? '';
          this.secret = frame.secret ?? '';
        } else if (frame.type === 'welcome') {
          this.deviceId ||= frame.deviceId ?? '';
          this.inFlight = 0;
          this.acked(frame.lastSeq ?? 0);
          resolve();
        } else if (frame.type === 'ack' && frame.seq !== undefined) {
          this.acked(frame.seq);
        } else if (frame.type === 'command' && frame.command) {
          this.commands.push(frame.command);
        } else if (frame.type === 'error') {
          this.errors.push(frame.code ?? 'error');
        }
      });
      ws.on('error', () => undefined);
      ws.on('close', (code: number, reason: Buffer) => {
        if (this.ws !== ws) return;
        this.ws = null;
        reject(new Error(`closed before welcome: ${code} ${reason.toString()} ${this.errors.join(',')}`));
        if (this.stopped || this.deviceId === '') return;
        // The real agent backs off with jitter; a short one keeps the test quick.
        setTimeout(() => void this.connect({ type: 'hello' }).catch(() => undefined), 100 + Math.random() * 200);
      });
    });
  }
}
