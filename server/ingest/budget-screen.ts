// The per-batch entry budget, applied before the schema check: validating a frame costs time in
// proportion to its entries (a 16 MB frame of packages costs hundreds of ms), so inventory items past
// the budget are taken out of the parsed frame first, unvalidated, and refused by seq with
// E_BATCH_TOO_LARGE like the planner refuses them (plan-batch.ts counts the same way).
import { rawInventoryEntries } from '../../shared/inventory-parts.js';
import { LIMITS } from '../../shared/protocol.js';

export interface Screened {
  seq: number;
}

/** Removes, in place, the inventory items of an `items` message past the budget; returns their seqs. */
export function screenBudget(data: unknown): Screened[] {
  const items = (data as { type?: unknown; items?: unknown } | null)?.items;
  if ((data as { type?: unknown } | null)?.type !== 'items' || !Array.isArray(items)) return [];
  const removed: Screened[] = [];
  let entries = 0;
  const kept = items.filter((item: unknown) => {
    const n = rawInventoryEntries(item, LIMITS.maxInventoryEntriesPerBatch + 1);
    if (n === 0) return true;
    entries += n;
    const seq = (item as { seq?: unknown }).seq;
    // An item with no usable seq is left for the schema to refuse, with the whole frame.
    if (entries <= LIMITS.maxInventoryEntriesPerBatch || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return true;
    removed.push({ seq });
    return false;
  });
  if (removed.length) (data as { items: unknown[] }).items = kept;
  return removed;
}
