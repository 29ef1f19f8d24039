// Which fleet bus a server uses follows its store: alone on a SQLite file (local), or one of possibly
// several processes on a PostgreSQL database.
import type { Logger } from '../../shared/log.js';
import { usesPostgres, type StoreLocation } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { FleetBus } from './bus.js';
import { LocalFleetBus } from './local-bus.js';
import { PgFleetBus } from './pg-bus.js';

export interface FleetTimings {
  /** How often a process says it is alive (PostgreSQL). */
  heartbeatMs?: number;
  /** After how long without a heartbeat a process counts as dead and its devices go offline. */
  leaseMs?: number;
}

export function openFleetBus(where: StoreLocation, store: Store, log: Logger, now: () => number, timings: FleetTimings = {}): FleetBus {
  if (!usesPostgres(where)) return new LocalFleetBus(store);
  return new PgFleetBus({ url: where.store, log, now, ...timings });
}
