// The fleet software counts kept in a write's own transaction (what they are: ../fleet-counts.ts).
// A batch reads the device's live rows of the names it touches before and after its writes; a swap
// finds those names by comparing the two generations' ids (index only), so a snapshot that changes
// three packages re-counts three names; a first inventory (and a merged duplicate, negated) is
// counted in SQL from its rows, grouped by name and version, without reading them back. The changes
// go in as a handful of set statements (for a whole generation straight from its rows, otherwise
// over JSON arrays, json_each): the names' counts (with the distinct versions gained, from the
// version counts before they change), the version counts, then the count rows that reached 0. A
// change of a few rows (a delta's package or two) takes a statement a count row instead.
import type Database from 'better-sqlite3';
import type { Software } from '../../../shared/inventory.js';
import { countChanges, encodeChanges, versionsGained, type CountChanges, type CountedRow } from '../fleet-counts.js';

/** Names of the keys whose package differs between two generations of one device (either side). */
const DIFFERENT_NAMES = `
  SELECT k.name FROM device_software a JOIN software_keys k ON k.id = a.key_id
  WHERE a.device_num = @num AND a.gen = @g1 AND NOT EXISTS (
    SELECT 1 FROM device_software b WHERE b.device_num = @num AND b.gen = @g0 AND b.key_id = a.key_id AND b.package_id = a.package_id)
  UNION
  SELECT k.name FROM device_software b JOIN software_keys k ON k.id = b.key_id
  WHERE b.device_num = @num AND b.gen = @g0 AND NOT EXISTS (
    SELECT 1 FROM device_software a WHERE a.device_num = @num AND a.gen = @g1 AND a.key_id = b.key_id AND a.package_id = b.package_id)`;

/** A generation's rows per name (folded) and version: how many (and, for the names, a spelling and a publisher). */
const GENERATION_ROWS = `
  FROM device_software r JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id
  WHERE r.device_num = @num AND r.gen = @gen GROUP BY 1, 2`;
const GENERATION = `SELECT lower(k.name) AS k, p.version AS v, count(*) AS n ${GENERATION_ROWS}`;
const GENERATION_SPELT = `
  SELECT lower(k.name) AS k, p.version AS v, count(*) AS n, min(k.name) AS name, max(nullif(p.publisher, '')) AS publisher
  ${GENERATION_ROWS}`;
/** The rows of a whole generation come into the counts (@sign 1) or leave them (-1): as ADD_NAMES below. */
const GENERATION_NAMES = `
  INSERT INTO software_names (name, publisher, devices, versions)
  SELECT min(r.name), max(r.publisher), @sign,
    sum(CASE WHEN r.v = '' THEN 0 WHEN coalesce(s.rows, 0) <= 0 THEN r.n * @sign > 0 WHEN s.rows + r.n * @sign <= 0 THEN -1 ELSE 0 END)
  FROM (${GENERATION_SPELT}) r LEFT JOIN software_name_versions s ON s.name = r.k AND s.version = r.v WHERE true GROUP BY r.k
  ON CONFLICT(name) DO UPDATE SET devices = devices + excluded.devices, versions = versions + excluded.versions,
    publisher = coalesce(publisher, excluded.publisher)`;
const GENERATION_VERSIONS = `
  INSERT INTO software_name_versions (name, version, rows) SELECT k, v, n * @sign FROM (${GENERATION}) WHERE true
  ON CONFLICT(name, version) DO UPDATE SET rows = rows + excluded.rows`;
const GENERATION_DROP_VERSIONS = `
  DELETE FROM software_name_versions WHERE (name, version) IN (SELECT k, v FROM (${GENERATION})) AND rows <= 0`;
const GENERATION_DROP_NAMES = `
  DELETE FROM software_names WHERE name IN (SELECT k FROM (${GENERATION})) AND devices <= 0`;

/**
 * The names' counts first, while the version counts are still as before: a version whose count
 * goes from none to some is one more distinct version of its name, from some to none one fewer
 * ('' is no version, as COUNT(DISTINCT version) skips the view's NULL).
 */
