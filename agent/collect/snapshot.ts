// One inventory pass, whole or in part, and how its result is laid over the previous snapshot.
// The agent re-collects only software when a package database changes and only users on the
// half-hourly refresh; whatever was not collected, or could not be read this time, keeps its
// previous value, so a slow or broken source never reads as "uninstalled" or "removed".
import type { Snapshot, SoftwareSource } from '../../shared/inventory.js';
import type { Logger } from '../../shared/log.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import type { Host } from '../host/host.js';
import { collectBreadth, type Breadth } from './breadth/index.js';
import { BREADTH_SECTIONS } from './breadth/types.js';
import { collectSoftware } from './software/index.js';
import type { SoftwareCollector } from './software/types.js';
import { collectSystem, collectUsers, type SystemInfo, type SystemPart } from './system.js';

/** system = hardware, OS and network; users = logged-on users; software = every package source. */
export type SnapshotSection = 'system' | 'software' | 'users';
export const ALL_SECTIONS: readonly SnapshotSection[] = ['system', 'software', 'users'];

export interface CollectDeps {
  si: SystemInfo;
  host: Host;
  log: Logger;
  /** Defaults to every collector in software/index.ts. */
  softwareCollectors?: readonly SoftwareCollector[];
  /** Per software source. Default: collectSoftware's. */
  softwareTimeoutMs?: number;
  /** Per systeminformation call. Default: collectSystem's. */
  systemTimeoutMs?: number;
  /** Volumes, monitors, printers, accounts, security (issue 18). Default: collectBreadth for the host. */
  breadth?: (host: Host, log: Logger) => Promise<Breadth>;
}

export interface CollectOptions {
  sections?: readonly SnapshotSection[];
}

/** The parts of a snapshot one pass produced, and what it could not read. */
export interface Collected {
  snapshot: Partial<Snapshot>;
  /** Software sources that failed or timed out: their previous packages stand. */
  failedSources: SoftwareSource[];
  /** systeminformation calls that failed or timed out: their previous values stand. */
  failedParts: SystemPart[];
}

export async function collectSnapshot(deps: CollectDeps, opts: CollectOptions = {}): Promise<Collected> {
  const sections = new Set(opts.sections ?? ALL_SECTIONS);
  const systemOptions = { log: deps.log, ...(deps.systemTimeoutMs ? { timeoutMs: deps.systemTimeoutMs } : {}) };
  const [system, users, software, breadth] = await Promise.all([
    sections.has('system') ? collectSystem(deps.si, deps.host, systemOptions) : undefined,
    sections.has('users') && !sections.has('system') ? collectUsers(deps.si, systemOptions) : undefined,
    sections.has('software')
      ? collectSoftware(deps.host, deps.log, {
          ...(deps.softwareCollectors ? { collectors: deps.softwareCollectors } : {}),
          ...(deps.softwareTimeoutMs ? { timeoutMs: deps.softwareTimeoutMs } : {}),
        })
      : undefined,
    sections.has('system') ? (deps.breadth ?? collectBreadth)(deps.host, deps.log) : undefined,
  ]);
  const snapshot: Partial<Snapshot> = {};
  const failedParts: SystemPart[] = [...(system?.failed ?? []), ...(users?.failed ?? [])];
  if (system) Object.assign(snapshot, { hardware: withBlockDisks(system.hardware, breadth), os: system.os, network: system.network });
  // A breadth section that could not be read is left out here, so its previous value stands.
  for (const section of BREADTH_SECTIONS) if (breadth?.[section] !== undefined) Object.assign(snapshot, { [section]: breadth[section] });
  if (sections.has('users')) snapshot.users = system?.users ?? users?.users ?? [];
  if (software) snapshot.software = software.items;
  return { snapshot, failedSources: software?.failed ?? [], failedParts };
}

// Which hardware and OS fields each systeminformation call fills.
const PART_FIELDS: Partial<Record<SystemPart, readonly string[]>> = {
  system: ['manufacturer', 'model', 'serial', 'uuid', 'sku'],
  bios: ['bios'],
  chassis: ['chassis'],
  cpu: ['cpu'],
  mem: ['memory'],
  memLayout: ['memory'],
  diskLayout: ['disks'],
  graphics: ['graphics'],
  battery: ['battery'],
};
const OS_INFO_FIELDS = ['distro', 'release', 'build', 'codename', 'kernel', 'arch', 'fqdn', 'domain'] as const;

/**
 * The new snapshot: collected sections replace the previous ones, except that a failed software
 * source keeps its previous packages and a failed system call keeps its previous fields. Sections
 * not collected this time are kept as they were. Without a previous snapshot the pass must have
 * collected hardware, OS and network.
 */
export function mergeSnapshot(
  previous: Snapshot | undefined,
  collected: Partial<Snapshot>,
  failedSources: readonly SoftwareSource[] = [],
  failedParts: readonly SystemPart[] = [],
): Snapshot {
  const hardware = collected.hardware ?? previous?.hardware;
  const os = collected.os ?? previous?.os;
  const network = collected.network ?? previous?.network;
  if (!hardware || !os || !network) throw new Error('the first snapshot must collect the system section');
  const merged: Snapshot = {
    hardware: collected.hardware && previous ? keepFailedHardware(collected.hardware, previous.hardware, failedParts) : hardware,
    os: collected.os && previous && failedParts.includes('osInfo') ? keepFields(collected.os, previous.os, OS_INFO_FIELDS) : os,
    network,
    users: collected.users && !(previous && failedParts.includes('users')) ? collected.users : (previous?.users ?? []),
    software: mergeSoftware(previous?.software, collected.software, failedSources),
  };
  for (const section of BREADTH_SECTIONS) {
    const value = collected[section] ?? previous?.[section];
    if (value !== undefined) Object.assign(merged, { [section]: value });
  }
  return normaliseSnapshot(merged);
}

/** Virtual machines have no disk layout; their disks are then the block devices (issue 18). */
function withBlockDisks(hardware: Snapshot['hardware'], breadth: Breadth | undefined): Snapshot['hardware'] {
  if (hardware.disks.length > 0 || !breadth?.blockDisks?.length) return hardware;
  return { ...hardware, disks: breadth.blockDisks };
}

function mergeSoftware(
  previous: Snapshot['software'] | undefined,
  collected: Snapshot['software'] | undefined,
  failedSources: readonly SoftwareSource[],
): Snapshot['software'] {
  if (!collected) return previous ?? [];
  const failed = new Set(failedSources);
  const kept = (previous ?? []).filter((s) => failed.has(s.source));
  return [...collected.filter((s) => !failed.has(s.source)), ...kept];
}

function keepFailedHardware(
  collected: Snapshot['hardware'],
  previous: Snapshot['hardware'],
  failedParts: readonly SystemPart[],
): Snapshot['hardware'] {
  const fields = failedParts.flatMap((p) => PART_FIELDS[p] ?? []);
  return fields.length === 0 ? collected : keepFields(collected, previous, fields);
}

/** `next` with the listed fields taken from `previous` (or removed where `previous` had none). */
function keepFields<T extends object>(next: T, previous: T, fields: readonly string[]): T {
  const out = { ...next } as Record<string, unknown>;
  for (const field of fields) {
    const old = (previous as Record<string, unknown>)[field];
    if (old === undefined) delete out[field];
    else out[field] = old;
  }
  return out as T;
}
