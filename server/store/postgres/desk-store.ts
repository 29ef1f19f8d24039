// The service-desk sync's queue, links and cursor in PostgreSQL (the DeskStore contract, desk-records.ts).
// Owned by the ticket/desk side of the PostgreSQL store (pgb).
import type pg from 'pg';
import type { DeskStore, NewDeskJob } from '../desk-records.js';
import { pending } from './pending.js';
import type { Queryable } from './tx.js';

export interface PgDeskStore extends DeskStore {
  /** Writes one job inside the caller's transaction (a batch's, a ticket change's). */
  enqueueIn(db: Queryable, job: NewDeskJob, at: number): Promise<void>;
  /** Tells the sync engine jobs were committed (after the caller's commit). */
  notify(): void;
}

export function createPgDeskStore(_pool: pg.Pool): PgDeskStore {
  return pending<PgDeskStore>('desk');
}
