// Reads agent frames without holding the event loop for a large one. A frame under
// WORKER_FRAME_BYTES (every enrol and hello, deltas, ticket items) is read in place; a larger one (a
// full snapshot or a part of one, a ticket attachment) goes to one worker thread (frame-worker.ts):
// JSON.parse and the schema check of a ~170 KB snapshot cost the loop ~4-8 ms, of 16 MB of small
// objects 130-150 ms, refused or not, while taking the worker's answer costs ~0.1 ms: a snapshot's
// body comes back packed (packed-items.ts) and goes on to the store's batch job unread, where as
// objects it cost the loop ~1 ms to take and as much again to send on. In a fleet's first inventory
// those reads were the largest part of the loop's work, and the API waited behind them.
// The worker answers with only what the schema keeps. It starts with the first large frame (no thread
// is kept until then) and stops with the server. If it dies (out of its heap on a hostile frame), every frame it held fails as an
// internal error would (the session closes with 1011; the agent resends what was not acked) and the
// next large frame starts a new worker: the server process itself is never at risk.
import { Worker } from 'node:worker_threads';
import type { AgentMessage } from '../../shared/protocol.js';
import type { Screened } from './budget-screen.js';
import type { FrameAnswer, FrameJob } from './frame-worker.js';
import type { CarriedItem } from './packed-items.js';
import { readAgentFrame, type FrameReading } from './read-frame.js';

type ItemsMessage = Extract<AgentMessage, { type: 'items' }>;
/** A message as the event loop holds it: an items message's bulky bodies may be packed (packed-items.ts). */
export type CarriedMessage = Exclude<AgentMessage, ItemsMessage> | (Omit<ItemsMessage, 'items'> & { items: CarriedItem[] });
/** A frame reading whose items may be packed: read in the worker, a snapshot's body is. */
export type CarriedReading =
  Exclude<FrameReading, { message: AgentMessage }> | { ok: true; message: CarriedMessage; overBudget: Screened[] };

/** Frames from this size on are read in the worker: below it, reading in place costs about a millisecond. */
export const WORKER_FRAME_BYTES = 32 * 1024;

/** The worker's heap: room to parse a 16 MB frame of small objects (~10x its size), not to grow without end. */
const WORKER_HEAP_MB = 512;

export interface FrameReaderOptions {
  /** Frames of at least this many bytes go to the worker (tests lower it). */
  workerFrameBytes?: number;
}

export class FrameReader {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, { resolve: (r: CarriedReading) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private stopped = false;
  private readonly workerFrameBytes: number;
  /** How many frames were read in the worker (for logs and tests). */
  readInWorker = 0;

  constructor(opts: FrameReaderOptions = {}) {
    this.workerFrameBytes = opts.workerFrameBytes ?? WORKER_FRAME_BYTES;
  }

  /** Reads one text frame (UTF-8 bytes); never rejects for what the frame holds, only if the worker dies. */
  read(bytes: Buffer, authenticated: boolean): Promise<CarriedReading> {
    if (bytes.length < this.workerFrameBytes || this.stopped) {
      return Promise.resolve(readAgentFrame(bytes.toString('utf8'), authenticated));
    }
    const worker = this.worker ?? this.startWorker();
    const id = this.nextId++;
    this.readInWorker++;
    return new Promise<CarriedReading>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Copied, not transferred: ws may hand over a slice of a buffer it still uses. A slice is cut
      // out first, since a copied view brings its whole underlying buffer.
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      worker.postMessage({ id, bytes: whole ? bytes : new Uint8Array(bytes), authenticated } satisfies FrameJob);
    });
  }

  /** Ends the worker; frames read after this are read in place. */
  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
    this.failAll(new Error('the frame reader stopped'));
  }

  private startWorker(): Worker {
    const [entry, how] = workerEntry();
    const worker = new Worker(entry, { ...how, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    worker.unref();
    worker.on('message', (answer: FrameAnswer) => {
      const w = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      w?.resolve(answer.reading);
    });
    const lost = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the frame worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) w.reject(err);
  }
}

/**
 * The worker's entry. Built, it is frame-worker.js beside this module. Under tsx (the tests run the
 * TypeScript sources) a worker thread on Node 20 does not inherit tsx's loader, so a one-line entry
 * registers it before importing frame-worker.ts.
 */
function workerEntry(): [string | URL, { eval?: boolean }] {
  if (!import.meta.url.endsWith('.ts')) return [new URL('./frame-worker.js', import.meta.url), {}];
  const url = JSON.stringify(new URL('./frame-worker.ts', import.meta.url).href);
  return [`import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${url}))`, { eval: true }];
}
