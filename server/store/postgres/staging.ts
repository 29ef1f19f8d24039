// The PostgreSQL side of snapshots received in parts (see ../sqlite/staging.ts): the staging row, the
// staged software rows, the software changes each part makes, and generations left for the sweeper.
// Rows go in one statement per kind (arrays unnested), not one round trip per row.
import type { SectionChange } from '../../../shared/delta-apply.js';
import { encodeDigests } from '../../../shared/digest.js';
import type { Software } from '../../../shared/inventory.js';
import { itemKey } from '../../../shared/inventory-keys.js';
import { compareStrings } from '../../../shared/normalise.js';
import type { Garbage, StagingState } from '../store.js';
import { prepared, type Queryable } from './tx.js';

/**
 * Inserts software rows of one generation (the normalised tables of migration 17: the identities a
 * row names are made first when new); `onConflict` says what a key already there does. The caller's
 * transaction holds the identity lock shared (readDeviceState), so no identity step deletes what it
 * names before it commits (identity-gc.ts).
 */
export async function insertSoftwareRows(
  db: Queryable,
  deviceId: string,
  gen: number,
  items: readonly Software[],
  onConflict: 'keep' | 'replace',
  identities?: Queryable,
  /** The device has no software rows yet (its first snapshot): none of the rows is tried on known identities first. */
  first = false,
): Promise<void> {
  if (items.length === 0) return;
  // One row per key, the last given winning (as SQLite's INSERT OR REPLACE would leave it); key order,
  // so that two transactions making the same new identities wait on them in the same order.
  const byKey = new Map(items.map((s) => [itemKey.software(s), s]));
  const keys = [...byKey.keys()].sort(compareStrings);
  const rows = keys.map((k) => byKey.get(k)!);
  const column = (f: (s: Software) => string | null) => rows.map(f);
  const identity = [keys, column((s) => s.version ?? ''), column((s) => s.publisher ?? '')];
  const rowValues = [...identity, column((s) => s.installDate ?? null), gen, deviceId];
  // Most rows name identities that exist already (a delta's new version, a fleet's common packages):
  // then the rows are the one statement. It says how many rows found their identities; when some did
  // not, the identities are made and the rows written again (the same values: written twice, no harm).
  const found = first ? undefined : await db.query<{ n: number; num: number | null }>(prepared(ROWS_ON_KNOWN[onConflict], rowValues));
  if (found && Number(found.rows[0]!.n) === rows.length) return;
  // The device's number is made in the batch's transaction (its row is locked there: a statement on
  // another connection that checked the reference would wait for the batch that waits for it).
  if (!found || found.rows[0]!.num === null) {
    await db.query(prepared('INSERT INTO software_devices (device_id) VALUES ($1) ON CONFLICT (device_id) DO NOTHING', [deviceId]));
  }
  // The identities, shared by every device, are made on `identities` when given: a connection of
  // their own, each statement committed at once, so a batch making a new package does not hold its
  // rows until it commits (a first inventory's batches once queued there behind one another, each
  // waiting for the one before to commit, counts included). What they make is kept until this
  // batch's rows name it: the batch holds the identity lock shared (identity-gc.ts).
  const make = identities ?? db;
  await make.query(
    prepared(
      `INSERT INTO software_keys (item_key, name, arch, source, scope, user_name)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (item_key) DO NOTHING`,
      [
        keys,
        column((s) => s.name),
        column((s) => s.arch ?? null),
        column((s) => s.source),
        column((s) => s.scope),
        column((s) => s.user ?? null),
      ],
    ),
  );
  await make.query(
    prepared(
      `INSERT INTO software_packages (key_id, version, publisher)
       SELECT k.id, t.version, t.publisher FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(item_key, version, publisher, ord)
       JOIN software_keys k ON k.item_key = t.item_key ORDER BY t.ord
       ON CONFLICT (key_id, version, publisher) DO NOTHING`,
      identity,
    ),
  );
  await db.query(prepared(ROWS_INSERT[onConflict], rowValues));
}

const ROWS_INSERT = {
  keep: rowsInsert('DO NOTHING'),
  replace: rowsInsert('DO UPDATE SET package_id = excluded.package_id, install_date = excluded.install_date'),
};

const ROWS_ON_KNOWN = {
  keep: rowsOnKnownIdentities('DO NOTHING'),
  replace: rowsOnKnownIdentities('DO UPDATE SET package_id = excluded.package_id, install_date = excluded.install_date'),
};

/** The rows whose identities (and device number) exist, written; selects how many those were. */
function rowsOnKnownIdentities(conflict: string): string {
  return `WITH found AS (SELECT d.num, k.id AS key_id, p.id AS package_id, t.install_date
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(item_key, version, publisher, install_date)
       JOIN software_keys k ON k.item_key = t.item_key
       JOIN software_packages p ON p.key_id = k.id AND p.version = t.version AND p.publisher = t.publisher
       JOIN software_devices d ON d.device_id = $6),
     written AS (INSERT INTO device_software (device_num, gen, key_id, package_id, install_date)
       SELECT num, $5, key_id, package_id, install_date FROM found
       ON CONFLICT (device_num, gen, key_id) ${conflict})
     SELECT count(*)::int AS n, (SELECT num FROM software_devices WHERE device_id = $6) AS num FROM found`;
}

function rowsInsert(conflict: string): string {
  return `INSERT INTO device_software (device_num, gen, key_id, package_id, install_date)
     SELECT d.num, $5, k.id, p.id, t.install_date
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(item_key, version, publisher, install_date)
     JOIN software_keys k ON k.item_key = t.item_key
     JOIN software_packages p ON p.key_id = k.id AND p.version = t.version AND p.publisher = t.publisher
     JOIN software_devices d ON d.device_id = $6
     ON CONFLICT (device_num, gen, key_id) ${conflict}`;
}

export async function deleteSoftwareRows(db: Queryable, deviceId: string, gen: number, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    `DELETE FROM device_software WHERE device_num = (SELECT num FROM software_devices WHERE device_id = $1) AND gen = $2
       AND key_id IN (SELECT id FROM software_keys WHERE item_key = ANY($3::text[]))`,
    [deviceId, gen, keys],
  );
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
    `INSERT INTO software_garbage (device_id, gen, replaced_by, seq, at, trigger, rest_from)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (device_id, gen) DO UPDATE SET replaced_by = excluded.replaced_by, seq = excluded.seq, at = excluded.at,
       trigger = excluded.trigger, rest_from = excluded.rest_from`,
    // The other sections of the two generations are compared from the first section on.
    [deviceId, g.gen, r?.gen ?? null, r?.seq ?? null, r?.at ?? null, r?.trigger ?? null, r ? '' : null],
  );
}
