// Which stored device an enrolling agent is. Only a strong hint (service tag, then SMBIOS UUID; junk
// values never match) continues a device, and only one with no live connection. A MAC, a machine name
// or the install id only mark the new device as a possible duplicate. The same install id on
// different hardware is a cloned image, which gets its own device flagged as a clone.
import { cleanMac, cleanText, cleanUuid, isMatchableMac } from '../../shared/junk.js';
import type { IdentityHints } from '../../shared/inventory.js';

/** Hints with junk removed: what may be stored and matched on. */
export interface CleanHints {
  installId: string;
  hostname: string;
  serial: string | null;
  uuid: string | null;
  /** Every well-formed MAC the agent reported. */
  macs: string[];
  /** The subset that identifies physical hardware (no virtual adapters). */
  matchableMacs: string[];
}

export interface IdentityCandidate {
  id: string;
  installId: string;
  hostname: string;
  serial: string | null;
  uuid: string | null;
  matchableMacs: string[];
  cloneOf: string | null;
  /** The device this one was flagged a possible duplicate of, if any. */
  duplicateOf: string | null;
  /** An agent connection is open for it now (this process or, through the store, another). */
  live: boolean;
  firstSeen: number;
  lastSeen: number;
}

/** Strong hints identify hardware and are not broadcast on the network; weak ones are. */
export type MatchRule = 'serial' | 'uuid' | 'install-id' | 'mac' | 'hostname';

/** Why a new device may be an existing one: a weak hint, or a strong one held by a connected device. */
export type DuplicateReason = MatchRule | 'serial-in-use' | 'uuid-in-use';

export interface Resolution {
  /** The device to continue, or null to create a new one. */
  deviceId: string | null;
  /** How the continued device was matched (serial or uuid), or null for a new device. */
  matchedBy: 'serial' | 'uuid' | null;
  /** A device whose OS install this one was cloned from. */
  cloneOf: string | null;
  /** For a new device: the existing device it may be, and why; IT decides whether to merge. */
  duplicateOf: { deviceId: string; reason: DuplicateReason } | null;
}

// Names every fresh install carries; two machines sharing one are not the same machine.
const JUNK_HOSTNAMES = new Set(['localhost', 'localhost.localdomain', 'ubuntu', 'debian', 'raspberrypi', 'linux']);

export function cleanHints(hints: IdentityHints): CleanHints {
  const macs = [...new Set(hints.macs.map(cleanMac).filter((m): m is string => m !== undefined))].sort();
  return {
    installId: hints.installId,
    hostname: cleanText(hints.hostname) ?? hints.hostname.trim(),
    serial: cleanText(hints.serial) ?? null,
    uuid: cleanUuid(hints.uuid) ?? null,
    macs,
    matchableMacs: macs.filter(isMatchableMac),
  };
}

export function matchableHostname(hostname: string): string | null {
  const name = cleanText(hostname)?.toLowerCase();
  return name && !JUNK_HOSTNAMES.has(name) ? name : null;
}

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const overlaps = (a: string[], b: string[]) => a.some((m) => b.includes(m));

/**
 * Whether two sets of hints describe the same hardware, judged by the strongest identifier both
 * have (serial, then SMBIOS UUID, then physical MACs); undefined when they share none.
 */
export function sameHardware(h: CleanHints, c: IdentityCandidate): boolean | undefined {
  if (h.serial && c.serial) return sameText(h.serial, c.serial);
  if (h.uuid && c.uuid) return h.uuid === c.uuid;
  if (h.matchableMacs.length && c.matchableMacs.length) return overlaps(h.matchableMacs, c.matchableMacs);
  return undefined;
}

/** Prefers the device this install already is, then one not itself a suspected duplicate, then the
 * one seen most recently. */
function best(candidates: IdentityCandidate[], installId: string): IdentityCandidate | undefined {
  return [...candidates].sort(
    (a, b) =>
      Number(b.installId === installId) - Number(a.installId === installId) ||
      Number(a.duplicateOf !== null) - Number(b.duplicateOf !== null) ||
      b.lastSeen - a.lastSeen,
  )[0];
}

/**
 * Enrolment is a trust decision: an enrolment token lets an agent in, but only a strong hint (a
 * non-junk serial or SMBIOS UUID) may hand it an existing device, and only while that device has no
 * live connection, so a running agent can never be pushed off its own record. A hostname, a MAC or
 * an install id (all readable by anyone on the network or the machine) only flag the new device as a
 * possible duplicate for IT to merge.
 */
export function resolveIdentity(hints: CleanHints, candidates: IdentityCandidate[]): Resolution {
  const sameInstall = candidates.filter((c) => c.installId === hints.installId);
  const continued = sameInstall.filter((c) => sameHardware(hints, c) !== false);
  const cloneOf = sameInstall.length > 0 && continued.length === 0 ? originalOf(sameInstall) : null;

  const bySerial = hints.serial ? candidates.filter((c) => c.serial && sameText(c.serial, hints.serial!)) : [];
  const byUuid = hints.uuid ? candidates.filter((c) => c.uuid === hints.uuid && !strongConflict(hints, c)) : [];
  for (const [rule, matches] of [
    ['serial', bySerial],
    ['uuid', byUuid],
  ] as const) {
    const match = best(matches, hints.installId);
    if (!match) continue;
    if (!match.live) return { deviceId: match.id, matchedBy: rule, cloneOf, duplicateOf: null };
    return { deviceId: null, matchedBy: null, cloneOf, duplicateOf: { deviceId: match.id, reason: `${rule}-in-use` } };
  }

  const hostname = matchableHostname(hints.hostname);
  const weak: [MatchRule, IdentityCandidate[]][] = [
    ['install-id', continued],
    ['mac', candidates.filter((c) => overlaps(c.matchableMacs, hints.matchableMacs) && !strongConflict(hints, c))],
    ['hostname', hostname ? candidates.filter((c) => matchableHostname(c.hostname) === hostname && sameHardware(hints, c) !== false) : []],
  ];
  for (const [rule, matches] of weak) {
    const match = best(matches, hints.installId);
    if (match) return { deviceId: null, matchedBy: null, cloneOf, duplicateOf: { deviceId: match.id, reason: rule } };
  }
  return { deviceId: null, matchedBy: null, cloneOf, duplicateOf: null };
}

/** A MAC shared by two machines with different serials or UUIDs is a moved USB adapter or a dock. */
function strongConflict(h: CleanHints, c: IdentityCandidate): boolean {
  if (h.serial && c.serial) return !sameText(h.serial, c.serial);
  if (h.uuid && c.uuid) return h.uuid !== c.uuid;
  return false;
}

/** The device a cloned image came from: one not itself a clone, first seen earliest. */
function originalOf(devices: IdentityCandidate[]): string {
  const sorted = [...devices].sort((a, b) => Number(a.cloneOf !== null) - Number(b.cloneOf !== null) || a.firstSeen - b.firstSeen);
  return sorted[0]!.id;
}
