// Full snapshots received in parts (protocol 3). Each part's software is staged as rows of a new
// generation (the sequence's first seq), its hashes added to a running multiset sum, its software
// changes against the live rows noted; all of it O(the part). When the last part is in, the digest
// is checked from the sum and the staged `rest`, and the swap only moves the live generation: the
// old rows are deleted later, in small steps, by the sweeper. A large full snapshot sent as one item
// onto a large stored one takes the same path as a sequence of one part, so that it too costs
// O(the item), never O(the stored snapshot).
import { createHash } from 'node:crypto';
import { sameJson } from '../../shared/canonical.js';
import type { KeyedCollection, SectionChange } from '../../shared/delta-apply.js';
import {
  addPage,
  addPageSeen,
  adjustSum,
  combineDigests,
  HashSum,
  itemHash,
  sectionDigests,
  type SectionDigests,
  type SeenKeys,
} from '../../shared/digest.js';
import type { ErrorCode } from '../../shared/errors.js';
import { itemKey, itemsOf, SNAPSHOT_LIMITS, type CollectionSection, type Snapshot, type Software } from '../../shared/inventory.js';
import { REST_COLLECTIONS } from '../../shared/inventory-parts.js';
import { lazyRest, type RestSection, type SectionPage } from '../../shared/stored-sections.js';
import type { ItemBody } from '../../shared/protocol.js';
import type { BatchOutcome, IngestState, StagedKeys, StagingState, StoredInventory } from '../store/store.js';

type Part = ItemBody<'inventory.part'>;

/** What the batch planner keeps of the live inventory (see plan-batch.ts): its software, read by key. */
export interface Live {
  software: KeyedCollection<'software'>;
}

export interface PartsContext {
  state: IngestState;
  plan: BatchOutcome & { problems: { code: ErrorCode; seq: number; message: string }[]; fullRequested: boolean };
  staging: StagingState | null;
  liveGen: number;
  /** Keys staged in this batch, per generation (the store has not seen them yet). */
  stagedHere: Map<number, Set<string>>;
}

export interface Swapped {
  gen: number;
  rest: StoredInventory;
  software: KeyedCollection<'software'>;
  digests: ReturnType<typeof sectionDigests>;
  digest: string;
  /** Changes of the sections other than software (software's were noted part by part). */
  changes: SectionChange[];
}

/** A full snapshot sent as one item, as a sequence of one part. */
export function asOnePart(seq: number, body: ItemBody<'inventory.full'>): Part {
  const { software, ...rest } = body.snapshot;
  return { trigger: body.trigger, digest: body.digest, first: seq, index: 0, count: 1, rest, software };
}

/** Stages one part; at the last one, checks the digest and swaps. Returns the swap, if one happened. */
export function stagePart(ctx: PartsContext, seq: number, at: string, part: Part, live: Live | null): Swapped | null {
  const refuse = (code: ErrorCode, message: string, discard: boolean): null => {
    if (discard) discardStaging(ctx);
    ctx.plan.problems.push({ code, seq, message: discard ? `${message} A full snapshot is needed.` : message });
    if (discard) {
      ctx.plan.needsFull = true;
      ctx.plan.fullRequested = true;
    }
    return null;
  };
  if (part.first <= ctx.liveGen || (ctx.staging && part.first < ctx.staging.first)) {
    return refuse('E_PART_SEQUENCE', 'The part belongs to an older snapshot than the one in place or being received.', false);
  }
  if (ctx.staging && part.first > ctx.staging.first) discardStaging(ctx);
  const s = (ctx.staging ??= emptyStaging(part));
  ctx.plan.staging = s;
  if (s.count !== part.count || s.digest !== part.digest || s.trigger !== part.trigger) {
    return refuse('E_PART_SEQUENCE', 'The part does not match the count, digest or trigger of its sequence.', true);
  }
  if ((part.index === 0) !== (part.rest !== undefined) || (part.index === 0 && part.more !== undefined)) {
    return refuse('E_PART_SEQUENCE', 'Part 0, and only part 0, carries `rest`; only later parts carry `more`.', true);
  }
  if (part.more && !s.received.includes(0)) {
    return refuse('E_PART_SEQUENCE', 'A part carrying `more` arrived before part 0.', true);
  }
  if (s.received.includes(part.index)) return null; // sent again: already staged
  stageSoftware(ctx, s, part.software, part.index, live);
  s.received = [...s.received, part.index];
  // The digests and counts follow the pages as they arrive (O(the page)): each section of a page is
  // written as rows of the staged generation, and nothing received before it is read, at the swap
  // either (the staged rows become the live generation's).
  if (part.rest) {
    s.rest = part.rest;
    s.restDigests = restDigestsOf(part.rest);
    s.restKeys = countPage({}, part.rest);
    stagePage(ctx, s.first, 0, part.rest);
  }
  if (part.more) {
    const keys = s.restKeys;
    if (!keys || !s.restDigests) {
      return refuse('E_PART_SEQUENCE', 'The sequence was staged by an older server; it is started again.', true);
    }
    s.restDigests = addPageSeen(s.restDigests, seenKeys(keys), part.more);
    countPage(keys, part.more, true);
    stagePage(ctx, s.first, s.received.length - 1, part.more);
  }
  if (s.softwareCount > SNAPSHOT_LIMITS.software) {
    return refuse('E_SNAPSHOT_LIMIT', `The snapshot holds more than ${SNAPSHOT_LIMITS.software} software items.`, true);
  }
  const over =
    (part.rest || part.more) && REST_COLLECTIONS.find((section) => (s.restKeys?.[section]?.count ?? 0) > SNAPSHOT_LIMITS[section]);
  if (over) return refuse('E_SNAPSHOT_LIMIT', `The snapshot holds more than ${SNAPSHOT_LIMITS[over]} ${over} items.`, true);
  if (s.received.length < s.count) return null;
  return swap(ctx, s, seq, at, live, refuse);
}

