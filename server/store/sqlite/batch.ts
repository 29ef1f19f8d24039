// A batch of items in one transaction: read the device's state, let the planner decide, write the
// new seq, snapshot, software rows and change history, then let the ingest write its ticket items
// through the ledger and enqueue the desk jobs it names: together or not at all.
import type Database from 'better-sqlite3';
import { compareStrings } from '../../../shared/normalise.js';
import { decodeDigests, encodeDigests } from '../../../shared/digest.js';
import { itemKey, type Software } from '../../../shared/inventory.js';
import type { NewDeskJob } from '../desk-records.js';
import type { AppliedBatch, BatchOutcome, ChangeRecord, FollowBatch, IngestState, SoftwareTable } from '../store.js';
import { createTicketLedger } from './ticket-ledger.js';
import { createStagingStatements } from './staging.js';
import { createSectionStatements } from './sections.js';
import { sectionWrites } from '../section-columns.js';
import { createSoftwareRows, type SoftwareRow, type SoftwareRows } from './software-rows.js';
import { createFleetCounts } from './fleet-counts.js';
import { createAheadOfSweep } from './ahead-of-sweep.js';

export type { SoftwareRow } from './software-rows.js';

interface StateRow {
  secret_hash: Buffer;
  last_seq: number;
  digest: string | null;
  hostname: string;
  needs_full: number;
  /** Null when the device has no snapshot yet. */
  snapshot_row: string | null;
  digests: string | null;
  software_count: number | null;
  software_gen: number | null;
}

export const SOFTWARE_COLUMNS = 'name, version, publisher, arch, source, scope, user_name, install_date';

/** The applied batch and how many desk jobs it enqueued (the caller tells the sync after commit). */
export type ApplyBatch = <T extends BatchOutcome>(
  deviceId: string,
  at: number,
  plan: (state: IngestState) => T,
  follow?: FollowBatch<T>,
) => (AppliedBatch<T> & { enqueued: number }) | null;

/**
 * `enqueue` writes one desk job inside the caller's transaction; `rows` the software rows with the ids
 * they keep in memory (shared with the identity collector, which makes them forget).
 */
