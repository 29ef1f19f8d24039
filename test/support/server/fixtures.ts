// Test data: plausible machines and the protocol items that describe them.
import { diffSnapshots, emptySnapshot } from '../../../shared/delta.js';
import { sectionDigests, snapshotDigest } from '../../../shared/digest.js';
import type { IdentityHints, Snapshot, Software } from '../../../shared/inventory.js';
import type { Item, Trigger } from '../../../shared/protocol.js';
import { keyed } from '../../../shared/delta-apply.js';
import type { IngestState } from '../../../server/store/store.js';
import type Database from 'better-sqlite3';
import { seedSoftwareRow, sqliteStatement } from '../software-rows.js';

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

/** A whole snapshot as a batch outcome writes it (for tests that drive store.applyBatch by hand). */
export function storedOutcome(snapshot: Snapshot, digest: string) {
  const { software, ...inventory } = snapshot;
  return {
    snapshot: { inventory, digests: sectionDigests(snapshot), digest, softwareCount: software.length },
    software: { upsert: software, remove: [] },
  };
}

/** The state the store hands the ingest planner for a device whose last snapshot is `snapshot`. */
export function ingestState(snapshot: Snapshot | null, lastSeq = 0): IngestState {
  const software = snapshot ? keyed('software', snapshot.software) : keyed('software', []);
  return {
    deviceId: 'd1',
    secretHash: Buffer.alloc(32),
    lastSeq,
    digest: snapshot ? snapshotDigest(snapshot) : null,
    needsFull: snapshot === null,
    hostname: snapshot?.os.hostname ?? 'fixture',
    inventory: snapshot ? { rest: withoutSoftware(snapshot), digests: sectionDigests(snapshot) } : null,
    software: { ...software, size: software.size, all: () => [...(snapshot?.software ?? [])] },
    softwareGen: 0,
    softwareOf: (gen) => (gen === 0 ? software : keyed('software', [])),
    staging: null,
  };
}

function withoutSoftware(snapshot: Snapshot): Omit<Snapshot, 'software'> {
  const { software: _software, ...rest } = snapshot;
  return rest;
}

/**
 * A software row written straight into a device's live generation (protocol 3 storage: rows are read
 * through the generation its snapshot row points at), making that snapshot row when there is none.
 * For tests that need many devices' software without their inventories.
 */
export function insertSoftwareRow(
  db: Database.Database,
  deviceId: string,
  row: { key: string; name: string; version: string | null; publisher: string | null },
): void {
  for (const [statement, params] of seedSoftwareRow(deviceId, row)) {
    const { text, values } = sqliteStatement(statement, params);
    db.prepare(text).run(...values);
  }
}
