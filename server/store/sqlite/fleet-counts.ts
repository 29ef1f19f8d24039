// The fleet software counts kept in a write's own transaction (what they are: ../fleet-counts.ts).
// A batch reads the device's live rows of the names it touches before and after its writes; a swap
// finds those names by comparing the two generations' ids (index only), so a snapshot that changes
// three packages re-counts three names, and a first inventory counts its own rows.
import type Database from 'better-sqlite3';
import type { Software } from '../../../shared/inventory.js';
import { countChanges, versionsGained, type CountChanges, type CountedRow } from '../fleet-counts.js';

const ROWS = `SELECT lower(k.name) AS key, k.name, p.version, nullif(p.publisher, '') AS publisher
  FROM device_software r JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id
  WHERE r.device_num = @num AND r.gen = @gen`;

/** Names of the keys whose package differs between two generations of one device (either side). */
const DIFFERENT_NAMES = `
  SELECT k.name FROM device_software a JOIN software_keys k ON k.id = a.key_id
  WHERE a.device_num = @num AND a.gen = @g1 AND NOT EXISTS (
    SELECT 1 FROM device_software b WHERE b.device_num = @num AND b.gen = @g0 AND b.key_id = a.key_id AND b.package_id = a.package_id)
  UNION
  SELECT k.name FROM device_software b JOIN software_keys k ON k.id = b.key_id
  WHERE b.device_num = @num AND b.gen = @g0 AND NOT EXISTS (
    SELECT 1 FROM device_software a WHERE a.device_num = @num AND a.gen = @g1 AND a.key_id = b.key_id AND a.package_id = b.package_id)`;

/** Called after the batch's writes. */
export type FinishCounts = () => void;

export type FleetCounts = ReturnType<typeof createFleetCounts>;

export function createFleetCounts(db: Database.Database) {
  const deviceNum = db.prepare<[string], { num: number }>('SELECT num FROM software_devices WHERE device_id = ?');
  const all = db.prepare<{ num: number; gen: number }, CountedRow>(ROWS);
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
  const addRows = db.prepare<[string, string, number], { rows: number }>(`
    INSERT INTO software_name_versions (name, version, rows) VALUES (?, ?, ?)
    ON CONFLICT(name, version) DO UPDATE SET rows = rows + excluded.rows RETURNING rows`);
  const dropVersion = db.prepare('DELETE FROM software_name_versions WHERE name = ? AND version = ?');
  const addName = db.prepare(`
    INSERT INTO software_names (name, publisher, devices, versions) VALUES (@name, @publisher, @devices, @versions)
    ON CONFLICT(name) DO UPDATE SET devices = devices + excluded.devices, versions = versions + excluded.versions,
      publisher = coalesce(publisher, excluded.publisher)`);
  const dropName = db.prepare('DELETE FROM software_names WHERE name = ? AND devices <= 0');

  const apply = (changes: CountChanges): void => {
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
        return () => apply(countChanges(before, rowsOf(num, liveAfter, names)));
      }
      return () => {
        const num = deviceNum.get(deviceId)?.num;
        if (num === undefined) return;
        if (liveBefore === null) {
          apply(countChanges([], all.all({ num, gen: liveAfter })));
          return;
        }
        const names = different.all({ num, g0: liveBefore, g1: liveAfter }).map((r) => r.name);
        if (names.length === 0) return;
        apply(countChanges(rowsOf(num, liveBefore, names), rowsOf(num, liveAfter, names)));
      };
    },
    /** Before a device's rows go (a merged duplicate): its live rows leave the counts. */
    removeDevice(deviceId: string, live: number | null): void {
      const num = deviceNum.get(deviceId)?.num;
      if (num === undefined || live === null) return;
      apply(countChanges(all.all({ num, gen: live }), []));
    },
  };
}
