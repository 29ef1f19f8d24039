// Work a caller hands the store as a whole: a function of (store, arguments) that a module exports.
// A store that does its database work on another thread (SQLite's worker, sqlite/worker/) imports the
// module there and runs the function beside its write connection, so that whatever the function
// computes between reads and writes (an ingest batch's plan) is done off the event loop too; any
// other store simply calls it. The store does not know what the function does.
import type { Store } from './store.js';

export interface StoreJob<A extends unknown[], R> {
  /** The module that exports the job under `name` (its import.meta.url). */
  readonly module: string;
  readonly name: string;
  /** Arguments and result cross threads as structured clones; functions in the arguments are called back. */
  readonly run: (store: Store, ...args: A) => Promise<R>;
}

/** A job for `export const name = storeJob(import.meta.url, 'name', run)`. */
export function storeJob<A extends unknown[], R>(
  module: string,
  name: string,
  run: (store: Store, ...args: A) => Promise<R>,
): StoreJob<A, R> {
  return { module, name, run };
}
