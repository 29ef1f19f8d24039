// The fleet software counts kept in a write's own transaction, in PostgreSQL (what they are:
// ../fleet-counts.ts; when they are read and changed: ../sqlite/fleet-counts.ts). The changes go in
// as a few set statements, each kept prepared on the connection, over JSON arrays of what the batch
// read or, for a first inventory or a merged duplicate, straight over the generation's rows grouped
// by name and version: the version counts (returning the distinct versions each name gains or loses),
// the names' counts, then the count rows that reached 0. Count rows are changed in key order (COLLATE
// "C"), versions before names, so two batches that touch the same names wait on each other instead
// of deadlocking; the versions gained come from the counts the upsert returns, so a concurrent
// batch's committed change is seen.
import type { Software } from '../../../shared/inventory.js';
import { countChanges, encodeChanges, type CountedRow } from '../fleet-counts.js';
import { prepared, type Queryable } from './tx.js';

// From the names' keys (their lower(name) index, the folded names one array) to the device's row of
// each (its primary key): O(the names' keys). Joining the device's rows to a set of names instead let
// the planner scan all ~650 of them, 1.6 ms a call and two calls a delta (bench/fleet.mjs --probe).
const ROWS = `SELECT lower(k.name) AS key, k.name, p.version, nullif(p.publisher, '') AS publisher
  FROM software_keys k
  JOIN device_software r ON r.key_id = k.id AND r.gen = $2
    AND r.device_num = (SELECT num FROM software_devices WHERE device_id = $1)
  JOIN software_packages p ON p.id = r.package_id
  WHERE lower(k.name) = ANY(ARRAY(SELECT lower(n) FROM unnest($3::text[]) n))`;

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

/** The changes a batch read (encodeChanges' arrays): per name and version ($1), per name (`$names`). */
const JSON_VERSIONS = `SELECT * FROM json_to_recordset($1::json) AS d(k text, v text, n integer)`;
const JSON_NAMES = `SELECT * FROM json_to_recordset($names::json) AS x(k text, name text, publisher text, devices integer)`;
/** Generation $2 of device $1's rows, each counted $3 times (1 coming in, -1 leaving), per name and version. */
const GENERATION_ROWS = `
  FROM device_software r JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id
  WHERE r.device_num = (SELECT num FROM software_devices WHERE device_id = $1) AND r.gen = $2`;
const GENERATION_VERSIONS = `SELECT lower(k.name) AS k, p.version AS v, (count(*) * $3::integer)::integer AS n ${GENERATION_ROWS} GROUP BY 1, 2`;
const GENERATION_NAMES = `
  SELECT lower(k.name) AS k, min(k.name) AS name, max(nullif(p.publisher, '')) AS publisher, $3::integer AS devices
  ${GENERATION_ROWS} GROUP BY 1`;

/**
 * The version counts of `source`'s rows, in key order; per name, the distinct versions gained or
 * lost (a count from none to some, or from some to none; '' is no version, as COUNT(DISTINCT
 * version) skips the view's NULL) and the versions whose count reached 0.
 */
const addVersions = (source: string) => `
  WITH d AS (${source}),
  up AS (
    INSERT INTO software_name_versions AS s (name, version, rows)
    SELECT k, v, n FROM d ORDER BY k COLLATE "C", v COLLATE "C"
    ON CONFLICT (name, version) DO UPDATE SET rows = s.rows + excluded.rows
    RETURNING s.name, s.version, s.rows),
  g AS (
    SELECT up.name AS key,
      sum(CASE WHEN up.version = '' THEN 0 WHEN up.rows > 0 AND up.rows - d.n <= 0 THEN 1
        WHEN up.rows <= 0 AND up.rows - d.n > 0 THEN -1 ELSE 0 END)::integer AS versions,
      coalesce(array_agg(up.version) FILTER (WHERE up.rows <= 0), '{}') AS gone
    FROM up JOIN d ON d.k = up.name AND d.v = up.version GROUP BY up.name)
  SELECT key, versions, gone FROM g WHERE versions <> 0 OR cardinality(gone) > 0`;
