// Packs pending items into one `items` frame: in seq order, at most a given count and, beyond the
// first item, at most MAX_BATCH_BYTES and the server's per-batch inventory entry budget, so that one
// large full snapshot travels alone and a batch of small deltas never makes the server hold a huge
// transaction, nor refuse an item for the batch's size.
import { inventoryEntries, isInventoryItem } from '../../shared/inventory-parts.js';
import { LIMITS, type Item } from '../../shared/protocol.js';

/** Soft cap on one batch's bytes; a single larger item (a full snapshot) still goes, alone. */
export const MAX_BATCH_BYTES = 1024 * 1024;

const HEAD = '{"type":"items","items":[';
const TAIL = ']}';

export type Batch =
  | { kind: 'frame'; frame: string; seqs: number[] }
  /** The first item cannot fit in any frame the server accepts. */
  | { kind: 'too-large'; item: Item; bytes: number };

/** The next batch from `items` (non-empty, seq order). */
export function nextBatch(items: readonly Item[], maxItems: number = LIMITS.maxBatchItems, maxBytes = MAX_BATCH_BYTES): Batch {
  const parts: string[] = [];
  const seqs: number[] = [];
  let bytes = HEAD.length + TAIL.length;
  let entries = 0;
  for (const item of items.slice(0, maxItems)) {
    // Full already: do not serialise (a possibly 14 MB) item only to leave it for the next batch.
    if (parts.length > 0 && bytes >= maxBytes) break;
    const itemEntries = isInventoryItem(item) ? inventoryEntries(item) : 0;
    if (parts.length > 0 && entries + itemEntries > LIMITS.maxInventoryEntriesPerBatch) break;
    entries += itemEntries;
    const json = JSON.stringify(item);
    const size = Buffer.byteLength(json) + (parts.length ? 1 : 0);
    if (parts.length === 0 && bytes + size > LIMITS.maxFrameBytes) return { kind: 'too-large', item, bytes: bytes + size };
    if (parts.length > 0 && bytes + size > maxBytes) break;
    parts.push(json);
    seqs.push(item.seq);
    bytes += size;
  }
  return { kind: 'frame', frame: HEAD + parts.join(',') + TAIL, seqs };
}
