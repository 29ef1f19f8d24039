// The fleet software counts kept on write (migration 20, both engines): software_names holds per
// package name how many devices have it and how many distinct versions, software_name_versions per
// name and version how many live rows the fleet has. A write that changes a device's live software
// (a delta, a snapshot's swap, a merge) reads that device's live rows of the names it touched before
// and after, and this module turns the two readings into count changes, so the console reads counts
// and never recounts. Names are keyed as the engine folds them (`key`: lower(name) in SQL).

/** One live software row of a device, as a count reading returns it. */
export interface CountedRow {
  /** The name as the engine folds it (SQL lower()): names that differ only in case are one. */
  key: string;
  name: string;
  /** '' when the package reported none (not a version for the count, as the view's NULL). */
  version: string;
  publisher: string | null;
}

export interface CountChanges {
  /** Rows gained (+) or lost (-) per name and version, in key then version order (lock order). */
  versions: { key: string; version: string; rows: number }[];
  /** Per name touched: devices gained or lost (+1, -1 or 0) and a spelling and publisher for a new row. */
  names: Map<string, { devices: number; name: string; publisher: string | null }>;
}

interface Tally {
  rows: Map<string, number>;
  names: Map<string, { name: string; publisher: string | null }>;
}

function tally(rows: readonly CountedRow[]): Tally {
  const t: Tally = { rows: new Map(), names: new Map() };
  for (const r of rows) {
    const k = versionKey(r.key, r.version);
    t.rows.set(k, (t.rows.get(k) ?? 0) + 1);
    const seen = t.names.get(r.key);
    if (!seen) t.names.set(r.key, { name: r.name, publisher: r.publisher });
    else if (seen.publisher === null && r.publisher !== null) seen.publisher = r.publisher;
  }
  return t;
}

const versionKey = (key: string, version: string) => `${key}\u0000${version}`;

/** What one device's live rows of the touched names, read before and after a write, change in the fleet counts. */
export function countChanges(before: readonly CountedRow[], after: readonly CountedRow[]): CountChanges {
  const b = tally(before);
  const a = tally(after);
  const versions: CountChanges['versions'] = [];
  for (const k of new Set([...b.rows.keys(), ...a.rows.keys()])) {
    const delta = (a.rows.get(k) ?? 0) - (b.rows.get(k) ?? 0);
    if (delta === 0) continue;
    const cut = k.indexOf('\u0000');
    versions.push({ key: k.slice(0, cut), version: k.slice(cut + 1), rows: delta });
  }
  versions.sort((x, y) => compare(x.key, y.key) || compare(x.version, y.version));
  const names: CountChanges['names'] = new Map();
  for (const key of [...new Set([...b.names.keys(), ...a.names.keys()])].sort(compare)) {
    const devices = (a.names.has(key) ? 1 : 0) - (b.names.has(key) ? 1 : 0);
    const spelling = a.names.get(key) ?? b.names.get(key)!;
    names.set(key, { devices, ...spelling });
  }
  return { versions, names };
}

/**
 * A name's distinct versions gained or lost when a version's fleet row count went from `old` to
 * `now` rows ('' is no version, as COUNT(DISTINCT version) skips the view's NULL).
 */
export function versionsGained(version: string, old: number, now: number): number {
  if (version === '') return 0;
  return (now > 0 ? 1 : 0) - (old > 0 ? 1 : 0);
}

/**
 * Count changes as the JSON arrays both engines' set statements read (json_each, json_to_recordset):
 * `versions` [{k, v, n}] rows gained or lost per key and version, `names` [{k, name, publisher,
 * devices}] per key touched. A first inventory's or a merge's changes are built the same way in SQL.
 */
export function encodeChanges(changes: CountChanges): { versions: string; names: string } {
  const versions = changes.versions.map((v) => ({ k: v.key, v: v.version, n: v.rows }));
  const names = [...changes.names].map(([k, n]) => ({ k, name: n.name, publisher: n.publisher, devices: n.devices }));
  return { versions: JSON.stringify(versions), names: JSON.stringify(names) };
}

/** Code-unit order, the same in both engines' lock order (COLLATE "C"). */
function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
