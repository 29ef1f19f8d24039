// The snapshot digest (protocol 2), built so that a delta updates it in O(changed items).
// Each object section (hardware, os, security) has the sha256 of its canonical JSON. Each collection
// section (network, users, software, volumes, ...) has a multiset hash: the sum mod 2^256 of the
// sha256 of every item's canonical JSON, so adding an item adds its hash and removing one subtracts
// it, whatever the order. The snapshot digest is the sha256 over the section digests; the optional
// sections of issue 18 take part only when not empty, so a snapshot without them (an older agent's)
// has the digest it always had. The agent sends it with every
// item; the server updates its own from the delta and compares, to catch divergence. The sum is a
// divergence check between two honest copies, not a commitment an attacker cannot collide: the
// device that could forge one can send any snapshot it likes anyway.
import { hash } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import {
  COLLECTION_SECTIONS,
  OBJECT_SECTIONS,
  OPTIONAL_SECTIONS,
  itemKey,
  itemsOf,
  objectOf,
  type CollectionItem,
  type CollectionSection,
  type ObjectSection,
} from './inventory-keys.js';
import type { Snapshot } from './inventory.js';

const MOD = 1n << 256n;
const DOMAIN = 'outpost-snapshot-digest/2';

/** Per-section digests: hex for object sections, the multiset sum for collections. */
export type SectionDigests = { [S in ObjectSection]: string } & { [S in CollectionSection]: bigint };

const sha256hex = (text: string): string => hash('sha256', text, 'hex');

/**
 * An item's sha256 as a 32-character binary (latin1) string, each character one byte. A string, not a
 * Buffer: crypto allocates a Buffer for every digest it returns as one, which cost as much as the
 * hashing itself over a snapshot's ~650 items.
 */
export type ItemHash = string;

/** The hash of one item as its collection's sum counts it. Network address lists are order-free. */
export function itemHash<S extends CollectionSection>(section: S, item: CollectionItem<S>): ItemHash {
  const canonical = section === 'network' ? normaliseInterface(item as CollectionItem<'network'>) : item;
  return hash('sha256', `${section}\n${canonicalJson(canonical)}`, 'binary');
}

export function objectDigest(section: ObjectSection, value: object): string {
  return sha256hex(`${section}\n${canonicalJson(value)}`);
}

/**
 * Adds many item hashes with plain 32-bit limbs (carries pushed once at the end) and turns the
 * total into a bigint once: per item this costs a few integer additions, not a bigint operation.
 */
export class HashSum {
  // 8 limbs of 32 bits, most significant first; each may grow past 32 bits until value() carries.
  private readonly limbs = new Float64Array(8);

  add(h: ItemHash): void {
    for (let i = 0, j = 0; i < 8; i++, j += 4) {
      const limb = (h.charCodeAt(j) << 24) | (h.charCodeAt(j + 1) << 16) | (h.charCodeAt(j + 2) << 8) | h.charCodeAt(j + 3);
      this.limbs[i]! += limb >>> 0;
    }
  }

  /** The sum mod 2^256. Exact while fewer than 2^21 hashes were added (limbs stay below 2^53). */
  value(): bigint {
    let out = 0n;
    for (let i = 0; i < 8; i++) out = (out << 32n) + BigInt(this.limbs[i]!);
    return out % MOD;
  }
}

/** sum + plus - minus, mod 2^256. */
export function adjustSum(sum: bigint, plus: bigint, minus: bigint): bigint {
  const next = (sum + plus - minus) % MOD;
  return next < 0n ? next + MOD : next;
}

/**
 * The section digests of a whole snapshot. Collections must be keyed-unique (as normaliseSnapshot and
 * applyDelta leave them); an item twice would count twice.
 */
export function sectionDigests(snapshot: Snapshot): SectionDigests {
  const out = {} as Record<string, string | bigint>;
  for (const section of OBJECT_SECTIONS) out[section] = objectDigest(section, objectOf(snapshot, section));
  for (const section of COLLECTION_SECTIONS) {
    const sum = new HashSum();
    for (const item of itemsOf(snapshot, section)) sum.add(itemHash(section, item));
    out[section] = sum.value();
  }
  return out as SectionDigests;
}

/**
 * The section digests of `base` (keyed-unique collections, as sectionDigests counts them) after a
 * page of more collection items is appended to it, as snapshotDigest would count the result: an item
 * whose key `base` or an earlier item of the page already has is not counted (the first of a key
 * counts). Costs O(the page) hashes and O(base's items in the page's sections) key reads, never a
 * hash of what was there: a snapshot received in parts is digested as its pages arrive.
 */
export function addPage(
  digests: SectionDigests,
  base: Partial<Pick<Snapshot, CollectionSection>>,
  page: Partial<Pick<Snapshot, CollectionSection>>,
): SectionDigests {
  const seen = new Map<CollectionSection, Set<string>>();
  const keys: SeenKeys = {
    has: (section, key) => seen.get(section)?.has(key) ?? false,
    add: (section, key) => void seen.get(section)?.add(key),
  };
  for (const section of COLLECTION_SECTIONS) {
    if (itemsOf(page, section).length === 0) continue;
    const keyOf = itemKey[section] as (item: CollectionItem<typeof section>) => string;
    seen.set(section, new Set(itemsOf(base, section).map((item) => keyOf(item))));
  }
  return addPageSeen(digests, keys, page);
}

