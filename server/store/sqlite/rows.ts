// Row shapes and their mapping to the store's records.
import type { Snapshot } from '../../../shared/inventory.js';
import type { DuplicateReason } from '../identity.js';
import type { DeviceSummary, StoredChange } from '../store.js';

export interface DeviceRow {
  id: string;
  install_id: string;
  hostname: string;
  serial: string | null;
  uuid: string | null;
  macs: string;
  secret_hash: Buffer;
  last_seq: number;
  digest: string | null;
  needs_full: number;
  clone_of: string | null;
  duplicate_of: string | null;
  duplicate_reason: string | null;
  agent_version: string | null;
  manufacturer: string | null;
  model: string | null;
  os: string | null;
  ip: string | null;
  first_seen: number;
  last_seen: number;
  users: string;
  online: number;
  software_count?: number;
}

export interface ChangeRow {
  id: number;
  at: string;
  received_at: number;
  trigger: StoredChange['trigger'];
  seq: number;
  section: StoredChange['section'];
  added: string;
  removed: string;
  changed: string;
}

export function toSummary(row: DeviceRow): DeviceSummary {
  return {
    id: row.id,
    hostname: row.hostname,
    serial: row.serial,
    os: row.os ? (JSON.parse(row.os) as DeviceSummary['os']) : null,
    manufacturer: row.manufacturer,
    model: row.model,
    ip: row.ip,
    agentVersion: row.agent_version,
    cloneOf: row.clone_of,
    duplicateOf: row.duplicate_of ? { deviceId: row.duplicate_of, reason: (row.duplicate_reason ?? 'hostname') as DuplicateReason } : null,
    softwareCount: row.software_count ?? 0,
    users: userNames(row.users),
    online: row.online === 1,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
  };
}

export function toChange(row: ChangeRow): StoredChange {
  return {
    id: row.id,
    at: row.at,
    receivedAt: row.received_at,
    trigger: row.trigger,
    seq: row.seq,
    section: row.section,
    added: JSON.parse(row.added) as unknown[],
    removed: JSON.parse(row.removed) as unknown[],
    changed: JSON.parse(row.changed) as StoredChange['changed'],
  };
}

/** The columns a device list shows, taken from its latest snapshot. */
export function displayColumns(snapshot: Omit<Snapshot, 'software'>) {
  const { platform, distro, release, build, arch } = snapshot.os;
  return {
    hostname: snapshot.os.hostname,
    manufacturer: snapshot.hardware.manufacturer ?? null,
    model: snapshot.hardware.model ?? null,
    os: JSON.stringify({ platform, distro, release, build, arch }),
    ip: primaryIpv4(snapshot),
    users: joinUserNames(snapshot.users.map((u) => u.name)),
  };
}

/** One name per logged-on user (several sessions of one user are one name), commas taken out of names. */
export function joinUserNames(names: readonly string[]): string {
  return [...new Set(names.map((n) => n.replace(/,/g, ' ').trim()).filter((n) => n !== ''))].join(',');
}

// Also dedupes: rows backfilled by migration 4 hold one name per session.
function userNames(column: string): string[] {
  return column === '' ? [] : [...new Set(column.split(','))];
}

/** The address IT would type to reach the machine: a physical interface's routable IPv4 first. */
function primaryIpv4(snapshot: Omit<Snapshot, 'software'>): string | null {
  const usable = (ip: string) => !ip.startsWith('127.') && !ip.startsWith('169.254.');
  const ordered = [...snapshot.network].sort((a, b) => Number(a.virtual) - Number(b.virtual));
  for (const nic of ordered) {
    const ip = nic.ipv4.find(usable);
    if (ip) return ip;
  }
  return null;
}

/**
 * The posture columns the devices list filters by (lowest free percent of the volumes, disk
 * encryption, firewall, reboot required; null: not reported), from the sections they come from.
 */
export function postureColumns(snapshot: Pick<Snapshot, 'volumes' | 'security'>) {
  const free = (snapshot.volumes ?? []).map((v) => v.freePercent).filter((p): p is number => typeof p === 'number');
  const security = snapshot.security ?? {};
  return {
    minFreePercent: free.length ? Math.min(...free) : null,
    diskEncryption: security.diskEncryption ?? null,
    firewall: security.firewall ?? null,
    rebootRequired: security.rebootRequired ?? null,
  };
}