const ADD_NAMES = `
  WITH d AS (SELECT value->>'k' AS k, value->>'v' AS v, value->>'n' AS n FROM json_each(@versions)),
  g AS (
    SELECT d.k, sum(CASE WHEN d.v = '' THEN 0 WHEN coalesce(s.rows, 0) <= 0 THEN d.n > 0 WHEN s.rows + d.n <= 0 THEN -1 ELSE 0 END) AS versions
    FROM d LEFT JOIN software_name_versions s ON s.name = d.k AND s.version = d.v GROUP BY d.k)
  INSERT INTO software_names (name, publisher, devices, versions)
  SELECT x.value->>'name', x.value->>'publisher', x.value->>'devices', coalesce(g.versions, 0)
  FROM json_each(@names) x LEFT JOIN g ON g.k = x.value->>'k'
  WHERE x.value->>'devices' <> 0 OR coalesce(g.versions, 0) <> 0
  ON CONFLICT(name) DO UPDATE SET devices = devices + excluded.devices, versions = versions + excluded.versions,
    publisher = coalesce(publisher, excluded.publisher)`;
const ADD_VERSIONS = `
  INSERT INTO software_name_versions (name, version, rows)
  SELECT value->>'k', value->>'v', value->>'n' FROM json_each(@versions) WHERE true
  ON CONFLICT(name, version) DO UPDATE SET rows = rows + excluded.rows`;
const DROP_VERSIONS = `
  DELETE FROM software_name_versions
  WHERE (name, version) IN (SELECT value->>'k', value->>'v' FROM json_each(@versions) WHERE value->>'n' < 0) AND rows <= 0`;
const DROP_NAMES = `
  DELETE FROM software_names WHERE name IN (SELECT value->>'k' FROM json_each(@names) WHERE value->>'devices' < 0) AND devices <= 0`;

/** Up to this many versions changed, a statement per count row; more, the set statements. */
const FEW = 4;

/** Called after the batch's writes. */
export type FinishCounts = () => void;

export type FleetCounts = ReturnType<typeof createFleetCounts>;

