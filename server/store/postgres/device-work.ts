// A device's tickets, tickets raised for it in the console, and its logbook, in PostgreSQL
// (the DeviceWorkStore contract, device-work-records.ts).
import type pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { DeviceTicket, DeviceWorkStore } from '../device-work-records.js';
import { DEVICE_TICKET_COLUMNS, toDeviceTicket, type DeviceTicketRow } from '../ticket-rows.js';
import type { PgDeskStore } from './desk-store.js';
import { logbook } from './logbook.js';
import { inTransaction, type Queryable } from './tx.js';

const INSERT_TICKET = `
  INSERT INTO tickets (device_id, ref, subject, description, priority, category, status, requester, requester_account,
    device, hostname, attachments_expected, created_at, received_at, updated_at, public_updated_at, desk_queue, raised_by)
  VALUES ($1, $2, $3, $4, $5, NULL, 'new', $6, $7, $8, $9, 0, $10, $10, $10, $10, $11, $12)
  RETURNING id`;

export async function deviceExists(db: Queryable, deviceId: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM devices WHERE id = $1', [deviceId])).rowCount === 1;
}

export function createPgDeviceWork(pool: pg.Pool, desk: PgDeskStore): DeviceWorkStore {
  return {
    async deviceTickets(deviceId, limit): Promise<DeviceTicket[] | null> {
      if (!(await deviceExists(pool, deviceId))) return null;
      const rows = await pool.query<DeviceTicketRow>(
        `SELECT ${DEVICE_TICKET_COLUMNS}
         FROM tickets t WHERE t.device_id = $1
         ORDER BY t.status IN ('resolved', 'closed'), t.id DESC LIMIT $2`,
        [deviceId, limit],
      );
      return rows.rows.map((r) => toDeviceTicket(r, desk.isEnabled));
    },

    async createDeviceTicket(deviceId, t, jobs) {
      const { created, enqueued } = await inTransaction(pool, async (db) => {
        // The device row is locked so that a merge or delete cannot take it away under the new ticket.
        if ((await db.query('SELECT 1 FROM devices WHERE id = $1 FOR SHARE', [deviceId])).rowCount !== 1) {
          return { created: null, enqueued: 0 };
        }
        // The endpoint makes its refs; the console's are as random, and never start with '-'.
        const ref = `it${randomBytes(12).toString('hex')}`;
        const inserted = await db.query<{ id: number }>(INSERT_TICKET, [
          deviceId,
          ref,
          t.subject,
          t.description,
          t.priority,
          JSON.stringify(t.requester),
          t.requester.account,
          JSON.stringify(t.device),
          t.device.hostname,
          t.at,
          t.queue ?? null,
          t.raisedBy,
        ]);
        // The desk's rules name the same jobs as for a tray ticket; they go in with the ticket or not at all.
        const named = jobs ? jobs.ticketRaised(deviceId, ref) : [];
        for (const job of named) await desk.enqueueIn(db, job, t.at);
        return { created: { id: inserted.rows[0]!.id, ref }, enqueued: named.length };
      });
      if (enqueued > 0) desk.notify();
      return created;
    },

    async logbook(deviceId, page) {
      if (!(await deviceExists(pool, deviceId))) return null;
      return logbook(pool, deviceId, page, desk.isEnabled);
    },
  };
}
