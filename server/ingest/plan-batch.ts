// What one batch of items does to a device, decided without I/O from the state read inside the
// batch transaction. Items at or below the device's last seq were applied before and are skipped;
// a delta that does not fit the stored snapshot is skipped and a full snapshot is asked for.
// Ticket and worklog items are passed on, in order, for the ticket store to apply in the same
// transaction (they need lookups this planner does not have).
import { applyDelta, diffSnapshots, emptySnapshot, type SectionChange } from '../../shared/delta.js';
import { snapshotDigest } from '../../shared/digest.js';
import type { ErrorCode } from '../../shared/errors.js';
import { HardwareSchema, itemKey, OsSchema, type Snapshot, type Software } from '../../shared/inventory.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import type { Item } from '../../shared/protocol.js';
import type { BatchOutcome, ChangeRecord, IngestState } from '../store/store.js';
import { isTicketItem, type TicketItem } from '../store/ticket-records.js';

export interface ItemProblem {
  code: ErrorCode;
  seq: number;
  message: string;
}

export interface BatchPlan extends BatchOutcome {
  ticketItems: TicketItem[];
  /** Seqs skipped because they were applied before (redelivery). */
  replayed: number[];
  /** Items that could not be applied; each is reported to the agent. */
  problems: ItemProblem[];
  /** A delta did not fit: the agent is asked for a full snapshot (once per batch). */
  fullRequested: boolean;
}

/** The first seq that is not above its predecessor, or null when the batch is in order. */
export function outOfOrderSeq(items: readonly Item[]): number | null {
  for (let i = 1; i < items.length; i++) {
    if (items[i]!.seq <= items[i - 1]!.seq) return items[i]!.seq;
  }
  return null;
}

type FullItem = Extract<Item, { kind: 'inventory.full' }>;
type DeltaItem = Extract<Item, { kind: 'inventory.delta' }>;

export function planBatch(state: IngestState, items: readonly Item[]): BatchPlan {
  let snapshot = state.snapshot;
  let digest = state.digest;
  const plan: BatchPlan = {
    lastSeq: state.lastSeq,
    needsFull: state.needsFull,
    changes: [],
    ticketItems: [],
    replayed: [],
    problems: [],
    fullRequested: false,
  };

  for (const item of items) {
    if (item.seq <= state.lastSeq) {
      plan.replayed.push(item.seq);
      continue;
    }
    plan.lastSeq = Math.max(plan.lastSeq, item.seq);
    if (isTicketItem(item)) {
      plan.ticketItems.push(item);
      continue;
    }
    const applied = item.kind === 'inventory.full' ? applyFull(snapshot, item, plan) : applyDeltaItem(snapshot, digest, item, plan);
    if (!applied) continue;
    snapshot = applied.snapshot;
    digest = applied.digest;
    plan.changes.push(...applied.changes.map((c) => changeRecord(item, c)));
  }

  if (snapshot !== state.snapshot && snapshot !== null) {
    plan.snapshot = { snapshot, digest: digest! };
    plan.software = softwareRows(plan.changes, snapshot.software);
  }
  return plan;
}

interface Applied {
  snapshot: Snapshot;
  digest: string;
  changes: SectionChange[];
}

function applyFull(previous: Snapshot | null, item: FullItem, plan: BatchPlan): Applied {
  const next = normaliseSnapshot(item.body.snapshot);
  const digest = snapshotDigest(next);
  if (digest !== item.body.digest) {
    // Both sides run the same digest code, so this means an agent of another version; the server's
    // own digest is kept, and the agent's next delta will miss its baseline and trigger a resync.
    plan.problems.push({ code: 'E_DIGEST_MISMATCH', seq: item.seq, message: 'The full snapshot does not match its digest; the server keeps its own.' });
  }
  // A first inventory is compared with nothing; the empty snapshot's placeholder platform is not
  // a change the device made, so it takes the device's own.
  const base = previous ?? { ...emptySnapshot(next.os.hostname), os: { platform: next.os.platform, hostname: next.os.hostname } };
  plan.needsFull = false;
  return { snapshot: next, digest, changes: applyDelta(base, diffSnapshots(base, next)).changes };
}

function applyDeltaItem(base: Snapshot | null, baseDigest: string | null, item: DeltaItem, plan: BatchPlan): Applied | null {
  if (base === null || baseDigest === null) {
    return skipDelta(plan, item, 'E_NO_BASELINE', 'A delta arrived before any full snapshot.');
  }
  if (item.body.baseDigest !== baseDigest) {
    return skipDelta(plan, item, 'E_DIGEST_MISMATCH', "The delta's base is not the server's snapshot.");
  }
  const { snapshot, changes } = applyDelta(base, item.body.delta);
  // A delta may unset required fields; such a snapshot must never be stored.
  if (!HardwareSchema.safeParse(snapshot.hardware).success || !OsSchema.safeParse(snapshot.os).success) {
    return skipDelta(plan, item, 'E_BAD_MESSAGE', 'The delta leaves an invalid snapshot.');
  }
  const digest = snapshotDigest(snapshot);
  if (digest !== item.body.digest) {
    return skipDelta(plan, item, 'E_DIGEST_MISMATCH', 'The snapshot after the delta does not match its digest.');
  }
  return { snapshot, digest, changes };
}

function skipDelta(plan: BatchPlan, item: DeltaItem, code: ErrorCode, message: string): null {
  plan.problems.push({ code, seq: item.seq, message: `${message} A full snapshot is needed.` });
  plan.needsFull = true;
  plan.fullRequested = true;
  return null;
}

function changeRecord(item: FullItem | DeltaItem, change: SectionChange): ChangeRecord {
  return { at: item.at, trigger: item.body.trigger, seq: item.seq, ...change };
}

/**
 * Rows to write so the software table matches the new snapshot: only the packages the batch's
 * changes touched, each written as it finally stands (a package may change twice in one batch).
 */
export function softwareRows(changes: readonly ChangeRecord[], after: readonly Software[]): { upsert: Software[]; remove: string[] } {
  const touched = new Set<string>();
  for (const c of changes) {
    if (c.section !== 'software') continue;
    for (const item of [...c.added, ...c.removed]) touched.add(itemKey.software(item as Software));
    for (const { key } of c.changed) touched.add(key);
  }
  if (touched.size === 0) return { upsert: [], remove: [] };
  const final = new Map(after.map((s) => [itemKey.software(s), s]));
  const upsert: Software[] = [];
  const remove: string[] = [];
  for (const key of touched) {
    const item = final.get(key);
    if (item) upsert.push(item);
    else remove.push(key);
  }
  return { upsert, remove };
}
