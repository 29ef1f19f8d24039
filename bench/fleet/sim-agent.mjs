// One simulated agent: the real agent's link (agent/link/link.ts) without its disk. It enrols with a
// token or says hello with its device secret, answers what the server says with the protocol's own
// schemas, sends its outbox in the agent's batches (agent/link/batch.ts) within the agent's window,
// and reconnects as the agent does, spread as the server's welcome asks (agent/link/reconnect-policy.ts).
import { deflateRawSync, constants as zlib } from 'node:zlib';
import WebSocket, { Sender } from 'ws';

const dist = new URL('../../dist/', import.meta.url);
const { LIMITS, PROTOCOL_VERSION, ServerMessages, parseFrame } = await import(new URL('shared/protocol.js', dist).href);
const { agentUrl } = await import(new URL('agent/link/url.js', dist).href);
const { nextBatch } = await import(new URL('agent/link/batch.js', dist).href);
const { ReconnectPolicy, attemptFailure } = await import(new URL('agent/link/reconnect-policy.js', dist).href);
const { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFLATE_THRESHOLD_BYTES } = await import(new URL('agent/link/link-options.js', dist).href);

export const AGENT_VERSION = 'bench-fleet';

/**
 * A message the agent would compress, compressed here at once and written as one permessage-deflate
 * frame. The real agent is one process that deflates its own message in a few milliseconds; through
 * ws, the thousands of agents of one worker process would queue for its zlib (ws runs 10 at a time a
 * process), and ws holds a pong back while its connection's message waits for compression: an agent
 * whose snapshot waited its turn there answered no ping for more than a heartbeat period, and the
 * server rightly dropped it (measured: every heartbeat drop of a 3,000 first inventory was of a
 * socket with nothing unread on the server's side). Each message is deflated alone (a fresh stream
 * ending in a sync flush), which the server inflates exactly as before, and no deflate context is
 * kept per connection, so 50,000 simulated agents fit in memory.
 */
function sendDeflated(ws, text) {
  const deflated = deflateRawSync(text, { finishFlush: zlib.Z_SYNC_FLUSH });
  const frame = Sender.frame(deflated.subarray(0, deflated.length - 4), {
    fin: true,
    rsv1: true,
    opcode: 1,
    mask: true,
    readOnly: false,
  });
  ws._socket.write(frame.length === 1 ? frame[0] : Buffer.concat(frame));
}

export class SimAgent {
  constructor({ index, url, token, localAddress, stats, model, onFullRequested }) {
    Object.assign(this, { index, url, token, localAddress, stats, model, onFullRequested });
    this.deviceId = undefined;
    this.secret = undefined;
    this.reconnect = new ReconnectPolicy(Math.random, () => Date.now());
    this.phase = 'idle';
    this.ws = undefined;
    /** Unacknowledged items in seq order: { seq, item, sentAt } */
    this.outbox = [];
    this.sentThrough = 0;
    this.inFlight = 0;
    this.lastSeq = 0;
    this.readySince = 0;
    this.lastHeard = 0;
    this.attemptStart = 0;
    this.welcomed = undefined;
  }

  get ready() {
    return this.phase === 'ready';
  }

  /** Connects now; resolves at the first welcome of this attempt or at its failure. */
  connect() {
    this.phase = 'connecting';
    this.attemptStart = performance.now();
    this.stats.attempts++;
    const first = this.secret
      ? {
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          agentVersion: AGENT_VERSION,
          deviceId: this.deviceId,
          secret: this.secret,
          hints: this.hints(),
        }
      : { type: 'enrol', protocol: PROTOCOL_VERSION, agentVersion: AGENT_VERSION, token: this.token, hints: this.hints() };
    const ws = new WebSocket(agentUrl(this.url), {
      perMessageDeflate: { threshold: DEFLATE_THRESHOLD_BYTES },
      maxPayload: LIMITS.maxFrameBytes,
      handshakeTimeout: DEFAULT_HANDSHAKE_TIMEOUT_MS,
      localAddress: this.localAddress,
    });
    this.ws = ws;
    this.failure = undefined;
    this.failureMessage = undefined;
    ws.on('open', () => {
      this.phase = 'authenticating';
      this.lastHeard = performance.now();
      // As the agent does: the first message uncompressed (agent/link/link.ts).
      ws.send(JSON.stringify(first), { compress: false });
    });
    ws.on('message', (data) => this.onFrame(ws, data));
    ws.on('ping', () => (this.lastHeard = performance.now()));
    ws.on('unexpected-response', (_req, res) => {
      this.failure = `http-${res.statusCode}`;
      this.failureMessage = `Unexpected server response: ${res.statusCode}`;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      this.failure ??= err.code ?? err.message;
      this.failureMessage ??= err.message;
    });
    ws.on('close', (code) => this.onClose(ws, code));
  }