export function createFleetCounts(db: Database.Database) {
  const deviceNum = db.prepare<[string], { num: number }>('SELECT num FROM software_devices WHERE device_id = ?');
  // The keys of those names first (their name index), then the device's row of each (its primary
  // key): O(the names' keys), not a scan of the device's thousands of rows.
  const ofNames = db.prepare<{ num: number; gen: number; names: string }, CountedRow>(
    `SELECT lower(k.name) AS key, k.name, p.version, nullif(p.publisher, '') AS publisher
     FROM software_keys k CROSS JOIN device_software r ON r.device_num = @num AND r.gen = @gen AND r.key_id = k.id
     JOIN software_packages p ON p.id = r.package_id
     WHERE k.name COLLATE NOCASE IN (SELECT value FROM json_each(@names))`,
  );
  const keyNames = db.prepare<[string], { name: string }>(
    'SELECT name FROM software_keys WHERE item_key IN (SELECT value FROM json_each(?))',
  );
  const different = db.prepare<{ num: number; g0: number; g1: number }, { name: string }>(DIFFERENT_NAMES);
  type Generation = { num: number; gen: number; sign: number };
  const generationNames = db.prepare<Generation>(GENERATION_NAMES);
  const generationVersions = db.prepare<Generation>(GENERATION_VERSIONS);
  const generationDropVersions = db.prepare<{ num: number; gen: number }>(GENERATION_DROP_VERSIONS);
  const generationDropNames = db.prepare<{ num: number; gen: number }>(GENERATION_DROP_NAMES);
  const addNames = db.prepare<{ versions: string; names: string }>(ADD_NAMES);
  const addVersions = db.prepare<{ versions: string }>(ADD_VERSIONS);
  const dropVersions = db.prepare<{ versions: string }>(DROP_VERSIONS);
  const dropNames = db.prepare<{ names: string }>(DROP_NAMES);

  // A change of a few rows (a delta's package or two): a statement a row costs less than setting
  // up the set statements (0.02 against 0.07 ms for one package).
  const addRows = db.prepare<[string, string, number], { rows: number }>(`
    INSERT INTO software_name_versions (name, version, rows) VALUES (?, ?, ?)
    ON CONFLICT(name, version) DO UPDATE SET rows = rows + excluded.rows RETURNING rows`);
  const dropVersion = db.prepare('DELETE FROM software_name_versions WHERE name = ? AND version = ?');
  const addName = db.prepare(`
    INSERT INTO software_names (name, publisher, devices, versions) VALUES (@name, @publisher, @devices, @versions)
    ON CONFLICT(name) DO UPDATE SET devices = devices + excluded.devices, versions = versions + excluded.versions,
      publisher = coalesce(publisher, excluded.publisher)`);
  const dropName = db.prepare('DELETE FROM software_names WHERE name = ? AND devices <= 0');
  const applyFew = (changes: CountChanges): void => {
    const gained = new Map<string, number>();
    for (const v of changes.versions) {
      const now = addRows.get(v.key, v.version, v.rows)!.rows;
      if (now <= 0) dropVersion.run(v.key, v.version);
      const g = versionsGained(v.version, now - v.rows, now);
      if (g !== 0) gained.set(v.key, (gained.get(v.key) ?? 0) + g);
    }
    for (const [key, n] of changes.names) {
      const versions = gained.get(key) ?? 0;
      if (n.devices === 0 && versions === 0) continue;
      addName.run({ name: n.name, publisher: n.publisher, devices: n.devices, versions });
      if (n.devices < 0) dropName.run(key);
    }
  };
  const applyMany = (changes: CountChanges): void => {
    const { versions, names } = encodeChanges(changes);
    addNames.run({ versions, names });
    addVersions.run({ versions });
    if (!changes.versions.some((v) => v.rows < 0)) return;
    dropVersions.run({ versions });
    dropNames.run({ names });
  };
  const applyReadings = (before: readonly CountedRow[], after: readonly CountedRow[]): void => {
    const changes = countChanges(before, after);
    if (changes.versions.length <= FEW) applyFew(changes);
    else applyMany(changes);
  };
  /** A whole generation of a device's rows comes into the counts (+1) or leaves them (-1). */
  const applyGeneration = (num: number, gen: number, sign: 1 | -1): void => {
    generationNames.run({ num, gen, sign });
    generationVersions.run({ num, gen, sign });
    if (sign > 0) return;
    generationDropVersions.run({ num, gen });
    generationDropNames.run({ num, gen });
  };
  const rowsOf = (num: number, gen: number, names: Iterable<string>): CountedRow[] =>
    ofNames.all({ num, gen, names: JSON.stringify([...names]) });
  const NOTHING: FinishCounts = () => undefined;

  return {
    /**
     * Before a batch's writes: what it will change in the counts, applied by the returned call after
     * them. `liveBefore`/`liveAfter`: the device's live generation (null: no snapshot); `software`:
     * the rows the batch writes into the live generation.
     */
    track(
      deviceId: string,
      liveBefore: number | null,
      liveAfter: number | null,
      software: { remove: readonly string[]; upsert: readonly Software[] } | undefined,
    ): FinishCounts {
      if (liveAfter === null) return NOTHING;
      if (liveBefore === liveAfter) {
        if (!software || software.remove.length + software.upsert.length === 0) return NOTHING;
        const num = deviceNum.get(deviceId)?.num;
        if (num === undefined) return NOTHING;
        const names = new Set(software.upsert.map((s) => s.name));
        for (const r of keyNames.all(JSON.stringify(software.remove))) names.add(r.name);
        const before = rowsOf(num, liveAfter, names);
        return () => applyReadings(before, rowsOf(num, liveAfter, names));
      }
      return () => {
        const num = deviceNum.get(deviceId)?.num;
        if (num === undefined) return;
        if (liveBefore === null) return applyGeneration(num, liveAfter, 1);
        const names = different.all({ num, g0: liveBefore, g1: liveAfter }).map((r) => r.name);
        if (names.length === 0) return;
        applyReadings(rowsOf(num, liveBefore, names), rowsOf(num, liveAfter, names));
      };
    },
    /** Before a device's rows go (a merged duplicate): its live rows leave the counts. */
    removeDevice(deviceId: string, live: number | null): void {
      const num = deviceNum.get(deviceId)?.num;
      if (num === undefined || live === null) return;
      applyGeneration(num, live, -1);
    },
  };
}
