// Inventory items cut to the per-batch entry budget (LIMITS.maxInventoryEntriesPerBatch), so that
// no item, however large the snapshot or the change, makes the server do more than a bounded amount
// of work in one batch. The agent cuts with these functions and the server counts with the same
// `inventoryEntries`, so an honest agent never has an item refused for its size.
import { applyDeltaTo, keyedAll, type InventoryState } from './delta-apply.js';
import type { Delta } from './delta-schema.js';
import { combineDigests, sectionDigests } from './digest.js';
import { COLLECTION_SECTIONS, itemsOf, objectOf, type CollectionItem, type CollectionSection, type Snapshot } from './inventory.js';
import { LIMITS, type Item, type ItemBody, type Trigger } from './protocol.js';

export type InventoryItem = Extract<Item, { kind: 'inventory.full' | 'inventory.delta' | 'inventory.part' }>;

export function isInventoryItem(item: Item): item is InventoryItem {
  return item.kind === 'inventory.full' || item.kind === 'inventory.delta' || item.kind === 'inventory.part';
}

/** The collection entries an inventory item makes the server apply (its work, roughly). */
export function inventoryEntries(item: InventoryItem): number {
  if (item.kind === 'inventory.full') return snapshotEntries(item.body.snapshot);
  if (item.kind === 'inventory.part') {
    const { rest, more } = item.body;
    return item.body.software.length + (rest ? snapshotEntries(rest) : 0) + (more ? snapshotEntries(more) : 0);
  }
  return deltaEntries(item.body.delta);
}

/** The collection items of a snapshot or of any part of one (absent sections hold none). */
export function snapshotEntries(s: Partial<Pick<Snapshot, CollectionSection>>): number {
  return COLLECTION_SECTIONS.reduce((n, section) => n + itemsOf(s, section).length, 0);
}

export function deltaEntries(delta: Delta): number {
  let n = 0;
  for (const section of COLLECTION_SECTIONS) {
    const d = delta[section];
    n += (d?.added?.length ?? 0) + (d?.removed?.length ?? 0) + (d?.changed?.length ?? 0);
  }
  return n;
}

/** The collections other than software, which part 0 and the parts after it carry in pages. */
export const REST_COLLECTIONS = COLLECTION_SECTIONS.filter((c): c is Exclude<CollectionSection, 'software'> => c !== 'software');
type Page = { [S in CollectionSection]?: CollectionItem<S>[] };

/**
 * A full snapshot as parts of at most `budget` entries each. Part 0 carries the object sections
 * (hardware, os, security) in `rest`; the collection items, those of the other collections first
 * and software last, fill the parts in order, `budget` at a time: in part 0 inside `rest`, in later
 * parts in `more` (the other collections) and `software`. `first` is the seq part 0 will have (the
 * parts take consecutive seqs). `snapshot` must be normalised and within the limits.
 */
export function snapshotParts(
  snapshot: Snapshot,
  digest: string,
  trigger: Trigger,
  first: number,
  budget: number = LIMITS.maxInventoryEntriesPerBatch,
): ItemBody<'inventory.part'>[] {
  const pages: Page[] = [{}];
  let room = budget;
  for (const section of [...REST_COLLECTIONS, 'software'] as const) {
    const items = itemsOf(snapshot, section) as unknown[];
    for (let i = 0; i < items.length;) {
      if (room === 0) {
        pages.push({});
        room = budget;
      }
      const take = items.slice(i, i + room);
      ((pages.at(-1)! as Record<string, unknown[]>)[section] ??= []).push(...take);
      i += take.length;
      room -= take.length;
    }
  }
  const objects = { hardware: snapshot.hardware, os: snapshot.os, ...(snapshot.security ? { security: snapshot.security } : {}) };
  return pages.map(({ software = [], ...collections }, index) => ({
    trigger,
    digest,
    first,
    index,
    count: pages.length,
    ...(index === 0
      ? { rest: { ...objects, network: [], users: [], ...collections } }
      : Object.keys(collections).length > 0
        ? { more: collections }
        : {}),
    software,
  }));
}

/**
 * A delta from `base` cut into deltas of at most `budget` entries that, applied in order, compose
 * to it; each with the digest of the snapshot it leads to. Removals go first, so no intermediate
 * snapshot holds more items than the larger of the two ends (and none breaks a limit the ends keep).
 */
export function splitDelta(
  base: Snapshot,
  delta: Delta,
  budget: number = LIMITS.maxInventoryEntriesPerBatch,
): { delta: Delta; digest: string }[] {
  const pieces = cutDelta(delta, budget);
  let state: InventoryState = {
    hardware: base.hardware,
    os: base.os,
    security: objectOf(base, 'security'),
    collections: keyedAll(base),
    digests: sectionDigests(base),
  };
  return pieces.map((piece) => {
    const applied = applyDeltaTo(state, piece);
    if (!applied.ok) throw new Error(`a piece of a valid delta did not apply: ${applied.message}`);
    state = {
      hardware: applied.hardware,
      os: applied.os,
      security: applied.security,
      collections: applied.collections,
      digests: applied.digests,
    };
    return { delta: piece, digest: combineDigests(applied.digests) };
  });
}

type Op = { section: CollectionSection; kind: 'removed' | 'changed' | 'added'; value: unknown };

function cutDelta(delta: Delta, budget: number): Delta[] {
  const ops: Op[] = [];
  for (const kind of ['removed', 'changed', 'added'] as const) {
    for (const section of COLLECTION_SECTIONS) {
      for (const value of (delta[section]?.[kind] ?? []) as unknown[]) ops.push({ section, kind, value });
    }
  }
  const pieces: Delta[] = [];
  for (let i = 0; i < ops.length || pieces.length === 0; i += budget) {
    const piece: Record<string, Record<string, unknown[]>> = {};
    for (const op of ops.slice(i, i + budget)) ((piece[op.section] ??= {})[op.kind] ??= []).push(op.value);
    pieces.push(piece);
  }
  // Object sections (hardware, os) are a handful of fields: they ride with the first piece.
  if (delta.hardware) pieces[0]!.hardware = delta.hardware;
  if (delta.os) pieces[0]!.os = delta.os;
  if (delta.security) pieces[0]!.security = delta.security;
  return pieces;
}

/**
 * `inventoryEntries` of an item not validated yet (any JSON), counting only what is there: the
 * server screens a frame with it before the schema check, whose cost grows with the entries.
 */
export function rawInventoryEntries(item: unknown): number {
  const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  const field = (v: unknown, key: string): unknown =>
    v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  const body = field(item, 'body');
  const collections = (v: unknown) => COLLECTION_SECTIONS.reduce((n, section) => n + len(field(v, section)), 0);
  switch (field(item, 'kind')) {
    case 'inventory.full':
      return collections(field(body, 'snapshot'));
    case 'inventory.part':
      return len(field(body, 'software')) + collections(field(body, 'rest')) + collections(field(body, 'more'));
    case 'inventory.delta': {
      const delta = field(body, 'delta');
      let n = 0;
      for (const section of COLLECTION_SECTIONS) {
        const d = field(delta, section);
        n += len(field(d, 'added')) + len(field(d, 'removed')) + len(field(d, 'changed'));
      }
      return n;
    }
    default:
      return 0;
  }
}
