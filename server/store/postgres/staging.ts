// The PostgreSQL side of snapshots received in parts (see ../sqlite/staging.ts): the staging row, the
// staged software rows, the software changes each part makes, and generations left for the sweeper.
// Rows go in one statement per kind (arrays unnested), not one round trip per row.
import type { SectionChange } from '../../../shared/delta-apply.js';
import { encodeDigests } from '../../../shared/digest.js';
import type { Software } from '../../../shared/inventory.js';
import { softwareRow } from '../sqlite/batch.js';
import type { Garbage, StagingState } from '../store.js';
import type { Queryable } from './tx.js';

const ROW_COLUMNS = 'device_id, gen, item_key, name, version, publisher, arch, source, scope, user_name, install_date';
const UNNEST = `SELECT $1::text, $2::bigint, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
  $9::text[], $10::text[], $11::text[])`;

/** Inserts software rows of one generation; `onConflict` says what a key already there does. */
export async function insertSoftwareRows(
  db: Queryable,
  deviceId: string,
  gen: number,
  items: readonly Software[],
  onConflict: 'keep' | 'replace',
): Promise<void> {
  if (items.length === 0) return;
  // Name order: two transactions touching the same package names lock them in the same order.
  // One row per key, the last given winning (as SQLite's INSERT OR REPLACE would leave it).
  const byKey = new Map(items.map((s) => [softwareRow(deviceId, gen, s).key, softwareRow(deviceId, gen, s)]));
  const rows = [...byKey.values()].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  const column = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
  const conflict =
    onConflict === 'keep'
      ? 'DO NOTHING'
      : `DO UPDATE SET name = excluded.name, version = excluded.version, publisher = excluded.publisher, arch = excluded.arch,
           source = excluded.source, scope = excluded.scope, user_name = excluded.user_name, install_date = excluded.install_date`;
  await db.query(`INSERT INTO software_rows (${ROW_COLUMNS}) ${UNNEST} ON CONFLICT (device_id, gen, item_key) ${conflict}`, [
    deviceId,
    gen,
    column('key'),
    column('name'),
    column('version'),
    column('publisher'),
    column('arch'),
    column('source'),
    column('scope'),
    column('user'),
    column('installDate'),
  ]);
}

export async function deleteSoftwareRows(db: Queryable, deviceId: string, gen: number, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query('DELETE FROM software_rows WHERE device_id = $1 AND gen = $2 AND item_key = ANY($3::text[])', [deviceId, gen, keys]);
}

export async function writeStaging(db: Queryable, deviceId: string, s: StagingState | null): Promise<void> {
  if (s === null) {
    await db.query('DELETE FROM snapshot_staging WHERE device_id = $1', [deviceId]);
    return;
  }
  await db.query(
    `INSERT INTO snapshot_staging (device_id, first_seq, part_count, digest, trigger, received, software_sum, software_count, rest_digests, rest_keys)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (device_id) DO UPDATE SET first_seq = excluded.first_seq, part_count = excluded.part_count, digest = excluded.digest,
       trigger = excluded.trigger, received = excluded.received, software_sum = excluded.software_sum,
       software_count = excluded.software_count, rest_digests = excluded.rest_digests, rest_keys = excluded.rest_keys`,
    [
      deviceId,
      s.first,
      s.count,
      s.digest,
      s.trigger,
      JSON.stringify(s.received),
      s.softwareSum.toString(16),
      s.softwareCount,
      s.restDigests ? encodeDigests(s.restDigests) : null,
      s.restKeys ? JSON.stringify(s.restKeys) : null,
    ],
  );
}

export async function writeStagedChanges(
  db: Queryable,
  deviceId: string,
  gen: number,
  c: { index: number; added: Software[]; changed: SectionChange['changed'] },
): Promise<void> {
  await db.query(
    `INSERT INTO staged_changes (device_id, gen, part, added, changed) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (device_id, gen, part) DO UPDATE SET added = excluded.added, changed = excluded.changed`,
    [deviceId, gen, c.index, JSON.stringify(c.added), JSON.stringify(c.changed)],
  );
}

export async function addGarbage(db: Queryable, deviceId: string, g: Garbage): Promise<void> {
  const r = g.replacedBy;
  await db.query(
    `INSERT INTO software_garbage (device_id, gen, replaced_by, seq, at, trigger, mark_from, rest_from)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
     ON CONFLICT (device_id, gen) DO UPDATE SET replaced_by = excluded.replaced_by, seq = excluded.seq, at = excluded.at,
       trigger = excluded.trigger, mark_from = excluded.mark_from, rest_from = excluded.rest_from`,
    // Names of the new generation are marked for recounting, and the other sections of the two
    // generations compared, from the first key and the first section on.
    [deviceId, g.gen, r?.gen ?? null, r?.seq ?? null, r?.at ?? null, r?.trigger ?? null, r ? '' : null],
  );
}
