// The SQLite store as the server runs it: the write connection and every call that writes live in a
// worker thread (store-worker.ts), and so do store jobs (an ingest batch's read, plan and write,
// store-job.ts); the reads the API and the sessions make most run here on a read-only connection to
// the same file (WAL: a reader never waits for the writer, and sees each transaction once it
// committed). The event loop that serves sockets and the API therefore never runs a write
// transaction nor waits for one. The routing is by name and generic: any store method not listed in
// READS_HERE goes to the worker, whatever it writes, so new store methods need no change here.
import type { DeskStore } from '../../desk-records.js';
import type { Store } from '../../store.js';
import type { StoreJob } from '../../store-job.js';
import { openReadOnlyDatabase } from '../open.js';
import { SqliteStore } from '../sqlite-store.js';
import { StoreWorkerClient } from './worker-client.js';

/** Store methods that only read, answered on the main thread's read-only connection. */
const READS_HERE: ReadonlySet<string> = new Set([
  'adminTokenHash',
  'listEnrolmentTokens',
  'getEnrolmentToken',
  'deviceCredential',
  'listIdentityEvents',
  'deviceExists',
  'listDevices',
  'getDevice',
  'devicePlatforms',
  'listSoftware',
  'listChanges',
  'softwareDetail',
  'listProhibited',
  'endpointTickets',
  'worklogRecorded',
  'listTickets',
  'getTicket',
  'getAttachment',
  // The fleet software counts are kept by the writes themselves (fleet-counts.ts): a plain read.
  'listFleetSoftware',
  'prohibitedDeviceCounts',
]);

/** Reads of a part of the store (`part.method`), answered here too: a hello's lists and pending deployments. */
const PART_READS_HERE: ReadonlySet<string> = new Set(['templates.list', 'deploy.listPackages', 'deploy.pendingTargets']);
const PARTS_WITH_READS: ReadonlySet<string> = new Set([...PART_READS_HERE].map((read) => read.split('.')[0]!));

/** Opens the store worker on `dataDir` (creating and migrating the file) and a reader beside it. */
export async function openWorkerStore(dataDir: string): Promise<Store & { readonly worker: StoreWorkerClient }> {
  const worker = new StoreWorkerClient(dataDir);
  await worker.start();
  let reader: SqliteStore;
  try {
    reader = new SqliteStore(openReadOnlyDatabase(dataDir));
  } catch (err) {
    await worker.stop();
    throw err;
  }
  return workerStore(worker, reader);
}

function workerStore(worker: StoreWorkerClient, reader: SqliteStore): Store & { readonly worker: StoreWorkerClient } {
  const own: Record<string, unknown> = {
    worker,
    desk: workerDesk(worker),
    close: async () => {
      await worker.stop();
      await reader.close();
    },
    runJob: <A extends unknown[], R>(job: StoreJob<A, R>, ...args: A) => worker.job(job.module, job.name, args) as Promise<R>,
    applyBatch: () => {
      throw new Error('The worker store applies batches as store jobs (runJob): a plan function cannot cross to its thread.');
    },
  };
  const readerMethods = reader as unknown as Record<string, (...args: unknown[]) => unknown>;
  const parts = new Map<string, unknown>();
  return new Proxy(own, {
    get(target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      if (name in target) return target[name];
      if (READS_HERE.has(name)) return readerMethods[name]!.bind(reader);
      if (PARTS_WITH_READS.has(name)) return parts.get(name) ?? parts.set(name, partWithReads(worker, reader, name)).get(name);
      return forward(worker, [name]);
    },
  }) as unknown as Store & { readonly worker: StoreWorkerClient };
}

/** A method, or a part of the store (`deploy`, `admins`, ...) whose methods all go to the worker. */
function forward(worker: StoreWorkerClient, path: string[]): unknown {
  const call = (...args: unknown[]) => worker.call(path, args);
  return new Proxy(call, {
    get(target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      // A method is a function to its callers too (bind, apply).
      if (name in Function.prototype) return Reflect.get(target, name) as unknown;
      return forward(worker, [...path, name]);
    },
  });
}

/** A part of the store whose reads listed in PART_READS_HERE run on the reader; its other methods go to the worker. */
function partWithReads(worker: StoreWorkerClient, reader: SqliteStore, part: string): unknown {
  const local = (reader as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>)[part]!;
  const forwarded = forward(worker, [part]) as Record<string, unknown>;
  return new Proxy(forwarded, {
    get(target, name) {
      if (typeof name === 'string' && PART_READS_HERE.has(`${part}.${name}`)) return local[name]!.bind(local);
      return Reflect.get(target, name) as unknown;
    },
  });
}

/** The desk queue: calls go to the worker; whether a desk is enabled and who hears of new jobs are also kept here. */
function workerDesk(worker: StoreWorkerClient): DeskStore {
  let enabled = false;
  const own: Partial<DeskStore> = {
    get isEnabled() {
      return enabled;
    },
    setEnabled(value: boolean) {
      enabled = value;
      void worker.call(['desk', 'setEnabled'], [value]).catch(() => undefined);
    },
    onEnqueued(listener: (() => void) | null) {
      worker.onEnqueued(listener);
    },
  };
  return new Proxy(own, {
    get(target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      if (name in target) return (target as Record<string, unknown>)[name];
      return forward(worker, ['desk', name]);
    },
  }) as DeskStore;
}