  hints() {
    const { rest } = this.model;
    return {
      installId: `bench-install-${String(this.index).padStart(8, '0')}`,
      hostname: rest.os.hostname,
      serial: rest.hardware.serial,
      uuid: rest.hardware.uuid,
      macs: rest.network.map((n) => n.mac),
    };
  }

  send(text) {
    if (Buffer.byteLength(text) < DEFLATE_THRESHOLD_BYTES) this.ws.send(text, { compress: false });
    else sendDeflated(this.ws, text);
  }

  onFrame(ws, data) {
    if (ws !== this.ws) return;
    this.lastHeard = performance.now();
    const parsed = parseFrame(ServerMessages, data.toString('utf8'));
    if (!parsed.ok) return this.stats.count(`bad-frame ${parsed.code}`);
    const msg = parsed.message;
    switch (msg.type) {
      case 'enrolled':
        this.deviceId = msg.deviceId;
        this.secret = msg.secret;
        return;
      case 'welcome':
        return this.onWelcome(msg);
      case 'ack':
        return this.onAck(msg.seq);
      case 'command':
        if (msg.command === 'full-snapshot') this.onFullRequested(this);
        return;
      case 'error':
        this.stats.count(`error ${msg.code}`);
        if (msg.code === 'E_DIGEST_MISMATCH' || msg.code === 'E_NO_BASELINE') this.onFullRequested(this, true);
        return;
      default:
        return;
    }
  }

  onWelcome(msg) {
    this.deviceId = msg.deviceId;
    this.reconnect.spreadOver((msg.reconnectSpreadSeconds ?? 0) * 1000);
    this.spreadSeconds = msg.reconnectSpreadSeconds ?? 0;
    // The outbox's reconcile: items the server has are done.
    this.outbox = this.outbox.filter((o) => o.item.seq > msg.lastSeq);
    this.lastSeq = Math.max(this.lastSeq, msg.lastSeq);
    this.sentThrough = 0;
    this.inFlight = 0;
    this.phase = 'ready';
    this.readySince = performance.now();
    this.stats.welcomed(this, this.readySince - this.attemptStart);
    this.pump();
  }

  /** Queues items (seq order) and sends what the window allows. */
  enqueue(items) {
    for (const item of items) this.outbox.push({ item, sentAt: 0 });
    this.pump();
  }

  nextSeq() {
    return ++this.lastSeq;
  }

  onAck(seq) {
    const now = performance.now();
    let done = 0;
    while (this.outbox.length && this.outbox[0].item.seq <= Math.min(seq, this.sentThrough)) {
      const o = this.outbox.shift();
      this.stats.acked(o.item.kind, now - o.sentAt);
      done++;
    }
    this.inFlight -= done;
    this.pump();
  }

  pump() {
    const ws = this.ws;
    if (this.phase !== 'ready' || !ws || ws.readyState !== WebSocket.OPEN) return;
    for (let room = Math.min(LIMITS.maxBatchItems, LIMITS.sendWindow - this.inFlight); room > 0;) {
      const unsent = this.outbox.filter((o) => o.item.seq > this.sentThrough).slice(0, room);
      if (unsent.length === 0) return;
      const batch = nextBatch(
        unsent.map((o) => o.item),
        room,
      );
      if (batch.kind !== 'frame') throw new Error('a simulated item is too large');
      const now = performance.now();
      for (const o of unsent.slice(0, batch.seqs.length)) o.sentAt = now;
      this.send(batch.frame);
      this.sentThrough = batch.seqs.at(-1);
      this.inFlight += batch.seqs.length;
      room -= batch.seqs.length;
    }
  }

  onClose(ws, code) {
    if (ws !== this.ws) return;
    this.ws = undefined;
    const wasReady = this.phase === 'ready';
    if (!wasReady) this.stats.failed(this.failure ?? `close-${code}`);
    if (this.phase === 'stopped') return;
    const upFor = wasReady ? performance.now() - this.readySince : 0;
    if (wasReady) this.stats.dropped(code);
    this.reconnect.closed(code, upFor, attemptFailure(this.failureMessage));
    this.phase = 'waiting';
    this.timer = setTimeout(() => this.connect(), this.reconnect.next());
  }

  /** The agent's heartbeat check (35 s without a ping or frame: the link is dead). */
  checkHeartbeat(now, timeoutMs) {
    if ((this.phase === 'ready' || this.phase === 'authenticating') && now - this.lastHeard > timeoutMs) {
      this.stats.count('heartbeat-timeout');
      this.ws?.terminate();
    }
  }

  stop() {
    this.phase = 'stopped';
    clearTimeout(this.timer);
    this.ws?.terminate();
  }
}
