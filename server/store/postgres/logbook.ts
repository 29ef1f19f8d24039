// A device's logbook in PostgreSQL: every source as (at, kind, id, ticket_id, detail), one ordered,
// paged timeline (the same entries as sqlite/device-work.ts, mapped by ../logbook-rows.ts).
import type { LogbookCursor, LogbookEntry } from '../device-work-records.js';
import { logbookRefs, TEXT_PREVIEW, toLogbookEntries, type ChangeItemsRow, type LogbookRow } from '../logbook-rows.js';
import { DESK_NUMBER_COLUMN } from '../ticket-rows.js';
import type { Queryable } from './tx.js';

// $1 device, $2 its ticket ids (text, as the desk job payload index holds them), $3-$5 the cursor, $6 the limit.
// Kinds compare bytewise (COLLATE "C"), as SQLite does, whatever the database's collation.
const LOGBOOK_SQL = `
  SELECT at, kind, id, ticket_id, detail FROM (
    SELECT received_at AS at, 'inventory'::text AS kind, id, NULL::bigint AS ticket_id,
      json_build_object('section', section, 'trigger', trigger)::text AS detail
      FROM changes WHERE device_id = $1
    UNION ALL
    SELECT received_at, 'ticket', id, id,
      json_build_object('subject', subject, 'status', status, 'raisedBy', raised_by, 'requester', requester_account)::text
      FROM tickets WHERE device_id = $1
    UNION ALL
    SELECT n.at, 'note', n.seq, n.ticket_id,
      json_build_object('author', n.author, 'visibility', n.visibility, 'fromEndpoint', n.from_endpoint,
        'text', substr(n.text, 1, ${TEXT_PREVIEW}))::text
      FROM ticket_notes n JOIN tickets t ON t.id = n.ticket_id WHERE t.device_id = $1
    UNION ALL
    SELECT w.recorded_at, 'worklog', w.id, w.ticket_id,
      json_build_object('technician', w.technician, 'minutes', w.minutes, 'description', substr(w.description, 1, ${TEXT_PREVIEW}))::text
      FROM worklogs w WHERE w.device_id = $1 OR w.ticket_id IN (SELECT id FROM tickets WHERE device_id = $1)
    UNION ALL
    SELECT e.at, 'status', e.id, e.ticket_id, e.detail
      FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.device_id = $1 AND e.kind = 'status'
    UNION ALL
    SELECT at, 'identity', id, NULL, json_build_object('event', kind, 'detail', detail::json)::text
      FROM device_events WHERE device_id = $1
    UNION ALL
    SELECT j.updated_at, 'desk', j.id, (j.payload::jsonb ->> 'ticketId')::bigint,
      json_build_object('job', j.kind, 'state', j.state, 'error', j.last_error,
        'deskId', (SELECT desk_id FROM desk_links l WHERE l.kind = 'asset' AND j.kind = 'asset' AND l.outpost_id = $1))::text
      -- Through the expression indexes on the payload (schema.ts), never a scan of the whole queue.
      FROM desk_jobs j
      WHERE j.state IN ('done', 'failed')
        AND ((j.payload::jsonb ->> 'deviceId') = $1 OR (j.payload::jsonb ->> 'ticketId') = ANY($2::text[]))
  ) e
  WHERE at < $3 OR (at = $3 AND kind < $4 COLLATE "C") OR (at = $3 AND kind = $4 AND id < $5)
  ORDER BY at DESC, kind COLLATE "C" DESC, id DESC
  LIMIT $6`;

/** Newest first, entries older than `page.before`; the device is known to exist. */
export async function logbook(
  db: Queryable,
  deviceId: string,
  page: { limit: number; before?: LogbookCursor },
  deskConnected: boolean,
): Promise<LogbookEntry[]> {
  const before = page.before ?? { at: Number.MAX_SAFE_INTEGER, kind: 'ticket', id: 0 };
  const tickets = await db.query<{ id: number }>('SELECT id FROM tickets WHERE device_id = $1', [deviceId]);
  const rows = await db.query<LogbookRow>(LOGBOOK_SQL, [
    deviceId,
    tickets.rows.map((t) => String(t.id)),
    before.at,
    before.kind,
    before.id,
    page.limit,
  ]);
  const { ticketIds, changeIds } = logbookRefs(rows.rows);
  const deskNumbers = ticketIds.length
    ? (
        await db.query<{ id: number; desk_number: string | null }>(
          `SELECT t.id, ${DESK_NUMBER_COLUMN} FROM tickets t WHERE t.id = ANY($1::bigint[])`,
          [ticketIds],
        )
      ).rows
    : [];
  const changes = changeIds.length
    ? (await db.query<ChangeItemsRow>('SELECT id, added, removed, changed FROM changes WHERE id = ANY($1::bigint[])', [changeIds])).rows
    : [];
  return toLogbookEntries(rows.rows, deskNumbers, changes, deskConnected);
}
