// Applying a delta in O(changed items). The base is read through keyed lookups, so the server can
// keep a device's software in a table and never load, re-hash or rewrite the whole list for one
// package; the digest is updated from the hashes of the items that changed (see digest.ts). Every
// limit of a full snapshot is checked on the result: a delta that would break one changes nothing.
import { adjustSum, HashSum, itemHash, objectDigest, type SectionDigests } from './digest.js';
import type { ErrorCode } from './errors.js';
import {
  COLLECTION_SECTIONS,
  HardwareSchema,
  itemKey,
  OBJECT_SECTIONS,
  OsSchema,
  SecurityPostureSchema,
  SNAPSHOT_LIMITS,
  itemsOf,
  type CollectionItem,
  type CollectionSection,
  type Hardware,
  type ObjectSection,
  type Os,
  type SecurityPosture,
  type Snapshot,
} from './inventory.js';
import { sameJson } from './canonical.js';
import type { Delta, SectionChange } from './delta-schema.js';

export type { SectionChange } from './delta-schema.js';

/** A collection as a delta reads it: lookup by item key, and how many items it holds. */
export interface KeyedCollection<S extends CollectionSection> {
  get(key: string): CollectionItem<S> | undefined;
  readonly size: number;
}

/** Changes laid over a base collection; `touched` holds each changed key's final item (null: removed). */
export class Overlay<S extends CollectionSection> implements KeyedCollection<S> {
  readonly touched = new Map<string, CollectionItem<S> | null>();
  /** Items added less items removed: the base's size is read only when asked (it may be loaded lazily). */
  private grown = 0;

  constructor(readonly base: KeyedCollection<S>) {}

  get size(): number {
    return this.base.size + this.grown;
  }

  get(key: string): CollectionItem<S> | undefined {
    const t = this.touched.get(key);
    return t === undefined ? this.base.get(key) : (t ?? undefined);
  }

  set(key: string, item: CollectionItem<S> | null): void {
    const existed = this.get(key) !== undefined;
    if (item !== null && !existed) this.grown++;
    if (item === null && existed) this.grown--;
    this.touched.set(key, item);
  }
}

/** Every collection of a snapshot (or of the stored part of one) held in memory, keyed. */
export function keyedAll(
  snapshot: Partial<Pick<Snapshot, CollectionSection>>,
  overrides: Partial<{ [S in CollectionSection]: KeyedCollection<S> }> = {},
): { [S in CollectionSection]: KeyedCollection<S> } {
  const out = {} as Record<CollectionSection, unknown>;
  for (const section of COLLECTION_SECTIONS) out[section] = overrides[section] ?? keyed(section, itemsOf(snapshot, section));
  return out as { [S in CollectionSection]: KeyedCollection<S> };
}

/** A collection held in memory, keyed. */
export function keyed<S extends CollectionSection>(section: S, items: readonly CollectionItem<S>[]): KeyedCollection<S> {
  const keyOf = itemKey[section];
  const map = new Map<string, CollectionItem<S>>();
  for (const item of items) if (!map.has(keyOf(item))) map.set(keyOf(item), item);
  return { get: (key) => map.get(key), size: map.size };
}

export interface InventoryState {
  hardware: Hardware;
  os: Os;
  /** Empty when the device reports none. */
  security: SecurityPosture;
  collections: { [S in CollectionSection]: KeyedCollection<S> };
  digests: SectionDigests;
}

export interface AppliedDelta {
  hardware: Hardware;
  os: Os;
  security: SecurityPosture;
  /** The base collections with the delta laid over them. */
  collections: { [S in CollectionSection]: Overlay<S> };
  digests: SectionDigests;
  changes: SectionChange[];
  /** The object sections the delta changed (the others are the base's, read only if asked for). */
  changedObjects: Partial<Pick<AppliedDelta, ObjectSection>>;
}

export type ApplyOutcome = ({ ok: true } & AppliedDelta) | { ok: false; code: ErrorCode; message: string };

const same = sameJson;

const OBJECT_SCHEMAS = { hardware: HardwareSchema, os: OsSchema, security: SecurityPostureSchema } as const;

/**
 * Applies a delta to a base. Cost: O(items in the delta) lookups and hashes, whatever the base's size.
 * Refused (nothing to write) when the result would break a snapshot limit or leave an invalid section.
 */
