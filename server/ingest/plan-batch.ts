// What one batch of items does to a device, decided without I/O from the state read inside the
// batch transaction. Items at or below the device's last seq were applied before and are skipped;
// a delta that does not fit the stored snapshot, or would take it past a limit (E_SNAPSHOT_LIMIT),
// is skipped, changes nothing, and a full snapshot is asked for. A delta costs O(its items): the
// software is read by key from the store and the digest is updated, never recomputed.
// Ticket and worklog items are passed on, in order, for the ticket store to apply in the same
// transaction (they need lookups this planner does not have); deployment steps were recorded before
// the batch (server/deploy/deployer.ts) and only advance the seq here. Snapshot parts are staged and swapped
// in by plan-parts.ts. No batch applies more than LIMITS.maxInventoryEntriesPerBatch entries: an
// item past the budget is refused with E_BATCH_TOO_LARGE and changes nothing.
import { diffSnapshots, emptySnapshot, materialise, withSections, type Delta, type SectionChange } from '../../shared/delta.js';
import { applyDeltaTo, keyedAll, Overlay, type KeyedCollection } from '../../shared/delta-apply.js';
import { combineDigests, sectionDigests, type SectionDigests } from '../../shared/digest.js';
import type { ErrorCode } from '../../shared/errors.js';
import {
  COLLECTION_SECTIONS,
  itemKey,
  itemsOf,
  objectOf,
  type CollectionSection,
  type Hardware,
  type Os,
  type SecurityPosture,
  type Snapshot,
} from '../../shared/inventory.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import { inventoryEntries } from '../../shared/inventory-parts.js';
import { LIMITS, type Item } from '../../shared/protocol.js';
import { asOnePart, stagePart, type Live, type PartsContext } from './plan-parts.js';
import type { BatchOutcome, ChangeRecord, IngestState, StoredInventory } from '../store/store.js';
import { isTicketItem, type TicketItem } from '../store/ticket-records.js';

export interface ItemProblem {
  code: ErrorCode;
  seq: number;
  message: string;
}

export interface BatchPlan extends BatchOutcome {
  ticketItems: TicketItem[];
  /** Seqs skipped because they were applied before (redelivery). */
  replayed: number[];
  /** Items that could not be applied; each is reported to the agent. */
  problems: ItemProblem[];
  /** A delta did not fit: the agent is asked for a full snapshot (once per batch). */
  fullRequested: boolean;
}

/** The first seq that is not above its predecessor, or null when the batch is in order. */
export function outOfOrderSeq(items: readonly Item[]): number | null {
  for (let i = 1; i < items.length; i++) {
    if (items[i]!.seq <= items[i - 1]!.seq) return items[i]!.seq;
  }
  return null;
}

type FullItem = Extract<Item, { kind: 'inventory.full' }>;
type DeltaItem = Extract<Item, { kind: 'inventory.delta' }>;
type PartItem = Extract<Item, { kind: 'inventory.part' }>;

/** The device's inventory as the batch has left it so far: changes laid over the stored state. */
interface Working {
  /** The sections other than software the overlays lie over (software's base is its table). */
  base: Partial<Snapshot>;
  hardware: Hardware;
  os: Os;
  security: SecurityPosture;
  collections: { [S in CollectionSection]: Overlay<S> };
  /** Null when the stored snapshot predates the current digest (it is then replaced by a full). */
  digests: SectionDigests | null;
  digest: string | null;
  /** Whether an inventory item was applied, so the snapshot row is written. */
  applied: boolean;
}

