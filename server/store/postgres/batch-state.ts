// What the ingest planner sees of a device in PostgreSQL, and running it. The planner is synchronous
// and pure, the driver is not: the planner runs on what has been read so far, and each read it makes
// beyond that (a software row by key, a whole generation, a section of the other sections) is noted and answered
// with "absent"; those rows are then read in one query per kind and the planner runs again. A run
// that needed nothing new is the answer (a one-package delta: two runs, one query for its rows).
import { decodeDigests } from '../../../shared/digest.js';
import { TriggerSchema } from '../../../shared/protocol.js';
import type { Software } from '../../../shared/inventory.js';
import { toSoftware } from '../sqlite/batch.js';
import { ROW_SELECT, type KeyedSoftwareRow } from '../sqlite/software-rows.js';
import { lazyRest, type RestSection, type SectionPage } from '../../../shared/stored-sections.js';
import { sectionsRead } from '../section-columns.js';
import { readSectionPages } from './sections.js';
import type { BatchOutcome, IngestState, StagingState } from '../store.js';
import { decodeKeys, type StagingRow } from '../sqlite/staging.js';
import { IDENTITY_LOCK } from './identity-gc.js';
import { prepared, type Queryable } from './tx.js';

interface StateRow {
  secret_hash: Buffer;
  last_seq: number;
  digest: string | null;
  hostname: string;
  needs_full: boolean;
  /** Null when the device has no snapshot yet. */
  snapshot_row: string | null;
  digests: string | null;
  software_count: number | null;
  software_gen: number | null;
  /** The staging row, read in the same round trip (json: its bigint first_seq fits a number). */
  staging: StagingRow | null;
  /** Whether a swap to the live generation is still to be retired by the sweeper (software_garbage). */
  behind_sweep: boolean;
}

/** A device's rows of generation $2 (device id $1) with their keys and packages. */
const GENERATION = `device_software r JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id
  WHERE r.device_num = (SELECT num FROM software_devices WHERE device_id = $1) AND r.gen = $2`;

/** Rows of generation $2 by key ($3): what a delta reads. */
const BY_KEYS = `SELECT ${ROW_SELECT} FROM ${GENERATION} AND k.item_key = ANY($3::text[])`;

/** After this many runs that each needed new rows, whole generations are read instead. */
const MAX_RUNS = 6;

/** Rows read so far for one batch: by generation, key to item (undefined: known absent). */
class Reads {
  readonly rows = new Map<number, Map<string, Software | undefined>>();
  readonly whole = new Set<number>();
  missing = new Map<number, Set<string>>();
  missingWhole = new Set<number>();
  /** Sections of the other sections by `gen\nsection`, and those asked for but not read yet. */
  readonly sections = new Map<string, SectionPage[]>();
  missingSections = new Map<string, { gen: number; section: RestSection }>();

  get(gen: number, key: string): Software | undefined {
    const known = this.rows.get(gen);
    if (known?.has(key)) {
      const s = known.get(key);
      return s && { ...s };
    }
    if (!this.whole.has(gen)) (this.missing.get(gen) ?? this.missing.set(gen, new Set()).get(gen)!).add(key);
    return undefined;
  }

  all(gen: number): Software[] {
    if (this.whole.has(gen))
      return [...(this.rows.get(gen)?.values() ?? [])].filter((s): s is Software => s !== undefined).map((s) => ({ ...s }));
    this.missingWhole.add(gen);
    return [];
  }

  /** A section's rows (none while not read yet: noted, and the planner runs again once they are). */
  section(gen: number, section: RestSection): SectionPage[] {
    const k = `${gen}\n${section}`;
    const known = this.sections.get(k);
    if (known) return [...known];
    this.missingSections.set(k, { gen, section });
    return [];
  }

  get wantsMore(): boolean {
    return this.missing.size > 0 || this.missingWhole.size > 0 || this.missingSections.size > 0;
  }

  async load(db: Queryable, deviceId: string, everything: boolean): Promise<void> {
    const whole = new Set(this.missingWhole);
    if (everything) for (const gen of this.missing.keys()) whole.add(gen);
    for (const gen of whole) {
      const r = await db.query<KeyedSoftwareRow>(`SELECT ${ROW_SELECT} FROM ${GENERATION}`, [deviceId, gen]);
      const map = new Map<string, Software | undefined>();
      for (const row of r.rows) map.set(row.item_key, toSoftware(row));
      this.rows.set(gen, map);
      this.whole.add(gen);
    }
    for (const [gen, keys] of this.missing) {
      if (whole.has(gen)) continue;
      const r = await db.query<KeyedSoftwareRow>(prepared(BY_KEYS, [deviceId, gen, [...keys]]));
      const map = this.rows.get(gen) ?? this.rows.set(gen, new Map()).get(gen)!;
      for (const key of keys) map.set(key, undefined);
      for (const row of r.rows) map.set(row.item_key, toSoftware(row));
    }
    for (const [k, { gen, section }] of this.missingSections) this.sections.set(k, await readSectionPages(db, deviceId, gen, section));
    this.missing = new Map();
    this.missingWhole = new Set();
    this.missingSections = new Map();
  }
}

