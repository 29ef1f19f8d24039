// Canonical JSON: object keys sorted, undefined dropped. Two equal values always serialise to the
// same bytes, so a digest over it is the same on the agent and on the server (a contract: the output
// never changes). JSON.stringify writes it from a value whose objects have their keys in sorted
// order. An object already so (and whose members are) is written as it is, without a copy; another
// is copied in sorted order once, its key order looked up, not sorted again, when the object before
// it had the same keys (a snapshot's ~650 software items share a few key lists). What the fast path
// does not order exactly as the first form did (a non-plain object, a key that is an array index,
// `__proto__` or `toJSON`) goes through that form (sortKeys).

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalCopy(value));
}

/** `value` with every object's keys in canonical order, copied only where that order is not already so. */
function canonicalCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const c = canonicalCopy(v);
      if (c !== v) (copy ??= value.slice())[i] = c;
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) return sortKeys(value);
  const keys = Object.keys(value);
  const order = canonicalOrder(keys);
  if (order === null) return sortKeys(value);
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | null = order === keys ? null : {};
  for (let i = 0; i < order.length; i++) {
    const key = order[i]!;
    const v = record[key];
    const c = canonicalCopy(v);
    if (copy === null && c !== v) copy = copiedUpTo(record, order, i);
    if (copy !== null && c !== undefined) copy[key] = c;
  }
  return copy ?? value;
}

/** A copy of the members before `order[end]`, which needed none (undefined left out, as sortKeys does). */
function copiedUpTo(record: Record<string, unknown>, order: readonly string[], end: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (let i = 0; i < end; i++) {
    const v = record[order[i]!];
    if (v !== undefined) copy[order[i]!] = v;
  }
  return copy;
}

/** The last few key lists that were not in order, with their sorted order. */
const recentOrders: { keys: string[]; sorted: string[] }[] = [];
const RECENT_ORDERS = 8;

/**
 * `keys` in canonical order: `keys` itself when already sorted, else its sorted copy (from the
 * recent ones when the same list was seen); null when a key is not one the fast path orders exactly.
 */
function canonicalOrder(keys: string[]): string[] | null {
  let sorted = true;
  for (let i = 0; i < keys.length; i++) {
    if (!orderableKey(keys[i]!)) return null;
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) sorted = false;
  }
  if (sorted) return keys;
  for (const recent of recentOrders) if (sameList(recent.keys, keys)) return recent.sorted;
  const entry = { keys, sorted: [...keys].sort() };
  recentOrders.unshift(entry);
  if (recentOrders.length > RECENT_ORDERS) recentOrders.pop();
  return entry.sorted;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Keys that the fast path orders as the first form does. The first form's copy puts an array index
 * ("0", "42") in front of the other keys in numeric order, whatever the sort said; it loses
 * `__proto__` and may call `toJSON`. None occurs in an inventory, so all go the first form's way.
 */
function orderableKey(key: string): boolean {
  const c = key.charCodeAt(0);
  return !(c >= 48 && c <= 57) && key !== '__proto__' && key !== 'toJSON';
}

/** The first form: sorted copies, then JSON.stringify. Exact for any value (canonical.test.ts keeps it as the reference). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * Whether two values have the same canonical JSON, found without serialising them: a walk that
 * stops at the first difference and copies nothing. Comparing two large snapshots this way costs
 * a fraction of canonicalJson on both (which sorts and copies every object, then stringifies it).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    // In arrays JSON writes undefined as null.
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const key of Object.keys(x)) {
    if (x[key] === undefined) continue;
    defined++;
    if (!Object.hasOwn(y, key) || !sameJson(x[key], y[key])) return false;
  }
  for (const key of Object.keys(y)) if (y[key] !== undefined) defined--;
  return defined === 0;
}