export function applyDeltaTo(base: InventoryState, delta: Delta): ApplyOutcome {
  const changes: SectionChange[] = [];
  const digests = { ...base.digests };
  // The base's object sections are read only for the sections the delta names: a base whose stored
  // sections are loaded lazily costs nothing for a software delta.
  const objects: Partial<Pick<AppliedDelta, ObjectSection>> = {};
  for (const section of OBJECT_SECTIONS) {
    const d = delta[section];
    if (!d) continue;
    const { value, change } = applyObject(section, base[section], d);
    if (!change) continue;
    const schema = OBJECT_SCHEMAS[section];
    // A delta may unset required fields or set parts that do not fit together; never store such a section.
    if (!schema.safeParse(value).success)
      return { ok: false, code: 'E_BAD_MESSAGE', message: `The delta leaves an invalid ${section} section.` };
    (objects as Record<ObjectSection, object>)[section] = value;
    digests[section] = objectDigest(section, value);
    changes.push(change);
  }
  const collections = {} as { [S in CollectionSection]: Overlay<S> };
  for (const section of COLLECTION_SECTIONS) {
    const overlay = new Overlay(base.collections[section]);
    (collections as Record<CollectionSection, unknown>)[section] = overlay;
    const d = delta[section];
    if (!d) continue;
    const change = applyCollection(section, overlay, d);
    const limit = SNAPSHOT_LIMITS[section];
    if (overlay.size > limit) {
      return {
        ok: false,
        code: 'E_SNAPSHOT_LIMIT',
        message: `The delta would leave ${overlay.size} ${section} items; a snapshot holds at most ${limit}.`,
      };
    }
    digests[section] = updatedSum(section, overlay, digests[section]);
    if (change) changes.push(change);
  }
  return {
    ok: true,
    get hardware() {
      return objects.hardware ?? base.hardware;
    },
    get os() {
      return objects.os ?? base.os;
    },
    get security() {
      return objects.security ?? base.security;
    },
    collections,
    digests,
    changes,
    changedObjects: objects,
  };
}

type CollectionDeltaOf<S extends CollectionSection> = {
  added?: CollectionItem<S>[];
  removed?: string[];
  changed?: CollectionItem<S>[];
};

function applyObject(
  section: ObjectSection,
  base: object,
  d: { set?: object; unset?: string[] },
): { value: object; change?: SectionChange } {
  const value: Record<string, unknown> = { ...base };
  const fields: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, to] of Object.entries(d.set ?? {})) {
    if (to === undefined) continue;
    if (!same(value[key], to)) fields[key] = { from: value[key] ?? null, to };
    value[key] = to;
  }
  for (const key of d.unset ?? []) {
    if (value[key] !== undefined) fields[key] = { from: value[key], to: null };
    delete value[key];
  }
  if (Object.keys(fields).length === 0) return { value: base };
  return { value, change: { section, added: [], removed: [], changed: [{ key: section, fields }] } };
}

function applyCollection<S extends CollectionSection>(section: S, items: Overlay<S>, d: CollectionDeltaOf<S>): SectionChange | undefined {
  const keyOf = itemKey[section];
  const change: SectionChange = { section, added: [], removed: [], changed: [] };
  // What each touched key held before this delta, so that an item changed twice is recorded once.
  for (const key of d.removed ?? []) {
    const old = items.get(key);
    if (old === undefined) continue;
    items.set(key, null);
    change.removed.push(old);
  }
  for (const item of [...(d.added ?? []), ...(d.changed ?? [])]) {
    const key = keyOf(item);
    const old = items.get(key);
    items.set(key, item);
    if (old === undefined) change.added.push(item);
    else recordFieldChanges(change, key, old, item);
  }
  return change.added.length + change.removed.length + change.changed.length > 0 ? change : undefined;
}

/** The collection's sum after the overlay: subtract each touched key's base item, add its final one. */
function updatedSum<S extends CollectionSection>(section: S, overlay: Overlay<S>, sum: bigint): bigint {
  const plus = new HashSum();
  const minus = new HashSum();
  for (const [key, final] of overlay.touched) {
    const before = overlay.base.get(key);
    if (before !== undefined) minus.add(itemHash(section, before));
    if (final !== null) plus.add(itemHash(section, final));
  }
  return adjustSum(sum, plus.value(), minus.value());
}

function recordFieldChanges(change: SectionChange, key: string, old: object, item: object): void {
  const o = old as Record<string, unknown>;
  const n = item as Record<string, unknown>;
  const fields: Record<string, { from: unknown; to: unknown }> = {};
  for (const f of new Set([...Object.keys(o), ...Object.keys(n)])) {
    if (!same(o[f], n[f])) fields[f] = { from: o[f] ?? null, to: n[f] ?? null };
  }
  if (Object.keys(fields).length) change.changed.push({ key, fields });
}
