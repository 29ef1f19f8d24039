// Inventory items cut to the per-batch entry budget (LIMITS.maxInventoryEntriesPerBatch, in units
// of one entry per KiB of text, see entryWeight), so that no item, however large the snapshot or the
// change, makes the server do more than a bounded amount of work in one batch. The agent cuts with these functions and the server counts with the same
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

/**
 * Text per budget unit: an entry counts one unit, plus one per KiB of its text, so that the budget
 * bounds the bytes a batch makes the server hash, store and index as well as the rows (an honest
 * package is one unit; one with every field at its 1,024-character limit, seven).
 */
export const ENTRY_UNIT_CHARS = 1024;

/** What one collection entry (or a removed key) costs in budget units. */
export function entryWeight(entry: unknown): number {
  return 1 + Math.floor(textChars(entry) / ENTRY_UNIT_CHARS);
}

/** The characters of an entry's strings and lists of strings (what its schema allows). */
function textChars(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  for (const value of Object.values(v)) {
    if (typeof value === 'string') n += value.length;
    else if (Array.isArray(value)) for (const x of value as unknown[]) if (typeof x === 'string') n += x.length;
  }
  return n;
}

/** Budget units of a list of entries; past `cap` it stops counting (the caller refuses it anyway). */
function weigh(list: unknown, cap = Infinity): number {
  if (!Array.isArray(list)) return 0;
  let n = 0;
  for (const entry of list as unknown[]) {
    n += entryWeight(entry);
    if (n > cap) break;
  }
  return n;
}

/** The budget units an inventory item makes the server apply (its work, roughly). */
export function inventoryEntries(item: InventoryItem): number {
  return rawInventoryEntries(item);
}

/** The budget units of a snapshot's collections, or of any part of one (absent sections hold none). */
export function snapshotEntries(s: Partial<Pick<Snapshot, CollectionSection>>): number {
  return COLLECTION_SECTIONS.reduce((n, section) => n + weigh(s[section]), 0);
}

export function deltaEntries(delta: Delta): number {
  let n = 0;
  for (const section of COLLECTION_SECTIONS) {
    const d = delta[section];
    n += weigh(d?.added) + weigh(d?.removed) + weigh(d?.changed);
  }
  return n;
}

/** The collections other than software, which part 0 and the parts after it carry in pages. */
export const REST_COLLECTIONS = COLLECTION_SECTIONS.filter((c): c is Exclude<CollectionSection, 'software'> => c !== 'software');
type Page = { [S in CollectionSection]?: CollectionItem<S>[] };

/** The sections other than software with one more page of the other collections appended (a part's `more`). */
export function withPage<T extends Partial<Pick<Snapshot, CollectionSection>>>(rest: T, page: Page): T {
  const out: Record<string, unknown> = { ...rest };
  for (const section of REST_COLLECTIONS) {
    const items = page[section];
    if (items?.length) out[section] = [...itemsOf(rest, section), ...items];
  }
  return out as T;
}

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
    for (const item of itemsOf(snapshot, section) as unknown[]) {
      const weight = entryWeight(item);
      if (weight > room && room < budget) {
        pages.push({});
        room = budget;
      }
      ((pages.at(-1)! as Record<string, unknown[]>)[section] ??= []).push(item);
      room -= weight;
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
  const pieces: Record<string, Record<string, unknown[]>>[] = [{}];
  let room = budget;
  for (const op of ops) {
    const weight = entryWeight(op.value);
    if (weight > room && room < budget) {
      pieces.push({});
      room = budget;
    }
    ((pieces.at(-1)![op.section] ??= {})[op.kind] ??= []).push(op.value);
    room -= weight;
  }
  // Object sections (hardware, os) are a handful of fields: they ride with the first piece.
  const out = pieces as Delta[];
  if (delta.hardware) out[0]!.hardware = delta.hardware;
  if (delta.os) out[0]!.os = delta.os;
  if (delta.security) out[0]!.security = delta.security;
  return out;
}

/**
 * `inventoryEntries` of an item not validated yet (any JSON), counting only what is there: the
 * server screens a frame with it before the schema check, whose cost grows with the entries. Past
 * `cap` it stops counting.
 */
export function rawInventoryEntries(item: unknown, cap = Infinity): number {
  const field = (v: unknown, key: string): unknown =>
    v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  const body = field(item, 'body');
  const lists: unknown[] = [];
  const collections = (v: unknown) => {
    for (const section of COLLECTION_SECTIONS) lists.push(field(v, section));
  };
  switch (field(item, 'kind')) {
    case 'inventory.full':
      collections(field(body, 'snapshot'));
      break;
    case 'inventory.part':
      lists.push(field(body, 'software'));
      collections(field(body, 'rest'));
      collections(field(body, 'more'));
      break;
    case 'inventory.delta':
      for (const section of COLLECTION_SECTIONS) {
        const d = field(field(body, 'delta'), section);
        lists.push(field(d, 'added'), field(d, 'removed'), field(d, 'changed'));
      }
      break;
    default:
      return 0;
  }
  let n = 0;
  for (const list of lists) {
    n += weigh(list, cap - n);
    if (n > cap) break;
  }
  return n;
}
