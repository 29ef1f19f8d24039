// Which stored device an enrolling agent is, following the Endpoint Central / ServiceDesk Plus rules:
// service tag first, then MAC, then machine name; junk values never match. The install id (one per OS
// install) keeps a device whose hardware hints are all junk; the same install id on different hardware
// is a cloned image, which gets its own device flagged as a clone rather than being merged silently.
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
  firstSeen: number;
  lastSeen: number;
}

export type MatchRule = 'serial' | 'install-id' | 'mac' | 'hostname';

export interface Resolution {
  /** The device to continue, or null to create a new one. */
  deviceId: string | null;
  matchedBy: MatchRule | null;
  /** A device whose OS install this one was cloned from. */
  cloneOf: string | null;
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

/** Prefers the device this install already is, then the one seen most recently. */
function best(candidates: IdentityCandidate[], installId: string): IdentityCandidate | undefined {
  return [...candidates].sort(
    (a, b) => Number(b.installId === installId) - Number(a.installId === installId) || b.lastSeen - a.lastSeen,
  )[0];
}

export function resolveIdentity(hints: CleanHints, candidates: IdentityCandidate[]): Resolution {
  const sameInstall = candidates.filter((c) => c.installId === hints.installId);
  const continued = sameInstall.filter((c) => sameHardware(hints, c) !== false);
  const cloneSource = sameInstall.length > 0 && continued.length === 0 ? originalOf(sameInstall) : null;

  const bySerial = hints.serial ? candidates.filter((c) => c.serial && sameText(c.serial, hints.serial!)) : [];
  const hostname = matchableHostname(hints.hostname);
  const rules: [MatchRule, IdentityCandidate[]][] = [
    ['serial', bySerial],
    ['install-id', continued],
    ['mac', candidates.filter((c) => overlaps(c.matchableMacs, hints.matchableMacs) && !strongConflict(hints, c))],
    ['hostname', hostname ? candidates.filter((c) => matchableHostname(c.hostname) === hostname && sameHardware(hints, c) !== false) : []],
  ];
  for (const [rule, matches] of rules) {
    const match = best(matches, hints.installId);
    if (match) return { deviceId: match.id, matchedBy: rule, cloneOf: cloneSource };
  }
  return { deviceId: null, matchedBy: null, cloneOf: cloneSource };
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