function swap(
  ctx: PartsContext,
  s: StagingState,
  seq: number,
  at: string,
  live: Live | null,
  refuse: (code: ErrorCode, message: string, discard: boolean) => null,
): Swapped | null {
  // Nothing is joined or hashed again: the digests followed the pages, and the staged rows become the
  // live generation's. What changed in the other sections is worked out by the sweeper, a section a
  // step, when it retires the old generation (shared/stored-sections.ts).
  if (!s.restDigests) return refuse('E_PART_SEQUENCE', 'The sequence was staged by an older server; it is started again.', true);
  const digests = { ...s.restDigests, software: s.softwareSum };
  const digest = combineDigests(digests);
  if (digest !== s.digest) return refuse('E_DIGEST_MISMATCH', 'The snapshot received in parts does not match its digest.', true);
  const rest = lazyRest((section) => stagedPages(ctx, s.first, section));
  const changes: SectionChange[] = [];
  const { plan } = ctx;
  (plan.garbage ??= []).push({ gen: ctx.liveGen, replacedBy: { gen: s.first, seq, at, trigger: s.trigger } });
  plan.swapped = { gen: s.first, seq, at, trigger: s.trigger };
  plan.staging = null;
  plan.needsFull = false;
  ctx.staging = null;
  ctx.liveGen = s.first;
  const staged = stagedBefore(ctx, s.first) ? ctx.state.softwareOf(s.first) : NONE_STAGED;
  const here = ctx.stagedHere.get(s.first);
  // The store does not hold this batch's staged rows yet: they are read from the plan.
  const fromPlan = new Map<string, Software>();
  if (here) for (const st of plan.staged ?? []) if (st.gen === s.first) for (const r of st.rows) fromPlan.set(itemKey.software(r), r);
  const software: KeyedCollection<'software'> = { get: (key) => fromPlan.get(key) ?? staged.get(key), size: s.softwareCount };
  return { gen: s.first, rest, software, digests, digest, changes };
}

/**
 * Whether the store held rows of the staged generation before this batch: only when the sequence was
 * being staged already. A sequence begun in this batch has none there (its rows are in the plan), so
 * nothing is looked up or read back from the store for it.
 */
function stagedBefore(ctx: PartsContext, gen: number): boolean {
  return ctx.state.staging?.first === gen;
}

function stageSoftware(ctx: PartsContext, s: StagingState, items: readonly Software[], index: number, live: Live | null): void {
  const staged = stagedBefore(ctx, s.first) ? ctx.state.softwareOf(s.first) : NONE_STAGED;
  let here = ctx.stagedHere.get(s.first);
  if (!here) ctx.stagedHere.set(s.first, (here = new Set()));
  const rows: Software[] = [];
  const sum = new HashSum();
  const added: Software[] = [];
  const changed: SectionChange['changed'] = [];
  for (const item of items) {
    const key = itemKey.software(item);
    // The first of a key counts, as the agent's digest (shared/digest.ts) counts it.
    if (here.has(key) || staged.get(key) !== undefined) continue;
    here.add(key);
    rows.push(item);
    sum.add(itemHash('software', item));
    // A first inventory (nothing live) records no software change: it would copy the whole list.
    if (live === null) continue;
    const before = live.software.get(key);
    if (before === undefined) added.push(item);
    else if (!sameJson(before, item)) changed.push({ key, fields: fieldChanges(before, item) });
  }
  s.softwareSum = adjustSum(s.softwareSum, sum.value(), 0n);
  s.softwareCount += rows.length;
  const changes = added.length || changed.length ? { index, added, changed } : null;
  (ctx.plan.staged ??= []).push({ gen: s.first, rows, changes });
}

