// Keyed diff between two snapshots, and its application. The agent sends deltas; the server applies
// them to its copy and records what changed. Both sides share this code so they cannot disagree.
import {
  COLLECTION_SECTIONS,
  OBJECT_SECTIONS,
  OPTIONAL_SECTIONS,
  itemKey,
  itemsOf,
  objectOf,
  type CollectionItem,
  type CollectionSection,
  type Snapshot,
} from './inventory.js';
import { sameJson } from './canonical.js';
import type { Delta } from './delta-schema.js';
import { applyDeltaTo, keyedAll, type InventoryState, type Overlay, type SectionChange } from './delta-apply.js';
import { sectionDigests, type SectionDigests } from './digest.js';
import { OutpostError } from './errors.js';
import { sortCollection } from './normalise.js';

export type { SectionChange } from './delta-apply.js';

export { DeltaSchema, type Delta } from './delta-schema.js';

export function isEmptyDelta(delta: Delta): boolean {
  return Object.keys(delta).length === 0;
}

const same = sameJson;

/** The smallest delta that turns `prev` into `next`. Sections that did not change are absent. */
export function diffSnapshots(prev: Snapshot, next: Snapshot): Delta {
  const delta: Record<string, unknown> = {};
  for (const section of OBJECT_SECTIONS) {
    const d = diffObject(objectOf(prev, section), objectOf(next, section));
    if (d) delta[section] = d;
  }
  for (const section of COLLECTION_SECTIONS) {
    const d = diffCollection(section, itemsOf(prev, section), itemsOf(next, section));
    if (d) delta[section] = d;
  }
  return delta;
}

function diffObject(prev: object, next: object): { set?: object; unset?: string[] } | undefined {
  const p = prev as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const key of Object.keys(n)) {
    if (n[key] !== undefined && !same(p[key], n[key])) set[key] = n[key];
  }
  for (const key of Object.keys(p)) {
    if (p[key] !== undefined && n[key] === undefined) unset.push(key);
  }
  if (Object.keys(set).length === 0 && unset.length === 0) return undefined;
  return { ...(Object.keys(set).length ? { set } : {}), ...(unset.length ? { unset: unset.sort() } : {}) };
}

function diffCollection<S extends CollectionSection>(section: S, prev: readonly CollectionItem<S>[], next: readonly CollectionItem<S>[]) {
  const keyOf = itemKey[section];
  const before = new Map(prev.map((i) => [keyOf(i), i]));
  const after = new Map(next.map((i) => [keyOf(i), i]));
  const added: CollectionItem<S>[] = [];
  const changed: CollectionItem<S>[] = [];
  const removed: string[] = [];
  for (const [key, item] of after) {
    const old = before.get(key);
    if (old === undefined) added.push(item);
    else if (!same(old, item)) changed.push(item);
  }
  for (const key of before.keys()) if (!after.has(key)) removed.push(key);
  if (!added.length && !changed.length && !removed.length) return undefined;
  return {
    ...(added.length ? { added } : {}),
    ...(removed.length ? { removed: removed.sort() } : {}),
    ...(changed.length ? { changed } : {}),
  };
}

/**
 * Applies a delta to a whole snapshot; returns the new snapshot (normalised order), its section
 * digests and a record of each change. Throws E_SNAPSHOT_LIMIT or E_BAD_MESSAGE (see applyDeltaTo)
 * when the result would not be a valid snapshot.
 */
export function applyDelta(base: Snapshot, delta: Delta): { snapshot: Snapshot; digests: SectionDigests; changes: SectionChange[] } {
  const state: InventoryState = {
    hardware: base.hardware,
    os: base.os,
    security: objectOf(base, 'security'),
    collections: keyedAll(base),
    digests: sectionDigests(base),
  };
  const applied = applyDeltaTo(state, delta);
  if (!applied.ok) throw new OutpostError(applied.code, applied.message);
  const snapshot = withSections(
    { hardware: applied.hardware, os: applied.os, network: [], users: [], software: [] },
    applied.security,
    (section) => materialise(section, itemsOf(base, section), applied.collections[section]),
  );
  return { snapshot, digests: applied.digests, changes: applied.changes };
}

/**
 * A snapshot with its collections filled by `items`; the optional sections (issue 18) are set only
 * when they hold something, so a snapshot without them stays as an older agent would send it.
 */
export function withSections(
  base: Pick<Snapshot, 'hardware' | 'os' | 'network' | 'users' | 'software'>,
  security: NonNullable<Snapshot['security']>,
  items: <S extends CollectionSection>(section: S) => CollectionItem<S>[],
): Snapshot {
  const out: Record<string, unknown> = { hardware: base.hardware, os: base.os };
  for (const section of COLLECTION_SECTIONS) {
    const list = items(section);
    if (list.length > 0 || !OPTIONAL.has(section)) out[section] = list;
  }
  if (Object.keys(security).length > 0) out.security = security;
  return out as Snapshot;
}

const OPTIONAL = new Set<string>(OPTIONAL_SECTIONS);

/** A collection's items after an overlay, in normalised order. */
export function materialise<S extends CollectionSection>(
  section: S,
  base: readonly CollectionItem<S>[],
  overlay: Overlay<S>,
): CollectionItem<S>[] {
  if (overlay.touched.size === 0) return sortCollection(section, base);
  const keyOf = itemKey[section];
  const items = new Map<string, CollectionItem<S>>();
  for (const item of base) if (!items.has(keyOf(item))) items.set(keyOf(item), item);
  for (const [key, item] of overlay.touched) {
    if (item === null) items.delete(key);
    else items.set(key, item);
  }
  return sortCollection(section, [...items.values()]);
}

/** A full snapshot as a change record, used for the first snapshot of a device. */
export function snapshotAsChanges(snapshot: Snapshot): SectionChange[] {
  return applyDelta(emptySnapshot(snapshot.os.hostname), diffSnapshots(emptySnapshot(snapshot.os.hostname), snapshot)).changes;
}

export function emptySnapshot(hostname: string): Snapshot {
  return {
    hardware: { memory: { modules: [] }, disks: [], graphics: [] },
    os: { platform: 'other', hostname },
    network: [],
    users: [],
    software: [],
  };
}
