// The real InventoryScanner: systeminformation plus every software source of this platform.
import type { Snapshot } from '../shared/inventory.js';
import type { Logger } from '../shared/log.js';
import type { InventoryScanner } from './agent.js';
import { collectSnapshot, mergeSnapshot, type SnapshotSection } from './collect/snapshot.js';
import { SOFTWARE_COLLECTORS } from './collect/software/index.js';
import type { SystemInfo } from './collect/system.js';
import type { Host } from './host/host.js';
import type { ScanScope } from './triggers/types.js';

const SECTIONS: Record<ScanScope, readonly SnapshotSection[]> = {
  full: ['system', 'software', 'users'],
  software: ['software'],
  users: ['users'],
};

export class SystemScanner implements InventoryScanner {
  constructor(private readonly deps: { si: SystemInfo; host: Host; log: Logger }) {}

  async scan(scope: ScanScope, previous: Snapshot | undefined): Promise<Snapshot> {
    const collected = await collectSnapshot(this.deps, { sections: SECTIONS[previous ? scope : 'full'] });
    // A copy: the parsers' fields are slices of the raw output (dpkg's status file is ~2 MB), and
    // a slice keeps its whole source alive for as long as the agent keeps the snapshot.
    return structuredClone(mergeSnapshot(previous, collected.snapshot, collected.failedSources, collected.failedParts));
  }

  async watchPaths(): Promise<string[]> {
    const { host } = this.deps;
    const lists = await Promise.all(
      SOFTWARE_COLLECTORS.filter((c) => c.platforms.includes(host.platform)).map(async (c) =>
        c.watchPaths ? c.watchPaths(host).catch(() => []) : [],
      ),
    );
    return [...new Set(lists.flat())];
  }
}
