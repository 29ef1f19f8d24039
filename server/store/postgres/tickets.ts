// Tickets as IT and the endpoints read and change them outside a batch, in PostgreSQL (the
// TicketStore contract, ticket-records.ts). Owned by the ticket/desk side (pgb).
import type pg from 'pg';
import type { TicketStore } from '../ticket-records.js';
import type { PgDeskStore } from './desk-store.js';
import { pending } from './pending.js';

export function createPgTicketStore(_pool: pg.Pool, _desk: PgDeskStore): TicketStore {
  return pending<TicketStore>('tickets');
}
