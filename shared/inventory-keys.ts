// The parts of the inventory model that need no schema library: source names, sections, limits and
// item keys. Kept apart from inventory.ts so the scan path (collectors, normalise, digest) stays
// free of zod, which costs ~100 ms and ~12 MB in a short-lived `outpost scan` process.
import type { Snapshot } from './inventory.js';

export const SOFTWARE_SOURCES = ['dpkg', 'rpm', 'snap', 'flatpak', 'macos-app', 'pkgutil', 'windows-registry', 'msix', 'hotfix'] as const;
export type SoftwareSource = (typeof SOFTWARE_SOURCES)[number];

/** Size limits: a snapshot bigger than this is not a real machine. */
export const SNAPSHOT_LIMITS = { software: 50_000, network: 256, users: 1_000 } as const;

/** Sections of a snapshot. Object sections diff field by field; collections diff item by key. */
export const OBJECT_SECTIONS = ['hardware', 'os'] as const;
export const COLLECTION_SECTIONS = ['network', 'users', 'software'] as const;
export type ObjectSection = (typeof OBJECT_SECTIONS)[number];
export type CollectionSection = (typeof COLLECTION_SECTIONS)[number];
export type Section = ObjectSection | CollectionSection;
export type CollectionItem<S extends CollectionSection> = Snapshot[S][number];

/** The identity of an item inside its collection. Two items with one key are the same thing. */
export const itemKey: { [S in CollectionSection]: (item: CollectionItem<S>) => string } = {
  network: (n) => n.name,
  users: (u) => [u.domain ?? '', u.name, u.terminal ?? ''].join('\t'),
  software: (s) => [s.source, s.name, s.arch ?? '', s.scope, s.user ?? ''].join('\t'),
};
