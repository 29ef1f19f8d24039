// One item per inventory key. Sources list the same thing twice (two versions side by side, a package
// staged for two users); the snapshot can hold one item per key, so the newest version is kept rather
// than whichever the tool happened to print first.
import { itemKey } from '../../../shared/inventory-keys.js';
import type { Software } from '../../../shared/inventory.js';

export function keepNewestPerKey(items: readonly Software[]): Software[] {
  const byKey = new Map<string, Software>();
  for (const item of items) {
    const key = itemKey.software(item);
    const seen = byKey.get(key);
    if (!seen || compareVersions(item.version, seen.version) > 0) byKey.set(key, item);
  }
  return [...byKey.values()];
}

/** Numeric-aware order of dotted versions ("10.9" < "10.10"); an absent version sorts first. */
export function compareVersions(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}
