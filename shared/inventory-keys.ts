// The parts of the inventory model that need no schema library: source names, sections, limits and
// item keys. Kept apart from inventory.ts so the scan path (collectors, normalise, digest) stays
// free of zod, which costs ~100 ms and ~12 MB in a short-lived `outpost scan` process.
import type { Snapshot } from './inventory.js';

export const SOFTWARE_SOURCES = ['dpkg', 'rpm', 'snap', 'flatpak', 'macos-app', 'pkgutil', 'windows-registry', 'msix', 'hotfix'] as const;
export type SoftwareSource = (typeof SOFTWARE_SOURCES)[number];

export const FIREWALL_STATES = ['on', 'off'] as const;
export const ENCRYPTION_STATES = ['on', 'partial', 'off'] as const;
export type FirewallState = (typeof FIREWALL_STATES)[number];
export type EncryptionState = (typeof ENCRYPTION_STATES)[number];

/** Size limits: a snapshot bigger than this is not a real machine. */
export const SNAPSHOT_LIMITS = {
  software: 50_000,
  network: 256,
  users: 1_000,
  volumes: 256,
  monitors: 32,
  printers: 256,
  accounts: 1_024,
  groups: 1_024,
  /** Members of one local group. */
  groupMembers: 1_024,
  /** Groups one local account belongs to. */
  accountGroups: 256,
  /** Antivirus products in the security section. */
  antivirus: 16,
} as const;

/** Sections of a snapshot. Object sections diff field by field; collections diff item by key. */
export const OBJECT_SECTIONS = ['hardware', 'os', 'security'] as const;
export const COLLECTION_SECTIONS = ['network', 'users', 'software', 'volumes', 'monitors', 'printers', 'accounts', 'groups'] as const;
/**
 * Sections added after protocol 2's digest was fixed (issue 18). Optional in a snapshot; absent reads
 * as empty, and an empty one is left out of the snapshot digest, so an agent that predates them
 * produces the digest it always did.
 */
export const OPTIONAL_SECTIONS = ['security', 'volumes', 'monitors', 'printers', 'accounts', 'groups'] as const;
export type ObjectSection = (typeof OBJECT_SECTIONS)[number];
export type CollectionSection = (typeof COLLECTION_SECTIONS)[number];
export type OptionalSection = (typeof OPTIONAL_SECTIONS)[number];
export type Section = ObjectSection | CollectionSection;
export type CollectionItem<S extends CollectionSection> = NonNullable<Snapshot[S]>[number];
export type ObjectValue<S extends ObjectSection> = NonNullable<Snapshot[S]>;

/** The most collection items a valid full snapshot holds. */
export const MAX_SNAPSHOT_ENTRIES = COLLECTION_SECTIONS.reduce((n, s) => n + SNAPSHOT_LIMITS[s], 0);

/** A collection's items; an absent optional section is empty. */
export function itemsOf<S extends CollectionSection>(snapshot: Partial<Pick<Snapshot, S>>, section: S): readonly CollectionItem<S>[] {
  return snapshot[section] ?? [];
}

/** An object section's value; an absent security section is an empty one (all unknown). */
export function objectOf<S extends ObjectSection>(snapshot: Partial<Pick<Snapshot, S>>, section: S): ObjectValue<S> {
  return (snapshot[section] ?? {}) as ObjectValue<S>;
}

/** The identity of an item inside its collection. Two items with one key are the same thing. */
export const itemKey: { [S in CollectionSection]: (item: CollectionItem<S>) => string } = {
  network: (n) => n.name,
  users: (u) => [u.domain ?? '', u.name, u.terminal ?? ''].join('\t'),
  software: (s) => [s.source, s.name, s.arch ?? '', s.scope, s.user ?? ''].join('\t'),
  volumes: (v) => v.mount,
  monitors: (m) => [m.vendor ?? '', m.model ?? '', m.serial ?? ''].join('|'),
  printers: (p) => p.name,
  accounts: (a) => a.name,
  groups: (g) => g.name,
};

/**
 * Free space as the snapshot records it: whole percent of size, rounded down, and the bytes derived
 * from that percent, so a volume's item changes only when free space crosses a 1 % step.
 */
export function quantiseFree(sizeBytes: number, availableBytes: number): { freePercent: number; freeBytes: number } {
  if (!(sizeBytes >= 1) || !Number.isFinite(sizeBytes) || !(availableBytes >= 0)) return { freePercent: 0, freeBytes: 0 };
  // Exact integer arithmetic: a float ratio rounds 59.9999999 % up to 60 on a large disk.
  const size = BigInt(Math.floor(sizeBytes));
  const free = BigInt(Math.floor(Math.min(availableBytes, sizeBytes)));
  const freePercent = Number((free * 100n) / size);
  return { freePercent, freeBytes: Number((size * BigInt(freePercent)) / 100n) };
}
