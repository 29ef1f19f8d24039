// The device's inventory as one batch sees it: the stored state with the batch's changes laid over
// it (server/ingest/plan-batch.ts). The stored sections other than software (up to megabytes of
// JSON) are read, parsed and keyed only when an item touches them, so a software delta or a part of
// software alone costs O(itself), whatever they hold.
import { withSections, materialise } from '../../shared/delta.js';
import { keyedAll, Overlay, type KeyedCollection, type SectionChange } from '../../shared/delta-apply.js';
import type { SectionDigests } from '../../shared/digest.js';
import {
  COLLECTION_SECTIONS,
  itemsOf,
  objectOf,
  type CollectionSection,
  type Hardware,
  type Os,
  type SecurityPosture,
  type Snapshot,
} from '../../shared/inventory.js';
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
}

export function liveOf(w: Working): Live {
  let rest: StoredInventory | undefined;
  return {
    get rest() {
      return (rest ??= withoutSoftware(materialiseRest(w)));
    },
    software: w.collections.software,
  };
}

/** The live inventory as stored, its other sections read only if the swap needs them. */
export function storedLive(state: IngestState): Live | null {
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
export function storedWorking(state: IngestState): Working | null {
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

export const withoutSoftware = ({ software: _software, ...rest }: Snapshot): StoredInventory => rest;

/** The working state's sections as a snapshot with an empty software list (kept in its table). */
export function materialiseRest(w: Working): Snapshot {
  return withSections({ hardware: w.hardware, os: w.os, network: [], users: [], software: [] }, w.security, (section) => {
    if (section === 'software') return [];
    const base = itemsOf(w.base, section);
    // The stored sections are normalised already: an untouched one is kept as it is, not sorted again.
    return w.collections[section].touched.size === 0 ? [...base] : materialise(section, base, w.collections[section]);
  });
}

export function swappedWorking(s: Swapped): Working & { changes: SectionChange[] } {
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

export function overlays(base: { [S in CollectionSection]: KeyedCollection<S> }): { [S in CollectionSection]: Overlay<S> } {
  const out = {} as Record<CollectionSection, unknown>;
  for (const section of COLLECTION_SECTIONS) out[section] = new Overlay(base[section]);
  return out as { [S in CollectionSection]: Overlay<S> };
}
