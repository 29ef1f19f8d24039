// A snapshot's sections other than software as the server stores them: each section of each
// generation (the first seq of the snapshot it came with) as rows of its own, a collection in pages
// (part 0's, then each part's `more`, in arrival order) and an object section as one row. So a part
// writes only its page, the swap at the last part moves a pointer instead of joining, hashing and
// rewriting megabytes, and what changed between two generations is worked out one section at a time
// (the server's sweeper), each step O(that section).
import { applyDeltaTo, keyedAll, type SectionChange } from './delta-apply.js';
import { diffSnapshots } from './delta.js';
import type { SectionDigests } from './digest.js';
import {
  COLLECTION_SECTIONS,
  OBJECT_SECTIONS,
  OPTIONAL_SECTIONS,
  type CollectionItem,
  type CollectionSection,
  type Section,
} from './inventory-keys.js';
import type { Snapshot } from './inventory.js';
import { sortCollection } from './normalise.js';

/** Every section but software. */
export type RestSection = Exclude<Section, 'software'>;
export type StoredRest = Omit<Snapshot, 'software'>;

/** The sections kept as rows, in the order the sweeper compares them. */
export const REST_SECTIONS: readonly RestSection[] = [
  ...OBJECT_SECTIONS,
  ...COLLECTION_SECTIONS.filter((s): s is Exclude<CollectionSection, 'software'> => s !== 'software'),
];

const OPTIONAL = new Set<string>(OPTIONAL_SECTIONS);
const OBJECTS = new Set<string>(OBJECT_SECTIONS);

export function isObjectSection(section: RestSection): boolean {
  return OBJECTS.has(section);
}

/** One stored row of a section: its place in arrival order and its parsed body. */
export interface SectionPage {
  ord: number;
  body: unknown;
}

/**
 * A section from its pages as a snapshot holds it: an object section is its (last) row; a collection
 * is its pages in arrival order, the first of a key counting, in normalised order (as
 * normaliseSnapshot leaves it). Undefined: the section is absent (an empty optional one, or none).
 */
export function joinSection(section: RestSection, pages: readonly SectionPage[]): unknown {
  const ordered = [...pages].sort((a, b) => a.ord - b.ord);
  if (isObjectSection(section)) {
    const last = ordered.at(-1)?.body;
    if (last === undefined) return section === 'security' ? undefined : last;
    return section === 'security' && Object.keys(last as object).length === 0 ? undefined : last;
  }
  const collection = section as Exclude<CollectionSection, 'software'>;
  const items = ordered.flatMap((p) => (Array.isArray(p.body) ? (p.body as CollectionItem<typeof collection>[]) : []));
  let sorted = sortCollection(collection, items) as unknown[];
  if (collection === 'network') {
    sorted = (sorted as CollectionItem<'network'>[]).map((n) => ({ ...n, ipv4: [...n.ipv4].sort(), ipv6: [...n.ipv6].sort() }));
  }
  if (sorted.length === 0 && OPTIONAL.has(section)) return undefined;
  return sorted;
}

/**
 * A view of the stored sections that reads (and joins) each one only when it is asked for:
 * a batch that touches one section, or a sweeper step comparing one, costs O(that section).
 */
export function lazyRest(read: (section: RestSection) => readonly SectionPage[]): StoredRest {
  const cache = new Map<RestSection, unknown>();
  const view: Record<string, unknown> = {};
  for (const section of REST_SECTIONS) {
    Object.defineProperty(view, section, {
      enumerable: true,
      configurable: true,
      get() {
        if (!cache.has(section)) cache.set(section, joinSection(section, read(section)));
        return cache.get(section);
      },
      set(value: unknown) {
        cache.set(section, value);
      },
    });
  }
  return view as unknown as StoredRest;
}

/** A section's value split into the bodies of its rows (a collection as one page; none when absent). */
export function sectionBody(rest: Partial<StoredRest>, section: RestSection): unknown {
  const value = (rest as Record<string, unknown>)[section];
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.length === 0 && OPTIONAL.has(section)) return undefined;
  return value;
}

const PLACEHOLDER = { hardware: { memory: { modules: [] }, disks: [], graphics: [] }, os: { platform: 'other', hostname: '-' } };

/**
 * What changed in one section between two generations, as a full snapshot's diff records it; null
 * when nothing did. `hadBefore` false: the device had no snapshot before (a first inventory), whose
 * object sections are not recorded as changed and whose collections are all added.
 */
export function sectionChange(section: RestSection, before: unknown, after: unknown, hadBefore: boolean): SectionChange | null {
  if (isObjectSection(section) && !hadBefore) return null;
  const prev: Record<string, unknown> = { ...PLACEHOLDER, network: [], users: [], software: [] };
  const next: Record<string, unknown> = { ...PLACEHOLDER, network: [], users: [], software: [] };
  if (before !== undefined) prev[section] = before;
  if (after !== undefined) next[section] = after;
  const p = prev as unknown as Snapshot;
  const base = {
    hardware: p.hardware,
    os: p.os,
    security: p.security ?? {},
    collections: keyedAll(p),
    // Stand-ins: only the changes are kept, and hashing the section's items is not needed for them.
    digests: ZERO_DIGESTS,
  };
  const applied = applyDeltaTo(base, diffSnapshots(p, next as unknown as Snapshot));
  if (!applied.ok) return null;
  return applied.changes.find((c) => c.section === section) ?? null;
}

const ZERO_DIGESTS = {
  hardware: '',
  os: '',
  security: '',
  ...Object.fromEntries(COLLECTION_SECTIONS.map((s) => [s, 0n])),
} as SectionDigests;

/** Every section of a lazy view read into a plain snapshot (absent sections left out): for readers. */
export function materialisedRest(view: StoredRest): StoredRest {
  const out: Record<string, unknown> = {};
  for (const section of REST_SECTIONS) {
    const value = (view as Record<string, unknown>)[section];
    if (value !== undefined) out[section] = value;
  }
  return out as StoredRest;
}
