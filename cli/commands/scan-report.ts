// What `outpost scan` prints: this machine's snapshot collected with no server and no agent state,
// as canonical JSON with its digest or as a short summary. Only the collectors are imported (no
// pino, no fastify, no database) so that a full scan stays a light process.
import { collectBreadth } from '../../agent/collect/breadth/index.js';
import { canonicalJson } from '../../shared/canonical.js';
import { snapshotDigest } from '../../shared/digest.js';
import type { Snapshot } from '../../shared/inventory.js';
import type { Logger } from '../../shared/log.js';
import { collectSnapshot, mergeSnapshot } from '../../agent/collect/snapshot.js';
import { loadSystemInfo } from '../../agent/collect/system-info.js';
import { createNodeHost } from '../../agent/host/node-host.js';

export interface ScanReport {
  digest: string;
  snapshot: Snapshot;
  /** The snapshot's canonical JSON, as printed. */
  canonical: string;
  /** Sources and calls that could not be read this time (absent in the JSON when none). */
  unreadable?: string[];
}

export function jsonReport({ digest, canonical, unreadable }: ScanReport): string {
  return `{"digest":${JSON.stringify(digest)},"snapshot":${canonical}${unreadable ? `,"unreadable":${JSON.stringify(unreadable)}` : ''}}`;
}

export async function scanThisMachine(log: Logger): Promise<ScanReport> {
  const host = createNodeHost();
  // A one-shot scan does not ask apt or dnf to simulate an upgrade (seconds of CPU); the agent does, once per package change.
  const breadth = (h: typeof host) => collectBreadth(h, log, { simulateUpdates: false });
  const collected = await collectSnapshot({ si: loadSystemInfo(host), host, log, breadth });
  const snapshot = mergeSnapshot(undefined, collected.snapshot, collected.failedSources, collected.failedParts);
  const unreadable = [...collected.failedSources, ...collected.failedParts];
  const canonical = canonicalJson(snapshot);
  return { digest: snapshotDigest(snapshot), snapshot, canonical, ...(unreadable.length ? { unreadable } : {}) };
}

export function summary({ digest, snapshot, unreadable }: ScanReport): string {
  const { hardware: hw, os } = snapshot;
  const bySource = new Map<string, number>();
  for (const s of snapshot.software) bySource.set(s.source, (bySource.get(s.source) ?? 0) + 1);
  const sources = [...bySource].map(([source, n]) => `${source} ${n}`).join(', ');
  const cpu = hw.cpu && [hw.cpu.manufacturer, hw.cpu.brand].filter(Boolean).join(' ');
  const rows: [string, string | undefined][] = [
    ['Hostname', os.fqdn && os.fqdn !== os.hostname ? `${os.hostname} (${os.fqdn})` : os.hostname],
    ['OS', [os.distro, os.release, os.codename && `(${os.codename})`, os.arch].filter(Boolean).join(' ') || os.platform],
    ['Kernel', os.kernel],
    ['Model', [hw.manufacturer, hw.model].filter(Boolean).join(' ') || undefined],
    ['Serial', hw.serial],
    ['UUID', hw.uuid],
    ['CPU', cpu && `${cpu}${hw.cpu?.cores ? `, ${hw.cpu.cores} cores` : ''}`],
    ['Memory', hw.memory.totalBytes ? `${(hw.memory.totalBytes / 2 ** 30).toFixed(1)} GiB` : undefined],
    [
      'Disks',
      hw.disks.map((d) => [d.model ?? d.device, d.sizeBytes && `${Math.round(d.sizeBytes / 1e9)} GB`].filter(Boolean).join(' ')).join('; '),
    ],
    [
      'Network',
      snapshot.network
        .filter((n) => !n.virtual)
        .map((n) => [n.name, n.mac, ...n.ipv4].filter(Boolean).join(' '))
        .join('; '),
    ],
    ['Users', snapshot.users.map((u) => u.name).join(', ')],
    ['Software', `${snapshot.software.length} packages${sources ? ` (${sources})` : ''}`],
    ['Not read', unreadable?.join(', ')],
    ['Digest', digest],
  ];
  return rows
    .filter((r): r is [string, string] => Boolean(r[1]))
    .map(([label, value]) => `${label.padEnd(9)} ${value}\n`)
    .join('');
}

// One line per warning on stderr; stdout carries only the inventory.
export function stderrLogger(debug: boolean): Logger {
  const write = (level: string) => (obj: object, msg?: string) =>
    process.stderr.write(`outpost: ${level}: ${msg ?? ''} ${JSON.stringify(obj)}\n`);
  const log: Logger = {
    debug: debug ? write('debug') : () => undefined,
    info: () => undefined,
    warn: write('warning'),
    error: write('error'),
    child: () => log,
  };
  return log;
}