/**
 * The device row (locked for the transaction: one planner per device at a time) with its snapshot's
 * and staging's rows, in one round trip; or null. The same statement takes the identity lock shared
 * (identity-gc.ts) for the whole batch, so that the identities it names later need no statement of
 * their own for it.
 */
export async function readDeviceState(db: Queryable, deviceId: string) {
  const r = await db.query<StateRow>(
    prepared(
      `SELECT d.secret_hash, d.last_seq, d.digest, d.hostname, d.needs_full, s.device_id AS snapshot_row, s.digests, s.software_count, s.software_gen,
         (SELECT row_to_json(st) FROM snapshot_staging st WHERE st.device_id = d.id) AS staging,
         EXISTS (SELECT 1 FROM software_garbage g WHERE g.device_id = d.id AND g.replaced_by = s.software_gen) AS behind_sweep,
         pg_advisory_xact_lock_shared($2) AS identities_shared
       FROM devices d LEFT JOIN snapshots s ON s.device_id = d.id WHERE d.id = $1 FOR UPDATE OF d`,
      [deviceId, IDENTITY_LOCK],
    ),
  );
  const row = r.rows[0];
  if (!row) return null;
  return { row, staging: row.staging };
}

type DeviceState = NonNullable<Awaited<ReturnType<typeof readDeviceState>>>;

/** Runs `plan` until it needed nothing it had not been given; returns its outcome and the state it saw. */
export async function planOnRows<T extends BatchOutcome>(
  db: Queryable,
  deviceId: string,
  device: DeviceState,
  plan: (state: IngestState) => T,
): Promise<{ outcome: T; state: IngestState }> {
  const reads = new Reads();
  for (let run = 1; ; run++) {
    const state = stateOf(deviceId, device, reads);
    let outcome: { value: T } | { error: unknown };
    try {
      const value = plan(state);
      // The writes read some sections from the plan (the ones it rewrites, those its device columns
      // come from): read here, so that they are loaded before the writes, which cannot wait for them.
      for (const section of sectionsRead(value)) void value.snapshot!.inventory[section];
      outcome = { value };
    } catch (error) {
      outcome = { error };
    }
    if (!reads.wantsMore) {
      // The planner's own refusal (it read everything it needed): the batch fails as on SQLite.
      if ('error' in outcome) throw outcome.error as Error;
      return { outcome: outcome.value, state };
    }
    await reads.load(db, deviceId, run >= MAX_RUNS);
  }
}

function stateOf(deviceId: string, device: DeviceState, reads: Reads): IngestState {
  const { row } = device;
  const softwareGen = row.software_gen ?? 0;
  return {
    deviceId,
    secretHash: row.secret_hash,
    lastSeq: row.last_seq,
    digest: row.digest,
    needsFull: row.needs_full,
    hostname: row.hostname,
    // A new view for each run: the planner may change what it is given.
    inventory:
      row.snapshot_row === null
        ? null
        : { rest: lazyRest((section) => reads.section(softwareGen, section)), digests: decodeDigests(row.digests) },
    sectionPages: (gen, section) => reads.section(gen, section),
    software: { get: (key) => reads.get(softwareGen, key), size: row.software_count ?? 0, all: () => reads.all(softwareGen) },
    softwareGen,
    softwareOf: (gen) => ({ get: (key) => reads.get(gen, key), size: 0 }),
    staging: device.staging ? stagingOf(device.staging) : null,
  };
}

function stagingOf(r: StagingRow): StagingState {
  // Part 0's sections are rows of the staged generation, read by the swap a section at a time.
  return {
    first: r.first_seq,
    count: r.part_count,
    digest: r.digest,
    trigger: TriggerSchema.parse(r.trigger),
    received: JSON.parse(r.received) as number[],
    rest: null,
    softwareSum: BigInt(`0x${r.software_sum}`),
    softwareCount: r.software_count,
    restDigests: decodeDigests(r.rest_digests),
    restKeys: decodeKeys(r.rest_keys),
  };
}
