// The store worker thread: owns the SQLite write connection and runs every store call that writes,
// and the store jobs (an ingest batch: read state, plan, write), one message at a time in arrival
// order, so the main thread's event loop never waits for a transaction. worker-client.ts starts it.
import { parentPort, workerData } from 'node:worker_threads';
import type { Store } from '../../store.js';
import type { StoreJob } from '../../store-job.js';
import { SqliteStore } from '../sqlite-store.js';
import { blockingCaller, unmarshal } from './marshal.js';
import { crossedError, type FromWorkerMessage, type StoreWorkerData, type ToWorkerMessage } from './messages.js';

const data = workerData as StoreWorkerData;
const port = parentPort!;
const post = (message: FromWorkerMessage) => port.postMessage(message);
const callMain = blockingCaller(data.callbacks, new Int32Array(data.signal));

/** A method of the store or of one of its parts (`desk`, `deploy`, ...) by its path. */
function method(store: Store, path: readonly string[]): (...args: unknown[]) => unknown {
  let target: unknown = store;
  for (const name of path.slice(0, -1)) target = (target as Record<string, unknown>)[name];
  const fn = (target as Record<string, unknown>)[path.at(-1)!];
  if (typeof fn !== 'function') throw new Error(`no store method ${path.join('.')}`);
  return (fn as (...args: unknown[]) => unknown).bind(target);
}

const modules = new Map<string, Promise<Record<string, StoreJob<unknown[], unknown> | undefined>>>();

async function job(store: Store, module: string, name: string, args: unknown[]): Promise<unknown> {
  let loading = modules.get(module);
  if (!loading) modules.set(module, (loading = import(module) as Promise<Record<string, StoreJob<unknown[], unknown> | undefined>>));
  const exported = await loading;
  const found = exported[name];
  if (!found || typeof found.run !== 'function') throw new Error(`no store job ${name} in ${module}`);
  return found.run(store, ...args);
}

async function handle(store: SqliteStore, message: ToWorkerMessage): Promise<void> {
  try {
    let value: unknown;
    if (message.kind === 'call') value = await method(store, message.path)(...(unmarshal(message.args, callMain) as unknown[]));
    else if (message.kind === 'job') value = await job(store, message.module, message.name, unmarshal(message.args, callMain) as unknown[]);
    else value = await store.close();
    post({ kind: 'done', id: message.id, value });
    if (message.kind === 'close') port.close();
  } catch (err) {
    post({ kind: 'threw', id: message.id, error: crossedError(err) });
  }
}

let store: SqliteStore;
try {
  store = SqliteStore.open(data.dataDir);
  store.desk.onEnqueued(() => post({ kind: 'enqueued' }));
  // Messages are handled in order: each call's transactions finish before the next call starts.
  let queue = Promise.resolve();
  port.on('message', (message: ToWorkerMessage) => {
    queue = queue.then(() => handle(store, message));
  });
  post({ kind: 'ready' });
} catch (err) {
  post({ kind: 'failed', error: crossedError(err) });
}
