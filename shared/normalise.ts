// A snapshot in canonical order: collections sorted by item key, address lists sorted, duplicates
// (same key twice) collapsed to the first seen. Collectors may return items in any order.
import { COLLECTION_SECTIONS, OPTIONAL_SECTIONS, itemKey, type CollectionItem, type CollectionSection } from './inventory-keys.js';
import type { Snapshot } from './inventory.js';

export function normaliseSnapshot(snapshot: Snapshot): Snapshot {
  const out: Snapshot = { ...snapshot };
  const record = out as Record<string, unknown>;
  for (const section of COLLECTION_SECTIONS) {
    const items = snapshot[section];
    record[section] = sortCollection(section, (items ?? []) as CollectionItem<typeof section>[]);
  }
  // An empty optional section reads, digests and diffs like an absent one; absent is the one form kept.
  for (const section of OPTIONAL_SECTIONS) {
    const v = record[section];
    if (v === undefined || (Array.isArray(v) ? v.length === 0 : Object.keys(v as object).length === 0)) delete record[section];
  }
  out.network = out.network.map((n) =>
    inOrder(n.ipv4) && inOrder(n.ipv6) ? n : { ...n, ipv4: [...n.ipv4].sort(), ipv6: [...n.ipv6].sort() },
  );
  return out;
}

/**
 * The items sorted by key, the first of each key kept. Items that arrive already so (an agent sends
 * its snapshot normalised) are only checked, one key each: no map, no sort.
 */
export function sortCollection<S extends CollectionSection>(section: S, items: readonly CollectionItem<S>[]): CollectionItem<S>[] {
  const keyOf = itemKey[section];
  const keys = items.map((item) => keyOf(item));
  if (inOrder(keys, true)) return items.slice();
  const byKey = new Map<string, CollectionItem<S>>();
  for (let i = 0; i < items.length; i++) if (!byKey.has(keys[i]!)) byKey.set(keys[i]!, items[i]!);
  return [...byKey.keys()].sort(compareStrings).map((k) => byKey.get(k)!);
}

/** Whether a list of strings is in sort() order already (`strictly`: and without a repeat). */
function inOrder(list: readonly string[], strictly = false): boolean {
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'string') return false;
    if (i > 0 && (strictly ? list[i - 1]! >= list[i]! : list[i - 1]! > list[i]!)) return false;
  }
  return true;
}

/** Code-unit order, not locale order: the same on every machine whatever its language. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