/** The names' counts of `source`, in key order, with the versions gained ($gained: keys, $gained + 1: counts). */
const addNames = (source: string) => `
  WITH x AS (${source}), g AS (SELECT * FROM unnest($gained::text[], $counts::integer[]) AS g(k, versions))
  INSERT INTO software_names AS s (name, publisher, devices, versions)
  SELECT x.name, x.publisher, x.devices, coalesce(g.versions, 0) FROM x LEFT JOIN g ON g.k = x.k
  WHERE x.devices <> 0 OR coalesce(g.versions, 0) <> 0
  ORDER BY x.k COLLATE "C"
  ON CONFLICT ((lower(name))) DO UPDATE SET devices = s.devices + excluded.devices, versions = s.versions + excluded.versions,
    publisher = coalesce(s.publisher, excluded.publisher)`;
const STATEMENTS = {
  json: {
    versions: addVersions(JSON_VERSIONS),
    names: addNames(JSON_NAMES).replace('$names', '$1').replace('$gained', '$2').replace('$counts', '$3'),
  },
  generation: {
    versions: addVersions(GENERATION_VERSIONS),
    names: addNames(GENERATION_NAMES).replace('$gained', '$4').replace('$counts', '$5'),
  },
};
const DROP_VERSIONS = `
  DELETE FROM software_name_versions WHERE (name, version) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND rows <= 0`;
/** A name no device has any more had its last version's count reach 0 in the same batch. */
const DROP_NAMES = `DELETE FROM software_names WHERE lower(name) = ANY($1::text[]) AND devices <= 0`;

/** Called after the batch's writes. */
export type FinishPgCounts = () => Promise<void>;

/**
 * Count changes into the counts: from the changes a batch read (`json`: encodeChanges' arrays) or
 * from a whole generation of a device's rows (`generation`: device id, generation, sign).
 */
async function apply(
  db: Queryable,
  source: { json: { versions: string; names: string } } | { generation: [string, number, 1 | -1] },
): Promise<void> {
  const [statements, versionValues, nameValues] =
    'json' in source
      ? [STATEMENTS.json, [source.json.versions], [source.json.names]]
      : [STATEMENTS.generation, source.generation, source.generation];
  const gained = await db.query<{ key: string; versions: number; gone: string[] }>(prepared(statements.versions, versionValues));
  const keys = gained.rows.map((r) => r.key);
  const counts = gained.rows.map((r) => r.versions);
  await db.query(prepared(statements.names, [...nameValues, keys, counts]));
  const gone = gained.rows.flatMap((r) => r.gone.map((version) => [r.key, version] as const));
  if (gone.length === 0) return;
  await db.query(prepared(DROP_VERSIONS, [gone.map((g) => g[0]), gone.map((g) => g[1])]));
  await db.query(prepared(DROP_NAMES, [[...new Set(gone.map((g) => g[0]))]]));
}

async function applyReadings(db: Queryable, before: readonly CountedRow[], after: readonly CountedRow[]): Promise<void> {
  const changes = countChanges(before, after);
  if (changes.versions.length === 0) return;
  await apply(db, { json: encodeChanges(changes) });
}

async function rowsOf(db: Queryable, deviceId: string, gen: number, names: readonly string[]): Promise<CountedRow[]> {
  if (names.length === 0) return [];
  return (await db.query<CountedRow>(prepared(ROWS, [deviceId, gen, names]))).rows;
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
    const removed = await db.query<{ name: string }>(
      prepared('SELECT name FROM software_keys WHERE item_key = ANY($1::text[])', [software.remove]),
    );
    const names = [...new Set([...software.upsert.map((s) => s.name), ...removed.rows.map((r) => r.name)])];
    const before = await rowsOf(db, deviceId, liveAfter, names);
    return async () => applyReadings(db, before, await rowsOf(db, deviceId, liveAfter, names));
  }
  return async () => {
    if (liveBefore === null) return apply(db, { generation: [deviceId, liveAfter, 1] });
    const different = await db.query<{ name: string }>(prepared(DIFFERENT_NAMES, [deviceId, liveBefore, liveAfter]));
    const names = different.rows.map((r) => r.name);
    if (names.length === 0) return;
    await applyReadings(db, await rowsOf(db, deviceId, liveBefore, names), await rowsOf(db, deviceId, liveAfter, names));
  };
}

/** Before a device's rows go (a merged duplicate): its live rows leave the counts. */
export async function removeDeviceFromCounts(db: Queryable, deviceId: string): Promise<void> {
  const live = await db.query<{ software_gen: number }>(prepared('SELECT software_gen FROM snapshots WHERE device_id = $1', [deviceId]));
  if (!live.rows[0]) return;
  await apply(db, { generation: [deviceId, Number(live.rows[0].software_gen), -1] });
}
