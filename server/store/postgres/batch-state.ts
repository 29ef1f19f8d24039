// What the ingest planner sees of a device in PostgreSQL, and running it. The planner is synchronous
// and pure, the driver is not: the planner runs on what has been read so far, and each read it makes
// beyond that (a software row by key, a whole generation, the staged sections) is noted and answered
// with "absent"; those rows are then read in one query per kind and the planner runs again. A run
// that needed nothing new is the answer (a one-package delta: two runs, one query for its rows).
import { decodeDigests } from '../../../shared/digest.js';
import { TriggerSchema } from '../../../shared/protocol.js';
import type { Software } from '../../../shared/inventory.js';
import { storedInventory, toSoftware } from '../sqlite/batch.js';
import { ROW_SELECT, type KeyedSoftwareRow } from '../sqlite/software-rows.js';
import type { BatchOutcome, IngestState, StagingState, StoredInventory } from '../store.js';
import { decodeKeys, withStoredPages, type StagingRow } from '../sqlite/staging.js';
import type { Queryable } from './tx.js';

interface StateRow {
  secret_hash: Buffer;
  last_seq: number;
  digest: string | null;
  hostname: string;
  needs_full: boolean;
  snapshot: string | null;
  digests: string | null;
  software_count: number | null;
  software_gen: number | null;
}

/** A device's rows of generation $2 (device id $1) with their keys and packages. */
const GENERATION = `device_software r JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id
  WHERE r.device_num = (SELECT num FROM software_devices WHERE device_id = $1) AND r.gen = $2`;

/** After this many runs that each needed new rows, whole generations are read instead. */
const MAX_RUNS = 6;

/** Rows read so far for one batch: by generation, key to item (undefined: known absent). */
class Reads {
  readonly rows = new Map<number, Map<string, Software | undefined>>();
  readonly whole = new Set<number>();
  missing = new Map<number, Set<string>>();
  missingWhole = new Set<number>();
  restWanted = false;

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

  get wantsMore(): boolean {
    return this.missing.size > 0 || this.missingWhole.size > 0 || this.restWanted;
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
      const r = await db.query<KeyedSoftwareRow>(`SELECT ${ROW_SELECT} FROM ${GENERATION} AND k.item_key = ANY($3::text[])`, [
        deviceId,
        gen,
        [...keys],
      ]);
      const map = this.rows.get(gen) ?? this.rows.set(gen, new Map()).get(gen)!;
      for (const key of keys) map.set(key, undefined);
      for (const row of r.rows) map.set(row.item_key, toSoftware(row));
    }
    this.missing = new Map();
    this.missingWhole = new Set();
  }
}

/** The device row (locked for the transaction: one planner per device at a time), or null. */
export async function readDeviceState(db: Queryable, deviceId: string) {
  const r = await db.query<StateRow>(
    `SELECT d.secret_hash, d.last_seq, d.digest, d.hostname, d.needs_full, s.snapshot, s.digests, s.software_count, s.software_gen
     FROM devices d LEFT JOIN snapshots s ON s.device_id = d.id WHERE d.id = $1 FOR UPDATE OF d`,
    [deviceId],
  );
  const row = r.rows[0];
  if (!row) return null;
  const staging = (await db.query<StagingRow>('SELECT * FROM snapshot_staging WHERE device_id = $1', [deviceId])).rows[0] ?? null;
  return { row, staging };
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
  let restText: { value: string | null; pages: { page: string }[] } | null = null;
  for (let run = 1; ; run++) {
    let parsed: StoredInventory | null | undefined;
    const state = stateOf(deviceId, device, reads, () => {
      if (!restText) {
        reads.restWanted = true;
        return null;
      }
      // Parsed once per run: the planner may change what it is given.
      parsed ??= restText.value === null ? null : withStoredPages(JSON.parse(restText.value) as StoredInventory, restText.pages);
      return parsed;
    });
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = { value: plan(state) };
    } catch (error) {
      outcome = { error };
    }
    if (!reads.wantsMore) {
      // The planner's own refusal (it read everything it needed): the batch fails as on SQLite.
      if ('error' in outcome) throw outcome.error as Error;
      return { outcome: outcome.value, state };
    }
    if (reads.restWanted && device.staging) {
      const r = await db.query<{ rest: string }>('SELECT rest FROM snapshot_staging_rest WHERE device_id = $1 AND first_seq = $2', [
        deviceId,
        device.staging.first_seq,
      ]);
      const pages = await db.query<{ page: string }>(
        'SELECT page FROM snapshot_staging_pages WHERE device_id = $1 AND first_seq = $2 ORDER BY ord',
        [deviceId, device.staging.first_seq],
      );
      restText = { value: r.rows[0]?.rest ?? null, pages: pages.rows };
    }
    reads.restWanted = false;
    await reads.load(db, deviceId, run >= MAX_RUNS);
  }
}

function stateOf(deviceId: string, device: DeviceState, reads: Reads, loadRest: () => StoredInventory | null): IngestState {
  const { row } = device;
  const softwareGen = row.software_gen ?? 0;
  const snapshot = row.snapshot ?? '';
  return {
    deviceId,
    secretHash: row.secret_hash,
    lastSeq: row.last_seq,
    digest: row.digest,
    needsFull: row.needs_full,
    hostname: row.hostname,
    // Parsed for each run that reads it: the planner may change what it is given.
    inventory: row.snapshot === null ? null : storedInventory(() => snapshot, row.digests),
    software: { get: (key) => reads.get(softwareGen, key), size: row.software_count ?? 0, all: () => reads.all(softwareGen) },
    softwareGen,
    softwareOf: (gen) => ({ get: (key) => reads.get(gen, key), size: 0 }),
    staging: device.staging ? stagingOf(device.staging, loadRest) : null,
  };
}

function stagingOf(r: StagingRow, loadRest: () => StoredInventory | null): StagingState {
  // `rest` (part 0's and every page since) is read only at the swap.
  let rest: StoredInventory | null | undefined;
  return {
    first: r.first_seq,
    count: r.part_count,
    digest: r.digest,
    trigger: TriggerSchema.parse(r.trigger),
    received: JSON.parse(r.received) as number[],
    get rest(): StoredInventory | null {
      if (rest === undefined) return loadRest();
      return rest;
    },
    set rest(value: StoredInventory | null) {
      rest = value;
    },
    softwareSum: BigInt(`0x${r.software_sum}`),
    softwareCount: r.software_count,
    restDigests: decodeDigests(r.rest_digests),
    restKeys: decodeKeys(r.rest_keys),
  };
}
