// The messages between the main thread and the store worker (store-worker.ts), one typed map each way.
// Arguments are marshalled (marshal.ts): their functions cross as handles the worker calls back.
import type { MessagePort } from 'node:worker_threads';

export interface ToWorker {
  /** A store method by its path (`['setOnline']`, `['desk', 'enqueue']`). */
  call: { id: number; path: string[]; args: unknown[] };
  /** A store job (store-job.ts): the function `name` that `module` exports, run with the worker's store. */
  job: { id: number; module: string; name: string; args: unknown[] };
  /** Close the store (after the calls before it) and exit. */
  close: { id: number };
}
export type ToWorkerMessage = { [K in keyof ToWorker]: { kind: K } & ToWorker[K] }[keyof ToWorker];

/** An error as it crosses back: its message, and the code callers look at (SQLite's, or the store's). */
export interface CrossedError {
  message: string;
  name: string;
  code?: string;
}

export interface FromWorker {
  /** The store is open (its schema migrated): calls may come. */
  ready: object;
  /** The store could not be opened. */
  failed: { error: CrossedError };
  done: { id: number; value: unknown };
  threw: { id: number; error: CrossedError };
  /** A transaction that enqueued desk jobs committed (DeskStore.onEnqueued). */
  enqueued: object;
}
export type FromWorkerMessage = { [K in keyof FromWorker]: { kind: K } & FromWorker[K] }[keyof FromWorker];

/** What the worker is started with. */
export interface StoreWorkerData {
  dataDir: string;
  /** The port and the flag of the worker's synchronous calls back to the main thread (marshal.ts). */
  callbacks: MessagePort;
  signal: SharedArrayBuffer;
}

export function crossedError(err: unknown): CrossedError {
  if (!(err instanceof Error)) return { message: String(err), name: 'Error' };
  const code = (err as { code?: unknown }).code;
  return { message: err.message, name: err.name, ...(typeof code === 'string' ? { code } : {}) };
}

/** The error a caller on the main thread sees, with the worker's message and code. */
export function rebuiltError(crossed: CrossedError): Error {
  const err = new Error(crossed.message);
  err.name = crossed.name;
  if (crossed.code !== undefined) (err as Error & { code?: string }).code = crossed.code;
  return err;
}
