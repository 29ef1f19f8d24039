// A device's tickets, tickets raised for it in the console, and its logbook, in PostgreSQL
// (the DeviceWorkStore contract, device-work-records.ts). Owned by the ticket/desk side (pgb).
import type pg from 'pg';
import type { DeviceWorkStore } from '../device-work-records.js';
import type { PgDeskStore } from './desk-store.js';
import { pending } from './pending.js';

export function createPgDeviceWork(_pool: pg.Pool, _desk: PgDeskStore): DeviceWorkStore {
  return pending<DeviceWorkStore>('deviceWork');
}
