// The device's inventory as one batch sees it: the stored state with the batch's changes laid over
// it (server/ingest/plan-batch.ts). The stored sections other than software (up to megabytes of
// JSON) are read, parsed and keyed only when an item touches them, so a software delta or a part of
// software alone costs O(itself), whatever they hold.
import { materialise } from '../../shared/delta.js';
import { keyed, Overlay, type KeyedCollection, type SectionChange } from '../../shared/delta-apply.js';
import type { SectionDigests } from '../../shared/digest.js';
import {
  COLLECTION_SECTIONS,
  OBJECT_SECTIONS,
  OPTIONAL_SECTIONS,
  itemsOf,
  objectOf,
  type CollectionSection,
  type Hardware,
  type Os,
  type SecurityPosture,
  type Snapshot,
} from '../../shared/inventory.js';
import { REST_SECTIONS, isObjectSection, type RestSection } from '../../shared/stored-sections.js';
import type { Live, Swapped } from './plan-parts.js';
import type { IngestState, StoredInventory } from '../store/store.js';

/** The device's inventory as the batch has left it so far: changes laid over the stored state. */
export interface Working {
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
  /** The sections other than software the batch changed: only their rows are rewritten. */
  changedSections(): RestSection[];
}

export function liveOf(w: Working): Live {
  return { software: w.collections.software };
}

/** The live inventory as stored: the swap reads its software by key, nothing else. */
export function storedLive(state: IngestState): Live | null {
  return state.inventory === null ? null : { software: state.software };
}

/**
 * The batch's starting point: the stored inventory (null before the first). Its sections other than
 * software (up to megabytes of JSON) are read, parsed and keyed one section at a time, only when an
 * item touches that section: a software delta costs O(itself), whatever they hold.
 */
export function storedWorking(state: IngestState): Working | null {
  const inventory = state.inventory;
  if (inventory === null) return null;
  return workingOver(inventory.rest, state.software, inventory.digests, state.digest, false);
}

/** A working state over `rest` (a lazy view: see shared/stored-sections.ts) and `software`. */
function workingOver(
  rest: StoredInventory,
  software: KeyedCollection<'software'>,
  digests: SectionDigests | null,
  digest: string | null,
  applied: boolean,
): Working {
  const keyedRest = new Map<CollectionSection, KeyedCollection<CollectionSection>>();
  const keyedOf = <S extends CollectionSection>(section: S): KeyedCollection<S> => {
    let k = keyedRest.get(section);
    if (!k) keyedRest.set(section, (k = keyed(section, itemsOf(rest as Partial<Snapshot>, section)) as KeyedCollection<CollectionSection>));
    return k as KeyedCollection<S>;
  };
  const lazy = <S extends CollectionSection>(section: S): KeyedCollection<S> =>
    section === 'software'
      ? (software as KeyedCollection<S>)
      : {
          get: (key) => keyedOf(section).get(key),
          get size() {
            return keyedOf(section).size;
          },
        };
  const set: Partial<Pick<Working, 'hardware' | 'os' | 'security'>> = {};
  const collections = {} as { [S in CollectionSection]: KeyedCollection<S> };
  for (const section of COLLECTION_SECTIONS) (collections as Record<CollectionSection, unknown>)[section] = lazy(section);
  const overlaid = overlays(collections);
  return {
    base: rest,
    get hardware() {
      return set.hardware ?? rest.hardware;
    },
    set hardware(v) {
      set.hardware = v;
    },
    get os() {
      return set.os ?? rest.os;
    },
    set os(v) {
      set.os = v;
    },
    get security() {
      return set.security ?? objectOf(rest, 'security');
    },
    set security(v) {
      set.security = v;
    },
    collections: overlaid,
    digests,
    digest,
    applied,
    changedSections: () => [
      // An object section set to what it was (a full snapshot's fold sets all three) is not rewritten.
      ...OBJECT_SECTIONS.filter((section) => set[section] !== undefined && set[section] !== (rest as Partial<Snapshot>)[section]),
      ...REST_SECTIONS.filter((section) => !isObjectSection(section) && overlaid[section as CollectionSection].touched.size > 0),
    ],
  };
}

/**
 * The working state's sections other than software, each built only when read: the store reads the
 * ones it rewrites (the changed ones) and the few its device columns show.
 */
export function restView(w: Working): StoredInventory {
  const view = {} as Record<string, unknown>;
  const define = (section: RestSection, build: () => unknown) =>
    Object.defineProperty(view, section, { enumerable: true, get: once(build) });
  define('hardware', () => w.hardware);
  define('os', () => w.os);
  define('security', () => (Object.keys(w.security).length > 0 ? w.security : undefined));
  for (const section of COLLECTION_SECTIONS) {
    if (section === 'software') continue;
    define(section, () => {
      const base = itemsOf(w.base, section);
      // The stored sections are normalised already: an untouched one is kept as it is, not sorted again.
      const items = w.collections[section].touched.size === 0 ? [...base] : materialise(section, base, w.collections[section]);
      return items.length === 0 && (OPTIONAL_SECTIONS as readonly string[]).includes(section) ? undefined : items;
    });
  }
  return view as unknown as StoredInventory;
}

function once<T>(build: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) [value, done] = [build(), true];
    return value;
  };
}

export function swappedWorking(s: Swapped): Working & { changes: SectionChange[] } {
  // Assigned, not spread: a spread would read (and load) every section through the accessors.
  return Object.assign(workingOver(s.rest, s.software, s.digests, s.digest, true), { changes: s.changes });
}

export function overlays(base: { [S in CollectionSection]: KeyedCollection<S> }): { [S in CollectionSection]: Overlay<S> } {
  const out = {} as Record<CollectionSection, unknown>;
  for (const section of COLLECTION_SECTIONS) out[section] = new Overlay(base[section]);
  return out as { [S in CollectionSection]: Overlay<S> };
}