/** A page of the other sections, written as rows of the staged generation with the batch. */
function stagePage(ctx: PartsContext, gen: number, ord: number, more: Partial<StoredInventory>): void {
  (ctx.plan.stagedSections ??= []).push({ gen, ord, more });
}

/** A section's staged rows: the store's, and this batch's (the store has not seen them yet). */
function stagedPages(ctx: PartsContext, gen: number, section: RestSection): SectionPage[] {
  const here: SectionPage[] = [];
  for (const p of ctx.plan.stagedSections ?? []) {
    const body = (p.more as Record<string, unknown>)[section];
    if (p.gen === gen && body !== undefined) here.push({ ord: p.ord, body });
  }
  // The view is read after the batch's writes: the store then holds this batch's pages too, which
  // are taken from the plan instead of being read back and parsed again (a 3 MB hardware section).
  if (!stagedBefore(ctx, gen)) return here;
  const ords = new Set(here.map((p) => p.ord));
  return [...ctx.state.sectionPages(gen, section).filter((p) => !ords.has(p.ord)), ...here];
}

/** The software rows of a generation the store held none of before this batch. */
const NONE_STAGED: KeyedCollection<'software'> = { get: () => undefined, size: 0 };

function discardStaging(ctx: PartsContext): void {
  if (!ctx.staging) return;
  (ctx.plan.garbage ??= []).push({ gen: ctx.staging.first, replacedBy: null });
  ctx.staging = null;
  ctx.plan.staging = null;
}

function emptyStaging(part: Part): StagingState {
  return {
    first: part.first,
    count: part.count,
    digest: part.digest,
    trigger: part.trigger,
    received: [],
    rest: null,
    softwareSum: 0n,
    softwareCount: 0,
  };
}

/** The digests of part 0's sections (its collections keyed-unique, the first of a key counting). */
function restDigestsOf(rest: StoredInventory): SectionDigests {
  const objects = { hardware: rest.hardware, os: rest.os, network: [], users: [], software: [] };
  return addPage(sectionDigests(rest.security ? { ...objects, security: rest.security } : objects), {}, rest);
}

/**
 * Adds a page's items to the staged counts and, unless `keysAdded` (addPageSeen added them while
 * digesting), to the key hashes. The first of a key counts for the digest; every item counts against
 * the limits, as it did when the pages were appended.
 */
function countPage(keys: StagedKeys, page: Partial<Pick<Snapshot, CollectionSection>>, keysAdded = false): StagedKeys {
  const seen = seenKeys(keys);
  for (const section of REST_COLLECTIONS) {
    const items = itemsOf(page, section);
    if (items.length === 0) continue;
    const entry = (keys[section] ??= { count: 0, keys: [] });
    entry.count += items.length;
    if (keysAdded) continue;
    const keyOf = itemKey[section] as (item: (typeof items)[number]) => string;
    for (const item of items) if (!seen.has(section, keyOf(item))) seen.add(section, keyOf(item));
  }
  return keys;
}

/** A view of the staged key hashes for addPageSeen; what it adds goes into `keys` (as hashes). */
function seenKeys(keys: StagedKeys): SeenKeys {
  const sets = new Map<CollectionSection, Set<string>>();
  const setOf = (section: CollectionSection) => {
    let set = sets.get(section);
    if (!set) sets.set(section, (set = new Set(keys[section]?.keys ?? [])));
    return set;
  };
  return {
    has: (section, key) => setOf(section).has(keyHash(key)),
    add: (section, key) => {
      const h = keyHash(key);
      const set = setOf(section);
      if (set.has(h)) return;
      set.add(h);
      (keys[section] ??= { count: 0, keys: [] }).keys.push(h);
    },
  };
}

/**
 * 72 bits of a key's sha256: a key is up to kilobytes, its hash is what the staging row keeps. Two
 * keys of one device's snapshot colliding would only make its own digest check fail.
 */
function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('base64').slice(0, 12);
}

function fieldChanges(before: Software, after: Software): Record<string, { from: unknown; to: unknown }> {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const fields: Record<string, { from: unknown; to: unknown }> = {};
  for (const f of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (!sameJson(b[f], a[f])) fields[f] = { from: b[f] ?? null, to: a[f] ?? null };
  }
  return fields;
}
