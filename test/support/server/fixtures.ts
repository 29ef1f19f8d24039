// Test data: plausible machines and the protocol items that describe them.
import { diffSnapshots, emptySnapshot } from '../../../shared/delta.js';
import { snapshotDigest } from '../../../shared/digest.js';
import type { IdentityHints, Snapshot, Software } from '../../../shared/inventory.js';
import type { Item, Trigger } from '../../../shared/protocol.js';

export const pkg = (name: string, version: string, extra: Partial<Software> = {}): Software => ({
  name,
  version,
  source: 'dpkg',
  scope: 'machine',
  arch: 'amd64',
  ...extra,
});

export interface MachineSpec {
  hostname?: string;
  serial?: string;
  uuid?: string;
  macs?: string[];
  software?: Software[];
  ip?: string;
}

export function machine(spec: MachineSpec = {}): Snapshot {
  const hostname = spec.hostname ?? 'pc-1';
  const base = emptySnapshot(hostname);
  return {
    ...base,
    hardware: {
      ...base.hardware,
      manufacturer: 'Dell Inc.',
      model: 'Latitude 7440',
      ...(spec.serial ? { serial: spec.serial } : {}),
      ...(spec.uuid ? { uuid: spec.uuid } : {}),
      memory: { totalBytes: 16 * 2 ** 30, modules: [] },
    },
    os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', arch: 'x64', hostname },
    network: (spec.macs ?? ['3c:52:82:11:22:33']).map((mac, i) => ({
      name: `eth${i}`,
      mac,
      ipv4: i === 0 ? [spec.ip ?? '10.0.0.5'] : [],
      ipv6: [],
      virtual: false,
    })),
    software: spec.software ?? [pkg('bash', '5.2'), pkg('curl', '7.88')],
  };
}

export function hintsFor(snapshot: Snapshot, installId = 'install-0001'): IdentityHints {
  return {
    installId,
    hostname: snapshot.os.hostname,
    serial: snapshot.hardware.serial,
    uuid: snapshot.hardware.uuid,
    macs: snapshot.network.map((n) => n.mac).filter((m): m is string => m !== undefined),
  };
}

const AT = '2025-01-02T03:04:05.000Z';

export function fullItem(seq: number, snapshot: Snapshot, trigger: Trigger = 'startup'): Item {
  return { seq, at: AT, kind: 'inventory.full', body: { trigger, digest: snapshotDigest(snapshot), snapshot } };
}

export function deltaItem(seq: number, before: Snapshot, after: Snapshot, trigger: Trigger = 'software-change'): Item {
  return {
    seq,
    at: AT,
    kind: 'inventory.delta',
    body: { trigger, baseDigest: snapshotDigest(before), digest: snapshotDigest(after), delta: diffSnapshots(before, after) },
  };
}