/** `overBudget`: items the session took out of the frame before the schema check (budget-screen.ts). */
export function planBatch(state: IngestState, items: readonly Item[], overBudget: readonly { seq: number }[] = []): BatchPlan {
  const plan: BatchPlan = {
    lastSeq: state.lastSeq,
    needsFull: state.needsFull,
    changes: [],
    ticketItems: [],
    replayed: [],
    problems: [],
    fullRequested: false,
  };
  // The stored sections other than software (up to megabytes) are read and keyed only when an item
  // needs them: a part of software alone, or a software delta, costs O(itself), not O(them).
  let current: Working | null | undefined;
  const working = (): Working | null => (current === undefined ? (current = storedWorking(state)) : current);
  let entries = 0;
  const parts: PartsContext = { state, plan, staging: state.staging, liveGen: state.softwareGen, stagedHere: new Map() };

  for (const item of items) {
    if (item.seq <= state.lastSeq) {
      plan.replayed.push(item.seq);
      continue;
    }
    plan.lastSeq = Math.max(plan.lastSeq, item.seq);
    if (isTicketItem(item)) {
      plan.ticketItems.push(item);
      continue;
    }
    // Recorded before the batch, idempotently by seq (server/deploy/deployer.ts); only its seq counts here.
    if (item.kind === 'deploy.status') continue;
    entries += inventoryEntries(item);
    if (entries > LIMITS.maxInventoryEntriesPerBatch) {
      refuseOverBudget(plan, item.seq);
      continue;
    }
    let changes: SectionChange[];
    if (item.kind === 'inventory.delta') changes = applyDeltaItem(working(), item, plan);
    else if (item.kind === 'inventory.full' && fullIsSmall(parts, current, item)) {
      discardStaging(parts);
      changes = (current = applyFull(state, working(), item, plan)).changes;
    } else {
      const live = current === undefined ? storedLive(state) : current && liveOf(current);
      const swapped = stagePart(parts, item.seq, item.at, partOf(item), live);
      if (swapped) current = swappedWorking(swapped);
      changes = swapped?.changes ?? [];
    }
    plan.changes.push(...changes.map((c) => changeRecord(item, c)));
  }

  plan.softwareGen = parts.liveGen;
  for (const { seq } of overBudget) {
    if (seq <= state.lastSeq) continue;
    plan.lastSeq = Math.max(plan.lastSeq, seq);
    refuseOverBudget(plan, seq);
  }
  if (current?.applied && current.digests && current.digest) {
    const { collections: c } = current;
    const done = current;
    // The stored row holds every section but software, which has its own table; it is built only
    // when read (the store writes it only when those sections changed).
    let inventory: StoredInventory | undefined;
    const restChanged = state.inventory === null || plan.swapped !== undefined || plan.changes.some((ch) => ch.section !== 'software');
    plan.snapshot = {
      get inventory(): StoredInventory {
        return (inventory ??= withoutSoftware(materialiseRest(done)));
      },
      get hostname(): string {
        return restChanged ? this.inventory.os.hostname : state.hostname;
      },
      digests: current.digests,
      digest: current.digest,
      softwareCount: c.software.size,
      restChanged,
    };
    const upsert = [...c.software.touched.values()].filter((s) => s !== null);
    const remove = [...c.software.touched].filter(([, s]) => s === null).map(([key]) => key);
    plan.software = { upsert, remove };
  }
  return plan;
}

type Applied = Working & { changes: SectionChange[] };

/**
 * Whether a full snapshot sent as one item is applied by diffing it against the stored one, which
 * costs O(both): only while both are small and no swap moved the live generation in this batch.
 * Otherwise it is staged and swapped in as a sequence of one part, which costs O(the item).
 */
function fullIsSmall(parts: PartsContext, current: Working | null | undefined, item: FullItem): boolean {
  const storedSoftware = current ? current.collections.software.size : parts.state.software.size;
  return parts.liveGen === parts.state.softwareGen && storedSoftware + inventoryEntries(item) <= LIMITS.maxInventoryEntriesPerBatch;
}

function partOf(item: FullItem | PartItem) {
  return item.kind === 'inventory.part' ? item.body : asOnePart(item.seq, item.body);
}

function discardStaging(parts: PartsContext): void {
  if (!parts.staging) return;
  (parts.plan.garbage ??= []).push({ gen: parts.staging.first, replacedBy: null });
  parts.staging = null;
  parts.plan.staging = null;
}

function liveOf(w: Working): Live {
  let rest: StoredInventory | undefined;
  return {
    get rest() {
      return (rest ??= withoutSoftware(materialiseRest(w)));
    },
    software: w.collections.software,
  };
}

/** The live inventory as stored, its other sections read only if the swap needs them. */
function storedLive(state: IngestState): Live | null {
  const { inventory } = state;
  if (inventory === null) return null;
  return {
    get rest() {
      return inventory.rest;
    },
    software: state.software,
  };
}

/**
 * The batch's starting point: the stored inventory (null before the first). Its sections other than
 * software (up to megabytes of JSON) are read, parsed and keyed only when an item touches them: a
 * software delta costs O(itself), whatever they hold.
 */
