// A batch of items in one PostgreSQL transaction (the caller's): read the device's state, let the
// planner decide (batch-state.ts), write the new seq, snapshot, software rows and change history,
// then let the ingest write its ticket items through the prefetched ledger and enqueue the desk jobs
// it names: together or not at all. See ./README.md, "applyBatch and the ticket ledger".
import { encodeDigests } from '../../../shared/digest.js';
import { sectionWrites } from '../section-columns.js';
import { itemKey } from '../../../shared/inventory.js';
import { writeSection, writeSectionColumns, writeSectionPages } from './sections.js';
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
): Promise<(AppliedBatch<T> & { enqueued: number }) | null> {
  const device = await readDeviceState(db, deviceId);
  if (!device) return null;
  const { outcome, state } = await planOnRows(db, deviceId, device, plan);
  const gen = outcome.softwareGen ?? state.softwareGen;
  // The fleet software counts follow the live rows in this transaction (fleet-counts.ts).
  const liveBefore = device.row.snapshot_row === null ? null : state.softwareGen;
  const finishCounts = await trackPgCounts(db, deviceId, liveBefore, outcome.snapshot ? gen : liveBefore, outcome.software);
  for (const st of outcome.staged ?? []) {
    await insertSoftwareRows(db, deviceId, st.gen, st.rows, 'keep');
    if (st.changes) await writeStagedChanges(db, deviceId, st.gen, st.changes);
  }
  await writeSectionPages(db, deviceId, outcome.stagedSections ?? []);
  if (outcome.staging !== undefined) await writeStaging(db, deviceId, outcome.staging);
  for (const g of outcome.garbage ?? []) await addGarbage(db, deviceId, g);
  // A swap's software changes join the history in the sweeper's steps (software-sweep.ts). The
  // device row's seq (and the snapshot's digest, when there is one) is one statement.
  const digest = outcome.snapshot ? await writeSnapshot(db, deviceId, at, gen, outcome) : undefined;
  await db.query(
    digest === undefined
      ? prepared('UPDATE devices SET last_seq = $1, needs_full = $2, last_seen = $3 WHERE id = $4', [
          outcome.lastSeq,
          outcome.needsFull,
          at,
          deviceId,
        ])
      : prepared('UPDATE devices SET last_seq = $1, needs_full = $2, last_seen = $3, digest = $5 WHERE id = $4', [
          outcome.lastSeq,
          outcome.needsFull,
          at,
          deviceId,
          digest,
        ]),
  );
  if (outcome.software) {
    const keys = [...outcome.software.upsert.map((s) => itemKey.software(s)), ...outcome.software.remove];
    outcome.changes.unshift(...(await softwareAheadOfSweep(db, deviceId, gen, keys)));
    await deleteSoftwareRows(db, deviceId, gen, outcome.software.remove);
    await insertSoftwareRows(db, deviceId, gen, outcome.software.upsert, 'replace');
  }
  await finishCounts();
  // A first inventory's software list reaches the desk's rules but is not copied into the history.
  await writeChanges(
    db,
    deviceId,
    at,
    outcome.changes.filter((c) => !c.unrecorded),
  );
  if (!follow) return { plan: outcome, tickets: [], enqueued: 0 };
  const ledger = await openPgLedger(db, deviceId, ledgerReadsOf(outcome.ticketItems ?? []));
  const followed = follow(ledger.ledger, outcome, state);
  await ledger.flush();
  for (const job of followed.deskJobs) await desk.enqueueIn(db, job, at);
  return { plan: outcome, tickets: followed.tickets, enqueued: followed.deskJobs.length };
}

/** Writes the snapshot's rows; returns the digest the device row takes (the caller writes that row). */
async function writeSnapshot(db: Queryable, deviceId: string, at: number, gen: number, outcome: BatchOutcome): Promise<string> {
  const snapshot = outcome.snapshot!;
  const { digests, digest, softwareCount, restChanged } = snapshot;
  // Only software changed: its rows say it all; the other sections (up to megabytes) stay as stored.
  if (restChanged === false) {
    const counts = await db.query(
      prepared('UPDATE snapshots SET digests = $1, software_count = $2, software_gen = $3, updated_at = $4 WHERE device_id = $5', [
        encodeDigests(digests),
        softwareCount,
        gen,
        at,
        deviceId,
      ]),
    );
    if (counts.rowCount === 1) return digest;
  }
  // Only the sections the batch changed are rewritten (a swap: none, its staged rows are the new
  // generation's); each was read into the plan before the writes (batch-state.ts).
  const inventory = snapshot.inventory;
  const writes = sectionWrites(outcome);
  // The swap's change of a section the sweeper has not compared yet, before it is rewritten.
  outcome.changes.unshift(...(await sectionsAheadOfSweep(db, deviceId, gen, writes.sections)));
  for (const section of writes.sections) await writeSection(db, deviceId, gen, section, inventory);
  await db.query(
    `INSERT INTO snapshots (device_id, snapshot, digests, software_count, software_gen, updated_at) VALUES ($1, '{}', $2, $3, $4, $5)
     ON CONFLICT (device_id) DO UPDATE SET snapshot = excluded.snapshot, digests = excluded.digests,
       software_count = excluded.software_count, software_gen = excluded.software_gen, updated_at = excluded.updated_at`,
    [deviceId, encodeDigests(digests), softwareCount, gen, at],
  );
  await writeSectionColumns(db, deviceId, digest, inventory, writes);
  return digest;
}

async function writeChanges(db: Queryable, deviceId: string, receivedAt: number, changes: readonly ChangeRecord[]): Promise<void> {
  if (changes.length === 0) return;
  const json = (pick: (c: ChangeRecord) => unknown) => changes.map((c) => JSON.stringify(pick(c)));
  await db.query(
    prepared(
      `INSERT INTO changes (device_id, received_at, at, trigger, seq, section, added, removed, changed)
     SELECT $1, $2, c.at, c.trigger, c.seq, c.section, c.added, c.removed, c.changed FROM unnest($3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[])
     WITH ORDINALITY AS c(at, trigger, seq, section, added, removed, changed, n) ORDER BY n`,
      [
        deviceId,
        receivedAt,
        changes.map((c) => c.at),
        changes.map((c) => c.trigger),
        changes.map((c) => c.seq),
        changes.map((c) => c.section),
        json((c) => c.added),
        json((c) => c.removed),
        json((c) => c.changed),
      ],
    ),
  );
}
