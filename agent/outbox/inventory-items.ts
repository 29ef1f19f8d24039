// How a snapshot or a change becomes queue items: whole, or cut to the server's per-batch entry
// budget (parts of one snapshot with consecutive seqs; deltas that compose). Inside a transaction.
import type { Delta } from '../../shared/delta.js';
import { deltaEntries, snapshotEntries, snapshotParts, splitDelta } from '../../shared/inventory-parts.js';
import type { Snapshot } from '../../shared/inventory.js';
import { LIMITS, type ItemKind, type Trigger } from '../../shared/protocol.js';
import type { Db } from './database.js';
import { INVENTORY_KINDS, insertItem, readState } from './queue.js';
import { checkSize, sizedJson } from './validate.js';

export interface Recorded {
  seq: number;
  kind: ItemKind;
}

/** A snapshot already validated and normalised, with its JSON and digest. */
export interface SnapshotRecord {
  snapshot: Snapshot;
  json: string;
  digest: string;
}

/** The trigger on a full snapshot the outbox makes itself from its baseline. */
const RESYNC: Trigger = 'resync';

/** A full snapshot as one item, or as parts (shared/inventory-parts.ts). Returns the last item. */
export function insertFull(db: Db, at: string, trigger: Trigger, full: SnapshotRecord): Recorded {
  if (snapshotEntries(full.snapshot) <= LIMITS.maxInventoryEntriesPerBatch) {
    // The snapshot is already validated and normalised: splice it in rather than re-encode.
    const bodyJson = `{"trigger":${JSON.stringify(trigger)},"digest":${JSON.stringify(full.digest)},"snapshot":${full.json}}`;
    checkSize(bodyJson);
    return { seq: insertItem(db, 'inventory.full', at, bodyJson), kind: 'inventory.full' };
  }
  const first = readState(db).last_seq + 1;
  let seq = first;
  for (const part of snapshotParts(full.snapshot, full.digest, trigger, first)) seq = insertItem(db, 'inventory.part', at, sizedJson(part));
  return { seq, kind: 'inventory.part' };
}

/** A delta from `base` as one item, or cut into deltas that compose, each within the budget. */
export function insertDelta(
  db: Db,
  at: string,
  trigger: Trigger,
  base: { snapshot: Snapshot; digest: string },
  delta: Delta,
  digest: string,
): Recorded {
  const pieces = deltaEntries(delta) <= LIMITS.maxInventoryEntriesPerBatch ? [{ delta, digest }] : splitDelta(base.snapshot, delta);
  let baseDigest = base.digest;
  let seq = 0;
  for (const piece of pieces) {
    seq = insertItem(db, 'inventory.delta', at, sizedJson({ trigger, baseDigest, digest: piece.digest, delta: piece.delta }));
    baseDigest = piece.digest;
  }
  return { seq, kind: 'inventory.delta' };
}

/** Pending inventory items give way to one full snapshot; items of other kinds keep their seq and order. */
export function replaceInventoryWithFull(db: Db, at: string, full: SnapshotRecord): Recorded {
  db.prepare(`DELETE FROM items WHERE kind IN ${INVENTORY_KINDS}`).run();
  return insertFull(db, at, RESYNC, full);
}