function storedWorking(state: IngestState): Working | null {
  const inventory = state.inventory;
  if (inventory === null) return null;
  let rest: StoredInventory | undefined;
  let keyedRest: { [S in CollectionSection]: KeyedCollection<S> } | undefined;
  const load = () => (rest ??= inventory.rest);
  const keyedOf = () => (keyedRest ??= keyedAll(load(), { software: state.software }));
  const lazy = <S extends CollectionSection>(section: S): KeyedCollection<S> =>
    section === 'software'
      ? state.software
      : {
          get: (key) => keyedOf()[section].get(key),
          get size() {
            return keyedOf()[section].size;
          },
        };
  const set: Partial<Pick<Working, 'hardware' | 'os' | 'security'>> = {};
  const collections = {} as { [S in CollectionSection]: KeyedCollection<S> };
  for (const section of COLLECTION_SECTIONS) (collections as Record<CollectionSection, unknown>)[section] = lazy(section);
  return {
    get base() {
      return load();
    },
    get hardware() {
      return set.hardware ?? load().hardware;
    },
    set hardware(v) {
      set.hardware = v;
    },
    get os() {
      return set.os ?? load().os;
    },
    set os(v) {
      set.os = v;
    },
    get security() {
      return set.security ?? objectOf(load(), 'security');
    },
    set security(v) {
      set.security = v;
    },
    collections: overlays(collections),
    digests: inventory.digests,
    digest: state.digest,
    applied: false,
  };
}

const withoutSoftware = ({ software: _software, ...rest }: Snapshot): StoredInventory => rest;

/** The working state's sections as a snapshot with an empty software list (kept in its table). */
function materialiseRest(w: Working): Snapshot {
  return withSections({ hardware: w.hardware, os: w.os, network: [], users: [], software: [] }, w.security, (section) => {
    if (section === 'software') return [];
    const base = itemsOf(w.base, section);
    // The stored sections are normalised already: an untouched one is kept as it is, not sorted again.
    return w.collections[section].touched.size === 0 ? [...base] : materialise(section, base, w.collections[section]);
  });
}

function swappedWorking(s: NonNullable<ReturnType<typeof stagePart>>): Working & { changes: SectionChange[] } {
  return {
    base: s.rest,
    hardware: s.rest.hardware,
    os: s.rest.os,
    security: objectOf(s.rest, 'security'),
    collections: overlays(keyedAll(s.rest, { software: s.software })),
    digests: s.digests,
    digest: s.digest,
    applied: true,
    changes: s.changes,
  };
}

function applyFull(state: IngestState, current: Working | null, item: FullItem, plan: BatchPlan): Applied {
  const next = normaliseSnapshot(item.body.snapshot);
  const digests = sectionDigests(next);
  const digest = combineDigests(digests);
  if (digest !== item.body.digest) {
    // Both sides run the same digest code, so this means an agent of another version; the server's
    // own digest is kept, and the agent's next delta will miss its baseline and trigger a resync.
    plan.problems.push({
      code: 'E_DIGEST_MISMATCH',
      seq: item.seq,
      message: 'The full snapshot does not match its digest; the server keeps its own.',
    });
  }
  plan.needsFull = false;
  if (current === null && state.software.size === 0) return applyFirst(next, digests, digest);
  // A first inventory is compared with nothing; the empty snapshot's placeholder platform is not
  // a change the device made, so it takes the device's own.
  const empty = { ...emptySnapshot(next.os.hostname), os: { platform: next.os.platform, hostname: next.os.hostname } };
  const working: Working = current ?? {
    base: {},
    hardware: empty.hardware,
    os: empty.os,
    security: {},
    collections: overlays(keyedAll({}, { software: state.software })),
    digests: null,
    digest: null,
    applied: false,
  };
  // The previous picture in full: a full snapshot costs O(snapshot) anyway.
  const c = working.collections;
  const previous: Snapshot = withSections(
    { hardware: working.hardware, os: working.os, network: [], users: [], software: [] },
    working.security,
    (section) => materialise(section, section === 'software' ? state.software.all() : itemsOf(working.base, section), c[section]),
  );
  const folded = fold(working, diffSnapshots(previous, next), digests);
  // A valid full snapshot is within every limit, so its diff always applies.
  if (!folded) throw new Error('a full snapshot did not apply to the previous one');
  return { ...folded, digests, digest };
}

/**
 * A device's first inventory, compared with nothing. Its software goes into the table as it is:
 * no row is looked up, no item hashed twice. Its software change (everything added) is passed on
 * to the batch's follow-up, whose desk rules look for prohibited packages, but not kept in the
 * history: it would copy the whole list, the largest part of the snapshot, and the device's software
 * list shows it. The other sections (a few KB) are recorded as added, as a later full snapshot would.
 */
