// Full snapshots sent as one item and deltas, applied to the batch's working state
// (working-state.ts). A delta costs O(its items): the software is read by key and the digest is
// updated, never recomputed; a full snapshot is diffed against the stored one only while both are
// small (plan-batch.ts decides), otherwise it is staged as a sequence of one part (plan-parts.ts).
import { diffSnapshots, emptySnapshot, materialise, withSections, type Delta, type SectionChange } from '../../shared/delta.js';
import { applyDeltaTo, keyedAll, type Overlay } from '../../shared/delta-apply.js';
import { combineDigests, sectionDigests, type SectionDigests } from '../../shared/digest.js';
import type { ErrorCode } from '../../shared/errors.js';
import { COLLECTION_SECTIONS, itemKey, itemsOf, type Snapshot } from '../../shared/inventory.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import type { Item } from '../../shared/protocol.js';
import type { ChangeRecord, IngestState } from '../store/store.js';
import { REST_SECTIONS, type RestSection } from '../../shared/stored-sections.js';
import type { BatchPlan } from './plan-batch.js';
import { overlays, type Working } from './working-state.js';

export type FullItem = Extract<Item, { kind: 'inventory.full' }>;
export type DeltaItem = Extract<Item, { kind: 'inventory.delta' }>;
export type PartItem = Extract<Item, { kind: 'inventory.part' }>;

type Applied = Working & { changes: SectionChange[] };

export function applyFull(state: IngestState, current: Working | null, item: FullItem, plan: BatchPlan): Applied {
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
    changedSections: everySection,
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
  return Object.assign(folded, { digests, digest });
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
    changedSections: everySection,
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
  return Object.assign(folded, { changes: next.software.length ? [...folded.changes, added] : folded.changes, digests, digest });
}

export function applyDeltaItem(current: Working | null, item: DeltaItem, plan: BatchPlan): SectionChange[] {
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
  // Assigned, not spread: the working state's accessors stay (see working-state.ts).
  return Object.assign(working, { changes: applied.changes });
}

/** A first inventory writes every section. */
const everySection = (): RestSection[] => [...REST_SECTIONS];

function skipInventory(plan: BatchPlan, item: FullItem | DeltaItem | PartItem, code: ErrorCode, message: string): [] {
  plan.problems.push({ code, seq: item.seq, message: `${message} A full snapshot is needed.` });
  plan.needsFull = true;
  plan.fullRequested = true;
  return [];
}
