// A device's tickets, a ticket raised for it from the console, and its logbook, in SQLite.
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { DeviceTicket, DeviceWorkStore, LogbookEntry, LogbookCursor, NewDeviceTicket } from '../device-work-records.js';
import { logbookRefs, TEXT_PREVIEW, toLogbookEntries, type ChangeItemsRow, type LogbookRow } from '../logbook-rows.js';
import type { SqliteDeskStore } from './desk-store.js';
import type { TicketChangeJobs } from '../ticket-records.js';
import { DESK_NUMBER_COLUMN, DEVICE_TICKET_COLUMNS, toDeviceTicket, type DeviceTicketRow } from '../ticket-rows.js';

// Every source of the logbook as (at, kind, id, ticket_id, detail): one ordered, paged timeline.
const LOGBOOK_SQL = `
  SELECT * FROM (
    SELECT received_at AS at, 'inventory' AS kind, id, NULL AS ticket_id,
      json_object('section', section, 'trigger', trigger) AS detail
      FROM changes WHERE device_id = @d
    UNION ALL
    SELECT received_at, 'ticket', id, id,
      json_object('subject', subject, 'status', status, 'raisedBy', raised_by, 'requester', requester_account)
      FROM tickets WHERE device_id = @d
    UNION ALL
    SELECT n.at, 'note', n.seq, n.ticket_id,
      json_object('author', n.author, 'visibility', n.visibility, 'fromEndpoint', json(CASE n.from_endpoint WHEN 1 THEN 'true' ELSE 'false' END),
        'text', substr(n.text, 1, ${TEXT_PREVIEW}))
      FROM ticket_notes n JOIN tickets t ON t.id = n.ticket_id WHERE t.device_id = @d
    UNION ALL
    SELECT w.recorded_at, 'worklog', w.id, w.ticket_id,
      json_object('technician', w.technician, 'minutes', w.minutes, 'description', substr(w.description, 1, ${TEXT_PREVIEW}))
      FROM worklogs w WHERE w.device_id = @d OR w.ticket_id IN (SELECT id FROM tickets WHERE device_id = @d)
    UNION ALL
    SELECT e.at, 'status', e.id, e.ticket_id, e.detail
      FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.device_id = @d AND e.kind = 'status'
    UNION ALL
    SELECT at, 'identity', id, NULL, json_object('event', kind, 'detail', json(detail))
      FROM device_events WHERE device_id = @d
    UNION ALL
    SELECT j.updated_at, 'desk', j.id, json_extract(j.payload, '$.ticketId'),
      json_object('job', j.kind, 'state', j.state, 'error', j.last_error,
        'deskId', (SELECT desk_id FROM desk_links l WHERE l.kind = 'asset' AND j.kind = 'asset' AND l.outpost_id = @d))
      -- Through the expression indexes of migration 10 (+state: not the queue's own index), never a
      -- scan of the whole queue; @tickets is the device's ticket ids, read first.
      FROM desk_jobs j
      WHERE +j.state IN ('done', 'failed')
        AND (json_extract(j.payload, '$.deviceId') = @d OR json_extract(j.payload, '$.ticketId') IN (SELECT value FROM json_each(@tickets)))
  )
  WHERE at < @at OR (at = @at AND kind < @kind) OR (at = @at AND kind = @kind AND id < @id)
  ORDER BY at DESC, kind DESC, id DESC
  LIMIT @limit`;

export class SqliteDeviceWork implements DeviceWorkStore {
  constructor(
    private readonly db: Database.Database,
    /** A ticket raised here is queued for the service desk in the same transaction. */
    private readonly desk: SqliteDeskStore,
  ) {}

  async deviceTickets(deviceId: string, limit: number): Promise<DeviceTicket[] | null> {
    if (!this.exists(deviceId)) return null;
    const rows = this.db
      .prepare<[string, number], DeviceTicketRow>(
        `SELECT ${DEVICE_TICKET_COLUMNS}
         FROM tickets t
         WHERE t.device_id = ?
         ORDER BY t.status IN ('resolved', 'closed'), t.id DESC LIMIT ?`,
      )
      .all(deviceId, limit);
    return rows.map((r) => toDeviceTicket(r, this.desk.isEnabled));
  }

  async createDeviceTicket(
    deviceId: string,
    t: NewDeviceTicket,
    jobs?: TicketChangeJobs | null,
  ): Promise<{ id: number; ref: string } | null> {
    const desk = this.desk;
    let enqueued = false;
    const created = this.db.transaction(() => {
      if (!this.exists(deviceId)) return null;
      // The endpoint makes its refs; the console's are as random, and never start with '-'.
      const ref = `it${randomBytes(12).toString('hex')}`;
      const device = t.device;
      const inserted = this.db
        .prepare(
          `INSERT INTO tickets (device_id, ref, subject, description, priority, category, status, requester, requester_account,
             device, hostname, attachments_expected, created_at, received_at, updated_at, public_updated_at, desk_queue, raised_by)
           VALUES (@deviceId, @ref, @subject, @description, @priority, NULL, 'new', @requester, @account,
             @device, @hostname, 0, @at, @at, @at, @at, @queue, @raisedBy)`,
        )
        .run({
          deviceId,
          ref,
          subject: t.subject,
          description: t.description,
          priority: t.priority,
          requester: JSON.stringify(t.requester),
          account: t.requester.account,
          device: JSON.stringify(device),
          hostname: device.hostname,
          at: t.at,
          queue: t.queue ?? null,
          raisedBy: t.raisedBy,
        });
      // The desk's rules name the same jobs as for a tray ticket; they go in with the ticket or not at all.
      const named = jobs ? jobs.ticketRaised(deviceId, ref) : [];
      for (const job of named) desk.enqueueSync(job, t.at);
      enqueued = named.length > 0;
      return { id: Number(inserted.lastInsertRowid), ref };
    })();
    if (enqueued) desk.notify();
    return created;
  }

  async logbook(deviceId: string, page: { limit: number; before?: LogbookCursor }): Promise<LogbookEntry[] | null> {
    if (!this.exists(deviceId)) return null;
    const before = page.before ?? { at: Number.MAX_SAFE_INTEGER, kind: 'ticket', id: 0 };
    const tickets = this.db.prepare('SELECT id FROM tickets WHERE device_id = ?').pluck().all(deviceId) as number[];
    const rows = this.db.prepare(LOGBOOK_SQL).all({
      d: deviceId,
      tickets: JSON.stringify(tickets),
      at: before.at,
      kind: before.kind,
      id: before.id,
      limit: page.limit,
    }) as LogbookRow[];
    const { ticketIds, changeIds } = logbookRefs(rows);
    const deskNumbers = this.db
      .prepare(`SELECT t.id, ${DESK_NUMBER_COLUMN} FROM tickets t WHERE t.id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ticketIds)) as { id: number; desk_number: string | null }[];
    const changes = this.db
      .prepare('SELECT id, added, removed, changed FROM changes WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(changeIds)) as ChangeItemsRow[];
    return toLogbookEntries(rows, deskNumbers, changes, this.desk.isEnabled);
  }

  private exists(deviceId: string): boolean {
    return this.db.prepare('SELECT 1 FROM devices WHERE id = ?').get(deviceId) !== undefined;
  }
}