export function createApplyBatch(
  db: Database.Database,
  enqueue: (job: NewDeskJob, at: number) => void,
  rows: SoftwareRows = createSoftwareRows(db),
): ApplyBatch {
  const readState = db.prepare<[string], StateRow>(`
    SELECT d.secret_hash, d.last_seq, d.digest, d.hostname, d.needs_full, s.device_id AS snapshot_row, s.digests, s.software_count, s.software_gen
    FROM devices d LEFT JOIN snapshots s ON s.device_id = d.id WHERE d.id = ?`);
  const writeProgress = db.prepare('UPDATE devices SET last_seq = ?, needs_full = ?, last_seen = ? WHERE id = ?');
  const writeSnapshot = db.prepare(`
    INSERT INTO snapshots (device_id, snapshot, digests, software_count, software_gen, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(device_id) DO UPDATE SET snapshot = excluded.snapshot, digests = excluded.digests,
      software_count = excluded.software_count, software_gen = excluded.software_gen, updated_at = excluded.updated_at`);
  const writeCounts = db.prepare(
    'UPDATE snapshots SET digests = ?, software_count = ?, software_gen = ?, updated_at = ? WHERE device_id = ?',
  );
  const writeDigest = db.prepare('UPDATE devices SET digest = ? WHERE id = ?');
  const staging = createStagingStatements(db);
  const sections = createSectionStatements(db);
  const ahead = createAheadOfSweep(db, sections, rows);
  const insertChange = db.prepare(`
    INSERT INTO changes (device_id, at, received_at, trigger, seq, section, added, removed, changed)
    VALUES (@deviceId, @at, @receivedAt, @trigger, @seq, @section, @added, @removed, @changed)`);

  const writeSoftware = (deviceId: string, gen: number, software: NonNullable<BatchOutcome['software']>, upsertKeys: string[]) => {
    for (const key of software.remove) rows.remove(deviceId, gen, key);
    rows.write(deviceId, gen, software.upsert, 'replace', upsertKeys);
  };
  const writeChange = (deviceId: string, receivedAt: number, c: ChangeRecord) =>
    insertChange.run({
      deviceId,
      receivedAt,
      at: c.at,
      trigger: c.trigger,
      seq: c.seq,
      section: c.section,
      added: JSON.stringify(c.added),
      removed: JSON.stringify(c.removed),
      changed: JSON.stringify(c.changed),
    });

  const ledgerFor = createTicketLedger(db);
  const counts = createFleetCounts(db);

  const apply = <T extends BatchOutcome>(deviceId: string, at: number, plan: (state: IngestState) => T, follow?: FollowBatch<T>) => {
    const row = readState.get(deviceId);
    if (!row) return null;
    // The planner looks a key up more than once (apply, digest, fold); the rows cannot change before
    // it returns, so each is read once.
    const softwareGen = row.software_gen ?? 0;
    const read = new Map<string, Software | undefined>();
    const lookup = (gen: number, key: string) => {
      const k = `${gen}\n${key}`;
      if (!read.has(k)) {
        const r = rows.byKey(deviceId, gen, key);
        read.set(k, r && toSoftware(r));
      }
      return read.get(k);
    };
    const software: SoftwareTable = {
      get: (key) => lookup(softwareGen, key),
      size: row.software_count ?? 0,
      all: () => rows.all(deviceId, softwareGen).map(toSoftware),
    };
    const state: IngestState = {
      deviceId,
      secretHash: row.secret_hash,
      lastSeq: row.last_seq,
      digest: row.digest,
      needsFull: row.needs_full === 1,
      hostname: row.hostname,
      // Each section (up to megabytes) is read inside the batch's transaction only if the planner reads it.
      inventory: row.snapshot_row === null ? null : { rest: sections.rest(deviceId, softwareGen), digests: decodeDigests(row.digests) },
      sectionPages: (gen, section) => sections.pages(deviceId, gen, section),
      software,
      softwareGen,
      softwareOf: (gen) => ({ get: (key) => lookup(gen, key), size: 0 }),
      staging: staging.read(deviceId),
    };
    const outcome = plan(state);
    const gen = outcome.softwareGen ?? softwareGen;
    // The fleet software counts follow the live rows in this transaction (fleet-counts.ts).
    const liveBefore = row.snapshot_row === null ? null : softwareGen;
    const finishCounts = counts.track(deviceId, liveBefore, outcome.snapshot ? gen : liveBefore, outcome.software);
    for (const st of outcome.staged ?? []) {
      rows.write(deviceId, st.gen, st.rows, 'keep');
      if (st.changes) staging.writeChanges(deviceId, st.gen, st.changes);
    }
    for (const page of outcome.stagedSections ?? []) sections.writePage(deviceId, page);
    if (outcome.staging !== undefined) staging.write(deviceId, outcome.staging);
    for (const g of outcome.garbage ?? []) staging.addGarbage(deviceId, g);
    // A swap's software changes join the history in the sweeper's steps (software-sweep.ts).
    if (outcome.snapshot) {
      // `inventory` is built (O(the other sections)) only when read: not for a software-only change.
      const { digests, digest, softwareCount, restChanged } = outcome.snapshot;
      // Only software changed: its rows say it all; the other sections (up to megabytes) stay as stored.
      if (restChanged === false && writeCounts.run(encodeDigests(digests), softwareCount, gen, at, deviceId).changes === 1) {
        writeDigest.run(digest, deviceId);
      } else {
        // Only the sections the batch changed are rewritten (a swap: none, its staged rows are the
        // new generation's); each is built from the plan only when read.
        const inventory = outcome.snapshot.inventory;
        const writes = sectionWrites(outcome);
        // The swap's change of a section the sweeper has not compared yet, before it is rewritten.
        outcome.changes.unshift(...ahead.sections(deviceId, gen, writes.sections));
        for (const section of writes.sections) sections.writeSection(deviceId, gen, section, inventory);
        writeSnapshot.run(deviceId, '{}', encodeDigests(digests), softwareCount, gen, at);
        writeDigest.run(digest, deviceId);
        sections.writeColumns(deviceId, digest, inventory, writes);
      }
    }
    writeProgress.run(outcome.lastSeq, outcome.needsFull ? 1 : 0, at, deviceId);
    if (outcome.software) {
      const upsertKeys = outcome.software.upsert.map((s) => itemKey.software(s));
      outcome.changes.unshift(...ahead.software(deviceId, gen, [...upsertKeys, ...outcome.software.remove]));
      writeSoftware(deviceId, gen, outcome.software, upsertKeys);
    }
    finishCounts();
    for (const change of outcome.changes) if (!change.unrecorded) writeChange(deviceId, at, change);
    const followed = follow?.(ledgerFor(deviceId), outcome, state);
    for (const job of followed?.deskJobs ?? []) enqueue(job, at);
    return { plan: outcome, tickets: followed?.tickets ?? [], enqueued: followed?.deskJobs.length ?? 0 };
  };
  const inTransaction = db.transaction(apply) as ApplyBatch;
  const applyBatch: ApplyBatch = (deviceId, at, plan, follow) => {
    try {
      return inTransaction(deviceId, at, plan, follow);
    } catch (error) {
      rows.forget();
      throw error;
    }
  };
  return applyBatch;
}

/** A stored row back to the item it was written from (absent fields were written as NULL). */
export function toSoftware(r: SoftwareRow): Software {
  const s: Software = { name: r.name, source: r.source, scope: r.scope };
  if (r.version !== null) s.version = r.version;
  if (r.publisher !== null) s.publisher = r.publisher;
  if (r.arch !== null) s.arch = r.arch;
  if (r.user_name !== null) s.user = r.user_name;
  if (r.install_date !== null) s.installDate = r.install_date;
  return s;
}

/** The software rows in snapshot order (code-unit order of the item key, as normaliseSnapshot sorts). */
export function sortedSoftware(rows: readonly SoftwareRow[]): Software[] {
  return rows.map(toSoftware).sort((a, b) => compareStrings(itemKey.software(a), itemKey.software(b)));
}

export function softwareRow(deviceId: string, gen: number, s: Software) {
  return {
    deviceId,
    gen,
    key: itemKey.software(s),
    name: s.name,
    version: s.version ?? null,
    publisher: s.publisher ?? null,
    arch: s.arch ?? null,
    source: s.source,
    scope: s.scope,
    user: s.user ?? null,
    installDate: s.installDate ?? null,
  };
}
