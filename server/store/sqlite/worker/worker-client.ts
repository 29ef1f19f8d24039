// The main thread's handle on the store worker (store-worker.ts): posts calls and jobs, settles their
// promises with the answers, answers the worker's calls back (marshal.ts) and passes on its events.
// If the worker dies (a crash, out of its heap), every call it held fails with E_INTERNAL's meaning
// (a session closes with 1011 and its agent resends what was not acked: an uncommitted transaction
// left nothing behind, a committed one is recognised by its seq) and the next call starts a new
// worker on the same file. stop() lets the calls already posted finish, then closes the store.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { answerCallback, marshal, revive, type CallbackRequest, type Callbacks } from './marshal.js';
import { rebuiltError, type FromWorkerMessage, type StoreWorkerData, type ToWorkerMessage } from './messages.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  /** The handles of this call's functions, forgotten when it settles. */
  handles: number[];
}

interface Running {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
  ready: Promise<void>;
}

type Outgoing = { kind: 'call'; path: string[]; args: unknown[] } | { kind: 'job'; module: string; name: string; args: unknown[] };

export class StoreWorkerClient {
  private running: Running | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly callbacks: Callbacks = new Map();
  private nextId = 1;
  private stopped = false;
  private enqueued: (() => void) | null = null;
  /** How many times a worker had to be started again after dying (for logs and tests). */
  restarts = 0;

  constructor(private readonly dataDir: string) {}

  /** Starts the worker and waits until its store is open (the schema migrated). */
  async start(): Promise<void> {
    await this.worker().ready;
  }

  /** Called after a worker transaction that enqueued desk jobs committed. */
  onEnqueued(listener: (() => void) | null): void {
    this.enqueued = listener;
  }

  /** Calls a store method in the worker, after the calls and jobs posted before it. */
  call(path: string[], args: unknown[]): Promise<unknown> {
    return this.send({ kind: 'call', path, args });
  }

  job(module: string, name: string, args: unknown[]): Promise<unknown> {
    return this.send({ kind: 'job', module, name, args });
  }

  /** Lets the calls already posted finish, closes the store and ends the worker. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const running = this.running;
    if (!running) return;
    try {
      await running.ready;
      await this.post(running, { kind: 'close' });
    } catch {
      // it died: nothing of it is left to close
    }
    this.running = null;
    running.port.close();
    await running.worker.terminate();
  }

  /** Kills the worker as a crash would (tests). */
  async crashForTest(): Promise<void> {
    await this.running?.worker.terminate();
  }

  private async send(message: Outgoing): Promise<unknown> {
    if (this.stopped) throw new Error('The store is closed.');
    const running = this.worker();
    await running.ready;
    return this.post(running, message);
  }

  private post(running: Running, message: Outgoing | { kind: 'close' }): Promise<unknown> {
    const id = this.nextId++;
    const handles: number[] = [];
    const args = 'args' in message ? this.marshalArgs(message.args, handles) : undefined;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, handles });
      const typed = { ...message, ...(args ? { args } : {}), id } as ToWorkerMessage;
      running.worker.postMessage(typed);
    });
  }

  private marshalArgs(args: unknown[], handles: number[]): unknown[] {
    const before = new Set(this.callbacks.keys());
    const marshalled = marshal(args, this.callbacks) as unknown[];
    for (const k of this.callbacks.keys()) if (!before.has(k)) handles.push(k);
    return marshalled;
  }

  private worker(): Running {
    if (this.running) return this.running;
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const [entry, how] = workerEntry();
    const workerData: StoreWorkerData = { dataDir: this.dataDir, callbacks: port2, signal: signal.buffer };
    const worker = new Worker(entry, { ...how, workerData, transferList: [port2] });
    let opened!: () => void;
    let failed!: (err: Error) => void;
    const ready = new Promise<void>((resolve, reject) => ((opened = resolve), (failed = reject)));
    ready.catch(() => undefined);
    const running: Running = { worker, port: port1, signal, ready };
    port1.on('message', (request: CallbackRequest) => answerCallback(port1, signal, this.callbacks, request));
    worker.on('message', (message: FromWorkerMessage) => {
      if (message.kind === 'ready') return opened();
      if (message.kind === 'failed') return failed(rebuiltError(message.error));
      if (message.kind === 'enqueued') return this.enqueued?.();
      this.settle(message.id, message.kind === 'done' ? { value: message.value } : { error: rebuiltError(message.error) });
    });
    const lost = (err: Error) => {
      if (this.running !== running) return;
      this.running = null;
      port1.close();
      failed(err);
      if (!this.stopped) this.restarts++;
      for (const id of [...this.pending.keys()]) this.settle(id, { error: err });
    };
    worker.on('error', (err) => lost(new Error(`the store worker failed: ${err.message}`)));
    worker.on('exit', (code) => lost(new Error(`the store worker exited (${code})`)));
    this.running = running;
    return running;
  }

  private settle(id: number, outcome: { value: unknown } | { error: Error }): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    for (const h of p.handles) this.callbacks.delete(h);
    if ('error' in outcome) p.reject(outcome.error);
    else p.resolve(revive(outcome.value));
  }
}

/**
 * The worker's entry. Built, it is store-worker.js beside this module. Under tsx (the tests run the
 * TypeScript sources) a worker thread does not inherit tsx's loader, so a one-line entry registers
 * it first (as the frame reader does, ingest/frame-reader.ts).
 */
function workerEntry(): [string | URL, { eval?: boolean }] {
  if (!import.meta.url.endsWith('.ts')) return [new URL('./store-worker.js', import.meta.url), {}];
  const url = JSON.stringify(new URL('./store-worker.ts', import.meta.url).href);
  return [`import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${url}))`, { eval: true }];
}
