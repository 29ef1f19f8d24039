// The fleet software counts kept in a write's own transaction, in PostgreSQL (what they are:
// ../fleet-counts.ts; when they are read and changed: ../sqlite/fleet-counts.ts). Count rows are
// changed in key order (COLLATE "C"), so two batches that touch the same names wait on each other
// instead of deadlocking.
import type { Software } from '../../../shared/inventory.js';
import { countChanges, versionsGained, type CountChanges, type CountedRow } from '../fleet-counts.js';
import type { Queryable } from './tx.js';

const ROWS = `SELECT lower(k.name) AS key, k.name, p.version, nullif(p.publisher, '') AS publisher
  FROM device_software r JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id
  WHERE r.device_num = (SELECT num FROM software_devices WHERE device_id = $1) AND r.gen = $2`;

/** Names of the keys whose package differs between generations $2 and $3 of device $1 (either side). */
const DIFFERENT_NAMES = `
  WITH d AS (SELECT num FROM software_devices WHERE device_id = $1)
  SELECT k.name FROM d, device_software a JOIN software_keys k ON k.id = a.key_id
  WHERE a.device_num = d.num AND a.gen = $3 AND NOT EXISTS (
    SELECT 1 FROM device_software b WHERE b.device_num = d.num AND b.gen = $2 AND b.key_id = a.key_id AND b.package_id = a.package_id)
  UNION
  SELECT k.name FROM d, device_software b JOIN software_keys k ON k.id = b.key_id
  WHERE b.device_num = d.num AND b.gen = $2 AND NOT EXISTS (
    SELECT 1 FROM device_software a WHERE a.device_num = d.num AND a.gen = $3 AND a.key_id = b.key_id AND a.package_id = b.package_id)`;

/** Called after the batch's writes. */
export type FinishPgCounts = () => Promise<void>;

async function rowsOf(db: Queryable, deviceId: string, gen: number, names?: readonly string[]): Promise<CountedRow[]> {
  if (names === undefined) return (await db.query<CountedRow>(ROWS, [deviceId, gen])).rows;
  if (names.length === 0) return [];
  const r = await db.query<CountedRow>(`${ROWS} AND lower(k.name) = ANY(SELECT lower(n) FROM unnest($3::text[]) n)`, [
    deviceId,
    gen,
    names,
  ]);
  return r.rows;
}

async function apply(db: Queryable, changes: CountChanges): Promise<void> {
  const gained = new Map<string, number>();
  for (const v of changes.versions) {
    const r = await db.query<{ rows: number }>(
      `INSERT INTO software_name_versions (name, version, rows) VALUES ($1, $2, $3)
       ON CONFLICT (name, version) DO UPDATE SET rows = software_name_versions.rows + excluded.rows RETURNING rows`,
      [v.key, v.version, v.rows],
    );
    const now = Number(r.rows[0]!.rows);
    if (now <= 0) await db.query('DELETE FROM software_name_versions WHERE name = $1 AND version = $2', [v.key, v.version]);
    const g = versionsGained(v.version, now - v.rows, now);
    if (g !== 0) gained.set(v.key, (gained.get(v.key) ?? 0) + g);
  }
  for (const [key, n] of changes.names) {
    const versions = gained.get(key) ?? 0;
    if (n.devices === 0 && versions === 0) continue;
    await db.query(
      `INSERT INTO software_names AS s (name, publisher, devices, versions) VALUES ($1, $2, $3, $4)
       ON CONFLICT ((lower(name))) DO UPDATE SET devices = s.devices + excluded.devices, versions = s.versions + excluded.versions,
         publisher = coalesce(s.publisher, excluded.publisher)`,
      [n.name, n.publisher, n.devices, versions],
    );
    if (n.devices < 0) await db.query('DELETE FROM software_names WHERE lower(name) = $1 AND devices <= 0', [key]);
  }
}

/**
 * Before a batch's writes: what it will change in the counts, applied by the returned call after
 * them (arguments as ../sqlite/fleet-counts.ts `track`).
 */
export async function trackPgCounts(
  db: Queryable,
  deviceId: string,
  liveBefore: number | null,
  liveAfter: number | null,
  software: { remove: readonly string[]; upsert: readonly Software[] } | undefined,
): Promise<FinishPgCounts> {
  if (liveAfter === null) return async () => undefined;
  if (liveBefore === liveAfter) {
    if (!software || software.remove.length + software.upsert.length === 0) return async () => undefined;
    const removed = await db.query<{ name: string }>('SELECT name FROM software_keys WHERE item_key = ANY($1::text[])', [software.remove]);
    const names = [...new Set([...software.upsert.map((s) => s.name), ...removed.rows.map((r) => r.name)])];
    const before = await rowsOf(db, deviceId, liveAfter, names);
    return async () => apply(db, countChanges(before, await rowsOf(db, deviceId, liveAfter, names)));
  }
  return async () => {
    if (liveBefore === null) return apply(db, countChanges([], await rowsOf(db, deviceId, liveAfter)));
    const names = (await db.query<{ name: string }>(DIFFERENT_NAMES, [deviceId, liveBefore, liveAfter])).rows.map((r) => r.name);
    if (names.length === 0) return;
    await apply(db, countChanges(await rowsOf(db, deviceId, liveBefore, names), await rowsOf(db, deviceId, liveAfter, names)));
  };
}

/** Before a device's rows go (a merged duplicate): its live rows leave the counts. */
export async function removeDeviceFromCounts(db: Queryable, deviceId: string): Promise<void> {
  const live = await db.query<{ software_gen: number }>('SELECT software_gen FROM snapshots WHERE device_id = $1', [deviceId]);
  if (!live.rows[0]) return;
  await apply(db, countChanges(await rowsOf(db, deviceId, Number(live.rows[0].software_gen)), []));
}
