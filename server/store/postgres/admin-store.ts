// Console users and their sessions in PostgreSQL (the AdminStore contract, admin-records.ts).
// Owned by the ticket/desk side of the PostgreSQL store (pgb).
import type pg from 'pg';
import type { AdminStore } from '../admin-records.js';
import { pending } from './pending.js';

export function createPgAdminStore(_pool: pg.Pool): AdminStore {
  return pending<AdminStore>('admins');
}
