// Desk tickets Outpost takes over and the fleet's software catalog in PostgreSQL (behind ./desk-store.ts).
import type pg from 'pg';
import { MAX_CATALOG_PACKAGES, type DeskSoftware, type ImportedDeskTicket } from '../desk-records.js';
import { assembleCatalog, deskTicketRef, type Tallied } from '../desk-rows.js';
import type { Queryable } from './tx.js';

/**
 * The server ticket linked to desk ticket `t.deskId`, created with no device when there is none; its
 * id. In the caller's transaction; a lock on the desk id keeps two processes from both creating it.
 */
export async function importDeskTicket(db: Queryable, t: ImportedDeskTicket, at: number): Promise<number> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('outpost.desk-ticket:' || $1))", [t.deskId]);
  const linked = await db.query<{ id: number }>(
    "SELECT t.id FROM desk_links l JOIN tickets t ON t.id::text = l.outpost_id WHERE l.kind = 'ticket' AND l.desk_id = $1 LIMIT 1",
    [t.deskId],
  );
  if (linked.rows[0]) return linked.rows[0].id;
  const account = t.requester.slice(0, 256) || 'unknown';
  const created = Number.isFinite(Date.parse(t.createdAt ?? '')) ? Date.parse(t.createdAt!) : at;
  const inserted = await db.query<{ id: number }>(
    `INSERT INTO tickets (device_id, ref, subject, description, priority, category, status, requester, requester_account,
       device, hostname, attachments_expected, created_at, received_at, updated_at, public_updated_at)
     VALUES (NULL, $1, $2, $3, $4, NULL, $5, $6, $7, $8, '', 0, $9, $10, $10, $10) RETURNING id`,
    [
      deskTicketRef(t.deskId),
      t.subject.slice(0, 200) || `Desk ticket #${t.deskId}`,
      t.description,
      t.priority,
      t.status,
      JSON.stringify({ account }),
      account,
      JSON.stringify({ deviceId: null, hostname: '', os: '', ip: [] }),
      created,
      at,
    ],
  );
  const id = inserted.rows[0]!.id;
  await db.query("INSERT INTO desk_links (kind, outpost_id, desk_id) VALUES ('ticket', $1, $2)", [String(id), t.deskId]);
  return id;
}

/** The fleet's distinct software by name (case-insensitive), most installed first (DeskStore.softwareCatalog). */
export async function softwareCatalog(pool: pg.Pool, limit = MAX_CATALOG_PACKAGES): Promise<DeskSoftware[]> {
  const top = await pool.query<{ k: string; devices: number }>(
    `SELECT lower(name) AS k, COUNT(DISTINCT device_id)::int AS devices FROM software
     GROUP BY lower(name) ORDER BY devices DESC, lower(name) COLLATE "C" LIMIT $1`,
    [Math.max(0, Math.min(limit, MAX_CATALOG_PACKAGES))],
  );
  if (top.rows.length === 0) return [];
  const keys = top.rows.map((t) => t.k);
  const tally = async (value: string, where = '') =>
    (
      await pool.query<Tallied>(
        `SELECT lower(s.name) AS k, ${value} AS value, COUNT(DISTINCT s.device_id)::int AS devices
         FROM software s JOIN unnest($1::text[]) AS t(k) ON t.k = lower(s.name) ${where} GROUP BY 1, 2`,
        [keys],
      )
    ).rows;
  return assembleCatalog(top.rows, {
    versions: await tally('s.version'),
    names: await tally('s.name'),
    publishers: await tally('trim(s.publisher)', "WHERE trim(COALESCE(s.publisher, '')) <> ''"),
  });
}