/** The keys of collection items counted so far, however the caller keeps them (a store keeps them hashed). */
export interface SeenKeys {
  has(section: CollectionSection, key: string): boolean;
  add(section: CollectionSection, key: string): void;
}

/**
 * As addPage, with the keys already counted given as `seen` instead of the items (which it adds the
 * page's new keys to): O(the page), whatever was received before it.
 */
export function addPageSeen(digests: SectionDigests, seen: SeenKeys, page: Partial<Pick<Snapshot, CollectionSection>>): SectionDigests {
  const out = { ...digests };
  for (const section of COLLECTION_SECTIONS) {
    if (itemsOf(page, section).length > 0) out[section] = adjustSum(out[section], newItemsSum(section, seen, page), 0n);
  }
  return out;
}

function newItemsSum<S extends CollectionSection>(section: S, seen: SeenKeys, page: Partial<Pick<Snapshot, CollectionSection>>): bigint {
  const keyOf = itemKey[section];
  const sum = new HashSum();
  for (const item of itemsOf(page, section)) {
    const key = keyOf(item);
    if (seen.has(section, key)) continue;
    seen.add(section, key);
    sum.add(itemHash(section, item));
  }
  return sum.value();
}

/** The digest of an empty (or absent) security section. */
export const EMPTY_SECURITY_DIGEST = objectDigest('security', {});

const OPTIONAL = new Set<string>(OPTIONAL_SECTIONS);
const isEmptySection = (d: SectionDigests, s: ObjectSection | CollectionSection): boolean =>
  s === 'security' ? d.security === EMPTY_SECURITY_DIGEST : typeof d[s] === 'bigint' && d[s] === 0n;

/** The snapshot digest from its section digests: 64 hex characters, as the protocol carries it. */
export function combineDigests(d: SectionDigests): string {
  const parts = [DOMAIN];
  // Protocol 2's five sections always, in their fixed order; then each optional section that is not
  // empty, tagged with its name so two sections can never stand in for each other.
  for (const s of OBJECT_SECTIONS) if (!OPTIONAL.has(s)) parts.push(d[s]);
  for (const s of COLLECTION_SECTIONS) if (!OPTIONAL.has(s)) parts.push(d[s].toString(16).padStart(64, '0'));
  for (const s of OPTIONAL_SECTIONS) {
    if (isEmptySection(d, s)) continue;
    const v = d[s];
    parts.push(`${s}:${typeof v === 'bigint' ? v.toString(16).padStart(64, '0') : v}`);
  }
  return sha256hex(parts.join('\n'));
}

export function snapshotDigest(snapshot: Snapshot): string {
  return combineDigests(sectionDigests(dedupe(snapshot)));
}

/** Section digests as stored text (bigints are not JSON). */
export function encodeDigests(d: SectionDigests): string {
  const out: Record<string, string> = {};
  for (const s of OBJECT_SECTIONS) out[s] = d[s];
  for (const s of COLLECTION_SECTIONS) out[s] = d[s].toString(16);
  return JSON.stringify(out);
}

/** Reads stored section digests; null for anything that is not exactly what encodeDigests wrote. */
export function decodeDigests(text: string | null): SectionDigests | null {
  if (text === null) return null;
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const out = {} as Record<string, string | bigint>;
    // Digests stored before the optional sections existed lack them: those sections were empty.
    for (const s of OBJECT_SECTIONS) {
      const v = raw[s] ?? (OPTIONAL.has(s) ? EMPTY_SECURITY_DIGEST : undefined);
      if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) return null;
      out[s] = v;
    }
    for (const s of COLLECTION_SECTIONS) {
      const v = raw[s] ?? (OPTIONAL.has(s) ? '0' : undefined);
      if (typeof v !== 'string' || !/^[0-9a-f]{1,64}$/.test(v)) return null;
      out[s] = BigInt(`0x${v}`);
    }
    return out as SectionDigests;
  } catch {
    return null;
  }
}

function normaliseInterface(n: CollectionItem<'network'>): CollectionItem<'network'> {
  // Already so after normaliseSnapshot: no copy then.
  if (isSorted(n.ipv4) && isSorted(n.ipv6)) return n;
  return { ...n, ipv4: [...n.ipv4].sort(), ipv6: [...n.ipv6].sort() };
}

function isSorted(list: readonly string[]): boolean {
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'string' || (i > 0 && list[i - 1]! > list[i]!)) return false;
  }
  return true;
}

/** The same items keyed-unique (first one of a key wins, as normaliseSnapshot does); order is free. */
function dedupe(snapshot: Snapshot): Snapshot {
  const out: Record<string, unknown> = { ...snapshot };
  for (const section of COLLECTION_SECTIONS) out[section] = firstOfKey(section, itemsOf(snapshot, section));
  return out as Snapshot;
}

function firstOfKey<S extends CollectionSection>(section: S, items: readonly CollectionItem<S>[]): CollectionItem<S>[] {
  const keyOf = itemKey[section];
  const seen = new Set<string>();
  const out: CollectionItem<S>[] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}
