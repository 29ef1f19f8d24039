// Keyed diff between two snapshots, and its application. The agent sends deltas; the server applies
// them to its copy and records what changed. Both sides share this code so they cannot disagree.
import { z } from 'zod';
import {
  COLLECTION_SECTIONS,
  HardwareSchema,
  LoggedOnUserSchema,
  NetworkInterfaceSchema,
  OBJECT_SECTIONS,
  OsSchema,
  SoftwareSchema,
  itemKey,
  type CollectionItem,
  type CollectionSection,
  type ObjectSection,
  type Section,
  type Snapshot,
} from './inventory.js';
import { canonicalJson } from './canonical.js';
import { sortCollection } from './normalise.js';

const objectDelta = <T extends z.ZodObject>(schema: T) =>
  z.object({
    set: schema.partial().optional(),
    unset: z.array(z.string().max(64)).max(64).optional(),
  });

const collectionDelta = <T extends z.ZodType>(item: T, max: number) =>
  z.object({
    added: z.array(item).max(max).optional(),
    removed: z.array(z.string().max(4096)).max(max).optional(),
    changed: z.array(item).max(max).optional(),
  });

export const DeltaSchema = z.object({
  hardware: objectDelta(HardwareSchema).optional(),
  os: objectDelta(OsSchema).optional(),
  network: collectionDelta(NetworkInterfaceSchema, 256).optional(),
  users: collectionDelta(LoggedOnUserSchema, 1000).optional(),
  software: collectionDelta(SoftwareSchema, 50_000).optional(),
});
export type Delta = z.infer<typeof DeltaSchema>;

/** What one section's change looked like, for the change history and the API. */
export interface SectionChange {
  section: Section;
  added: unknown[];
  removed: unknown[];
  changed: { key: string; fields: Record<string, { from: unknown; to: unknown }> }[];
}

export function isEmptyDelta(delta: Delta): boolean {
  return Object.keys(delta).length === 0;
}

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/** The smallest delta that turns `prev` into `next`. Sections that did not change are absent. */
export function diffSnapshots(prev: Snapshot, next: Snapshot): Delta {
  const delta: Record<string, unknown> = {};
  for (const section of OBJECT_SECTIONS) {
    const d = diffObject(prev[section], next[section]);
    if (d) delta[section] = d;
  }
  for (const section of COLLECTION_SECTIONS) {
    const d = diffCollection(section, prev[section], next[section]);
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

function diffCollection<S extends CollectionSection>(
  section: S,
  prev: readonly CollectionItem<S>[],
  next: readonly CollectionItem<S>[],
) {
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

/** Applies a delta; returns the new snapshot (normalised order) and a record of each change. */
export function applyDelta(base: Snapshot, delta: Delta): { snapshot: Snapshot; changes: SectionChange[] } {
  const snapshot: Snapshot = { ...base };
  const changes: SectionChange[] = [];
  for (const section of OBJECT_SECTIONS) {
    const d = delta[section];
    if (!d) continue;
    const { value, change } = applyObject(section, base[section], d);
    (snapshot as Record<ObjectSection, unknown>)[section] = value;
    if (change) changes.push(change);
  }
  for (const section of COLLECTION_SECTIONS) {
    const d = delta[section];
    if (!d) continue;
    const { items, change } = applyCollection(section, base[section], d);
    (snapshot as Record<CollectionSection, unknown>)[section] = items;
    if (change) changes.push(change);
  }
  return { snapshot, changes };
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
    if (!same(value[key], to)) fields[key] = { from: value[key] ?? null, to };
    value[key] = to;
  }
  for (const key of d.unset ?? []) {
    if (value[key] !== undefined) fields[key] = { from: value[key], to: null };
    delete value[key];
  }
  if (Object.keys(fields).length === 0) return { value };
  return { value, change: { section, added: [], removed: [], changed: [{ key: section, fields }] } };
}

function applyCollection<S extends CollectionSection>(
  section: S,
  base: readonly CollectionItem<S>[],
  d: CollectionDeltaOf<S>,
): { items: CollectionItem<S>[]; change?: SectionChange } {
  const keyOf = itemKey[section];
  const items = new Map(base.map((i) => [keyOf(i), i]));
  const change: SectionChange = { section, added: [], removed: [], changed: [] };
  for (const key of d.removed ?? []) {
    const old = items.get(key);
    if (old === undefined) continue;
    items.delete(key);
    change.removed.push(old);
  }
  for (const item of d.added ?? []) {
    const key = keyOf(item);
    const old = items.get(key);
    items.set(key, item);
    if (old === undefined) change.added.push(item);
    else recordFieldChanges(change, key, old, item);
  }
  for (const item of d.changed ?? []) {
    const key = keyOf(item);
    const old = items.get(key);
    items.set(key, item);
    if (old === undefined) change.added.push(item);
    else recordFieldChanges(change, key, old, item);
  }
  const touched = change.added.length + change.removed.length + change.changed.length > 0;
  return { items: sortCollection(section, [...items.values()]), ...(touched ? { change } : {}) };
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
