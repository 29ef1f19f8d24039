// What one batch of items does to a device, decided without I/O from the state read inside the
// batch transaction. Items at or below the device's last seq were applied before and are skipped;
// a delta that does not fit the stored snapshot, or would take it past a limit (E_SNAPSHOT_LIMIT),
// is skipped, changes nothing, and a full snapshot is asked for. A delta costs O(its items): the
// software is read by key from the store and the digest is updated, never recomputed.
// Ticket and worklog items are passed on, in order, for the ticket store to apply in the same
// transaction (they need lookups this planner does not have); deployment steps were recorded before
// the batch (server/deploy/deployer.ts) and only advance the seq here. Snapshot parts are staged and swapped
// in by plan-parts.ts. No batch applies more than LIMITS.maxInventoryEntriesPerBatch entries: an
// item past the budget is refused with E_BATCH_TOO_LARGE and changes nothing.
import type { SectionChange } from '../../shared/delta.js';
import type { ErrorCode } from '../../shared/errors.js';
import { inventoryEntries } from '../../shared/inventory-parts.js';
import { LIMITS, type Item } from '../../shared/protocol.js';
import { asOnePart, stagePart, type PartsContext } from './plan-parts.js';
import { applyDeltaItem, applyFull, type DeltaItem, type FullItem, type PartItem } from './apply-inventory.js';
import { liveOf, restView, storedLive, storedWorking, swappedWorking, type Working } from './working-state.js';
import type { BatchOutcome, ChangeRecord, IngestState, StoredInventory } from '../store/store.js';
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
export function outOfOrderSeq(items: readonly Pick<Item, 'seq'>[]): number | null {
  for (let i = 1; i < items.length; i++) {
    if (items[i]!.seq <= items[i - 1]!.seq) return items[i]!.seq;
  }
  return null;
}

/** `overBudget`: items the session took out of the frame before the schema check (budget-screen.ts). */
export function planBatch(state: IngestState, items: readonly Item[], overBudget: readonly { seq: number }[] = []): BatchPlan {
  const plan: BatchPlan = {
    lastSeq: state.lastSeq,
    needsFull: state.needsFull,
    changes: [],
    ticketItems: [],
    replayed: [],
    problems: [],
    fullRequested: false,
  };
  // The stored sections other than software (up to megabytes) are read and keyed only when an item
  // needs them: a part of software alone, or a software delta, costs O(itself), not O(them).
  let current: Working | null | undefined;
  const working = (): Working | null => (current === undefined ? (current = storedWorking(state)) : current);
  let entries = 0;
  const parts: PartsContext = { state, plan, staging: state.staging, liveGen: state.softwareGen, stagedHere: new Map() };

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
    // Recorded before the batch, idempotently by seq (server/deploy/deployer.ts); only its seq counts here.
    if (item.kind === 'deploy.status') continue;
    entries += inventoryEntries(item);
    if (entries > LIMITS.maxInventoryEntriesPerBatch) {
      refuseOverBudget(plan, item.seq);
      continue;
    }
    let changes: SectionChange[];
    if (item.kind === 'inventory.delta') changes = applyDeltaItem(working(), item, plan);
    else if (item.kind === 'inventory.full' && fullIsSmall(parts, current, item)) {
      discardStaging(parts);
      changes = (current = applyFull(state, working(), item, plan)).changes;
    } else {
      const live = current === undefined ? storedLive(state) : current && liveOf(current);
      const swapped = stagePart(parts, item.seq, item.at, partOf(item), live);
      if (swapped) current = swappedWorking(swapped);
      changes = swapped?.changes ?? [];
    }
    plan.changes.push(...changes.map((c) => changeRecord(item, c)));
  }

  plan.softwareGen = parts.liveGen;
  for (const { seq } of overBudget) {
    if (seq <= state.lastSeq) continue;
    plan.lastSeq = Math.max(plan.lastSeq, seq);
    refuseOverBudget(plan, seq);
  }
  if (current?.applied && current.digests && current.digest) {
    const { collections: c } = current;
    const done = current;
    // Every section but software, each built only when read: the store rewrites the rows of the
    // sections the batch changed, and reads the few its device columns show.
    let inventory: StoredInventory | undefined;
    const restChanged = state.inventory === null || plan.swapped !== undefined || plan.changes.some((ch) => ch.section !== 'software');
    plan.snapshot = {
      get inventory(): StoredInventory {
        return (inventory ??= restView(done));
      },
      get hostname(): string {
        return restChanged ? this.inventory.os.hostname : state.hostname;
      },
      digests: current.digests,
      digest: current.digest,
      softwareCount: c.software.size,
      restChanged,
      sections: current.changedSections(),
    };
    const upsert = [...c.software.touched.values()].filter((s) => s !== null);
    const remove = [...c.software.touched].filter(([, s]) => s === null).map(([key]) => key);
    plan.software = { upsert, remove };
  }
  return plan;
}

/**
 * Whether a full snapshot sent as one item is applied by diffing it against the stored one, which
 * costs O(both): only while both are small and no swap moved the live generation in this batch.
 * Otherwise it is staged and swapped in as a sequence of one part, which costs O(the item).
 */
function fullIsSmall(parts: PartsContext, current: Working | null | undefined, item: FullItem): boolean {
  const storedSoftware = current ? current.collections.software.size : parts.state.software.size;
  return parts.liveGen === parts.state.softwareGen && storedSoftware + inventoryEntries(item) <= LIMITS.maxInventoryEntriesPerBatch;
}

function partOf(item: FullItem | PartItem) {
  return item.kind === 'inventory.part' ? item.body : asOnePart(item.seq, item.body);
}

function discardStaging(parts: PartsContext): void {
  if (!parts.staging) return;
  (parts.plan.garbage ??= []).push({ gen: parts.staging.first, replacedBy: null });
  parts.staging = null;
  parts.plan.staging = null;
}

function refuseOverBudget(plan: BatchPlan, seq: number): void {
  const message = `The batch carries more than ${LIMITS.maxInventoryEntriesPerBatch} units of inventory (an entry is one unit, plus one per KiB of its text); this item was not applied.`;
  plan.problems.push({ code: 'E_BATCH_TOO_LARGE', seq, message: `${message} A full snapshot is needed.` });
  plan.needsFull = true;
  plan.fullRequested = true;
}

function changeRecord(item: FullItem | DeltaItem | PartItem, change: SectionChange): ChangeRecord {
  return { at: item.at, trigger: item.body.trigger, seq: item.seq, ...change };
}