function applyFirst(next: Snapshot, digests: SectionDigests, digest: string): Applied {
  const empty = { ...emptySnapshot(next.os.hostname), os: { platform: next.os.platform, hostname: next.os.hostname } };
  const working: Working = {
    base: {},
    hardware: empty.hardware,
    os: empty.os,
    security: {},
    collections: overlays(keyedAll({})),
    digests: null,
    digest: null,
    applied: false,
  };
  const folded = fold(working, diffSnapshots(empty, { ...next, software: [] }), digests);
  if (!folded) throw new Error('a first snapshot did not apply to the empty one');
  const software = folded.collections.software;
  for (const item of next.software) software.set(itemKey.software(item), item);
  const added: SectionChange & Pick<ChangeRecord, 'unrecorded'> = {
    section: 'software',
    added: next.software,
    removed: [],
    changed: [],
    unrecorded: true,
  };
  return { ...folded, changes: next.software.length ? [...folded.changes, added] : folded.changes, digests, digest };
}

function applyDeltaItem(current: Working | null, item: DeltaItem, plan: BatchPlan): SectionChange[] {
  if (current === null || current.digests === null || current.digest === null) {
    return skipInventory(plan, item, 'E_NO_BASELINE', 'A delta arrived before any full snapshot.');
  }
  if (item.body.baseDigest !== current.digest) {
    return skipInventory(plan, item, 'E_DIGEST_MISMATCH', "The delta's base is not the server's snapshot.");
  }
  // Not spread: the working state's other sections are read only if the delta names them.
  const w = current;
  const base = {
    get hardware() {
      return w.hardware;
    },
    get os() {
      return w.os;
    },
    get security() {
      return w.security;
    },
    collections: w.collections,
    digests: current.digests,
  };
  const applied = applyDeltaTo(base, item.body.delta);
  if (!applied.ok) return skipInventory(plan, item, applied.code, applied.message);
  const digest = combineDigests(applied.digests);
  if (digest !== item.body.digest) {
    return skipInventory(plan, item, 'E_DIGEST_MISMATCH', 'The snapshot after the delta does not match its digest.');
  }
  // Accepted: lay the delta's changes over the batch's working state.
  for (const section of COLLECTION_SECTIONS) {
    const into = current.collections[section] as Overlay<typeof section>;
    for (const [key, value] of applied.collections[section].touched) into.set(key, value);
  }
  Object.assign(current, applied.changedObjects, { digests: applied.digests, digest, applied: true });
  return applied.changes;
}

/** Applies a full snapshot's diff to the working state in place; null if it did not apply. */
function fold(working: Working, delta: Delta, digests: SectionDigests): Applied | null {
  const applied = applyDeltaTo({ ...working, digests }, delta);
  if (!applied.ok) return null;
  for (const section of COLLECTION_SECTIONS) {
    const into = working.collections[section] as Overlay<typeof section>;
    for (const [key, value] of applied.collections[section].touched) into.set(key, value);
  }
  Object.assign(working, { hardware: applied.hardware, os: applied.os, security: applied.security, applied: true });
  return { ...working, changes: applied.changes };
}

function refuseOverBudget(plan: BatchPlan, seq: number): void {
  const message = `The batch carries more than ${LIMITS.maxInventoryEntriesPerBatch} units of inventory (an entry is one unit, plus one per KiB of its text); this item was not applied.`;
  plan.problems.push({ code: 'E_BATCH_TOO_LARGE', seq, message: `${message} A full snapshot is needed.` });
  plan.needsFull = true;
  plan.fullRequested = true;
}

function skipInventory(plan: BatchPlan, item: FullItem | DeltaItem | PartItem, code: ErrorCode, message: string): [] {
  plan.problems.push({ code, seq: item.seq, message: `${message} A full snapshot is needed.` });
  plan.needsFull = true;
  plan.fullRequested = true;
  return [];
}

function changeRecord(item: FullItem | DeltaItem | PartItem, change: SectionChange): ChangeRecord {
  return { at: item.at, trigger: item.body.trigger, seq: item.seq, ...change };
}

function overlays(base: { [S in CollectionSection]: KeyedCollection<S> }): { [S in CollectionSection]: Overlay<S> } {
  const out = {} as Record<CollectionSection, unknown>;
  for (const section of COLLECTION_SECTIONS) out[section] = new Overlay(base[section]);
  return out as { [S in CollectionSection]: Overlay<S> };
}
