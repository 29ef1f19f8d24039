// A batch of items in one PostgreSQL transaction (the caller's): read the device's state, let the
// planner decide (batch-state.ts), write the new seq, snapshot, software rows and change history,
// then let the ingest write its ticket items through the prefetched ledger and enqueue the desk jobs
// it names: together or not at all. See ./README.md, "applyBatch and the ticket ledger".
import { encodeDigests } from '../../../shared/digest.js';
import { sectionWrites } from '../section-columns.js';
import { itemKey } from '../../../shared/inventory.js';
import { writeSectionPages, writeSections } from './sections.js';
import { changesInsert, writeDeviceRow, type DeviceRowWrite } from './device-row.js';
import { sectionsAheadOfSweep, softwareAheadOfSweep } from './ahead-of-sweep.js';
import { ledgerReadsOf } from '../ticket-ledger.js';
import type { AppliedBatch, BatchOutcome, ChangeRecord, FollowBatch, IngestState } from '../store.js';
import { planOnRows, readDeviceState } from './batch-state.js';
import type { PgDeskStore } from './desk-store.js';
import { addGarbage, deleteSoftwareRows, insertSoftwareRows, writeStagedChanges, writeStaging } from './staging.js';
import { openPgLedger } from './ticket-ledger.js';
import { trackPgCounts } from './fleet-counts.js';
import { prepared, type Queryable } from './tx.js';

export async function applyPgBatch<T extends BatchOutcome>(
  db: Queryable,
  desk: PgDeskStore,
  deviceId: string,
  at: number,
  plan: (state: IngestState) => T,
  follow?: FollowBatch<T>,
  identities?: Queryable,
): Promise<(AppliedBatch<T> & { enqueued: number }) | null> {
  const device = await readDeviceState(db, deviceId);
  if (!device) return null;
  const { outcome, state } = await planOnRows(db, deviceId, device, plan);
  const gen = outcome.softwareGen ?? state.softwareGen;
  // The fleet software counts follow the live rows in this transaction (fleet-counts.ts).
  const liveBefore = device.row.snapshot_row === null ? null : state.softwareGen;
  const finishCounts = await trackPgCounts(db, deviceId, liveBefore, outcome.snapshot ? gen : liveBefore, outcome.software);
  // A device's first snapshot names no row yet: its rows are not tried on known identities first.
  const first = device.row.snapshot_row === null && device.staging === null;
  for (const st of outcome.staged ?? []) {
    await insertSoftwareRows(db, deviceId, st.gen, st.rows, 'keep', identities, first);
    if (st.changes) await writeStagedChanges(db, deviceId, st.gen, st.changes);
  }
  await writeSectionPages(db, deviceId, outcome.stagedSections ?? []);
  if (outcome.staging !== undefined) await writeStaging(db, deviceId, outcome.staging);
  for (const g of outcome.garbage ?? []) await addGarbage(db, deviceId, g);
  // A swap's software changes join the history in the sweeper's steps (software-sweep.ts). A swap
  // the sweeper has still to retire is looked for only when there may be one (the state's read says
  // whether the live generation has one; a batch that makes garbage or a generation may make one).
  const behind = device.row.behind_sweep || gen !== state.softwareGen || (outcome.garbage?.length ?? 0) > 0;
  // The device row, its snapshot row and the ledger's read of the device: one statement (device-row.ts).
  // Its change records too when no swap is behind the sweeper (none can be added later then).
  const snapshotWrites = outcome.snapshot ? await writeSnapshot(db, deviceId, gen, outcome, device.row.snapshot_row !== null, behind) : {};
  const head = await writeDeviceRow(db, deviceId, {
    lastSeq: outcome.lastSeq,
    needsFull: outcome.needsFull,
    at,
    ledgerHead: follow !== undefined,
    ...snapshotWrites,
    ...(behind ? {} : { changes: recorded(outcome.changes) }),
  });
  if (outcome.software) {
    const keys = [...outcome.software.upsert.map((s) => itemKey.software(s)), ...outcome.software.remove];
    if (behind) outcome.changes.unshift(...(await softwareAheadOfSweep(db, deviceId, gen, keys)));
    await deleteSoftwareRows(db, deviceId, gen, outcome.software.remove);
    await insertSoftwareRows(db, deviceId, gen, outcome.software.upsert, 'replace', identities, first);
  }
  await finishCounts();
  if (behind) await writeChanges(db, deviceId, at, recorded(outcome.changes));
  if (!follow) return { plan: outcome, tickets: [], enqueued: 0 };
  const ledger = await openPgLedger(db, deviceId, ledgerReadsOf(outcome.ticketItems ?? []), head);
  const followed = follow(ledger.ledger, outcome, state);
  await ledger.flush();
  for (const job of followed.deskJobs) await desk.enqueueIn(db, job, at);
  return { plan: outcome, tickets: followed.tickets, enqueued: followed.deskJobs.length };
}

/**
 * Writes the snapshot's section rows; returns what the device row's statement writes with them (the
 * digest, the snapshot row, the columns from rewritten sections).
 */
async function writeSnapshot(
  db: Queryable,
  deviceId: string,
  gen: number,
  outcome: BatchOutcome,
  hasRow: boolean,
  behind: boolean,
): Promise<Pick<DeviceRowWrite, 'digest' | 'snapshot' | 'display' | 'posture'>> {
  const snapshot = outcome.snapshot!;
  const { digests, digest, softwareCount, restChanged } = snapshot;
  const row = { digests: encodeDigests(digests), softwareCount, gen };
  // Only software changed: its rows say it all; the other sections (up to megabytes) stay as stored.
  if (restChanged === false && hasRow) return { digest, snapshot: { kind: 'digests', ...row } };
  // Only the sections the batch changed are rewritten (a swap: none, its staged rows are the new
  // generation's); each was read into the plan before the writes (batch-state.ts).
  const inventory = snapshot.inventory;
  const writes = sectionWrites(outcome);
  // The swap's change of a section the sweeper has not compared yet, before it is rewritten.
  if (behind) outcome.changes.unshift(...(await sectionsAheadOfSweep(db, deviceId, gen, writes.sections)));
  await writeSections(db, deviceId, gen, writes.sections, inventory);
  return {
    digest,
    snapshot: { kind: 'row', ...row },
    ...(writes.display ? { display: inventory } : {}),
    ...(writes.posture ? { posture: inventory } : {}),
  };
}

/** A first inventory's software list reaches the desk's rules but is not copied into the history. */
const recorded = (changes: readonly ChangeRecord[]) => changes.filter((c) => !c.unrecorded);

async function writeChanges(db: Queryable, deviceId: string, receivedAt: number, changes: readonly ChangeRecord[]): Promise<void> {
  if (changes.length === 0) return;
  const values: unknown[] = [];
  const param = (v: unknown) => `$${values.push(v)}`;
  const refs = { device: param(deviceId), receivedAt: param(receivedAt) };
  await db.query(prepared(changesInsert(changes, param, refs), values));
}
