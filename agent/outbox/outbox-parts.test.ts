import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { applyDelta, emptySnapshot } from '../../shared/delta.js';
import { snapshotDigest } from '../../shared/digest.js';
import type { Snapshot, Software } from '../../shared/inventory.js';
import { inventoryEntries, isInventoryItem } from '../../shared/inventory-parts.js';
import { LIMITS, type Item } from '../../shared/protocol.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { nextBatch } from '../link/batch.js';
import { Outbox } from './outbox.js';

const BUDGET = LIMITS.maxInventoryEntriesPerBatch;
const pkg = (name: string, version = '1.0'): Software => ({ name, version, source: 'dpkg', scope: 'machine', arch: 'amd64' });
const machine = (software: Software[]): Snapshot => ({
  ...emptySnapshot('pc-1'),
  os: { platform: 'linux', hostname: 'pc-1' },
  software,
});
const packages = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => pkg(`${prefix}-${String(i).padStart(6, '0')}`));

/** What the server ends up with after the queued items, parts reassembled at the last one. */
function replay(items: Item[], start?: Snapshot): Snapshot | undefined {
  let copy = start;
  let staged: Software[] = [];
  for (const item of items) {
    if (item.kind === 'inventory.full') copy = item.body.snapshot;
    if (item.kind === 'inventory.part') {
      assert.equal(item.body.first, item.seq - item.body.index, 'parts take consecutive seqs from `first`');
      if (item.body.index === 0) staged = [];
      staged.push(...item.body.software);
      if (item.body.index === item.body.count - 1) {
        const first = items.find((i) => i.kind === 'inventory.part' && i.seq === item.body.first);
        assert.ok(first?.kind === 'inventory.part' && first.body.rest);
        copy = { ...first.body.rest, software: staged };
        assert.equal(snapshotDigest(copy), item.body.digest);
      }
    }
    if (item.kind === 'inventory.delta') {
      assert.ok(copy);
      assert.equal(item.body.baseDigest, snapshotDigest(copy));
      copy = applyDelta(copy, item.body.delta).snapshot;
      assert.equal(snapshotDigest(copy), item.body.digest);
    }
  }
  return copy;
}

describe('Outbox: items within the server entry budget', () => {
  let dir: string;
  let outbox: Outbox;
  let clock = 1_700_000_000;

  const open = (maxInventoryBacklog = 20) => {
    const o = new Outbox({
      path: join(dir, 'outbox.db'),
      log: new RecordingLogger(),
      now: () => new Date(clock++ * 1000),
      maxInventoryBacklog,
    });
    o.start();
    return o;
  };
  const pending = () => outbox.peek(0, 10_000);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-parts-'));
    outbox = open();
  });
  afterEach(() => {
    outbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('queues a snapshot past the budget as parts, none past the budget, which add up to it', () => {
    const big = machine(packages(50_000));
    outbox.recordSnapshot('startup', big);
    const items = pending();
    assert.equal(items.length, Math.ceil(50_000 / BUDGET));
    for (const item of items) {
      assert.equal(item.kind, 'inventory.part');
      assert.ok(isInventoryItem(item) && inventoryEntries(item) <= BUDGET);
    }
    assert.equal(snapshotDigest(replay(items)!), snapshotDigest(big));
    // The link sends them one batch each: a batch never carries more than the budget.
    const batch = nextBatch(items);
    assert.equal(batch.kind === 'frame' && batch.seqs.length, 1);
  });

  it('cuts a large change into deltas that compose, each within the budget', () => {
    const before = machine(packages(30_000));
    outbox.recordSnapshot('startup', before);
    outbox.ack(pending().at(-1)!.seq);
    const after = machine([...packages(30_000).slice(1.2 * BUDGET), ...packages(1.3 * BUDGET, 'q')]);
    outbox.recordSnapshot('software-change', after);
    const deltas = pending();
    assert.ok(deltas.length > 1);
    for (const item of deltas) {
      assert.equal(item.kind, 'inventory.delta');
      assert.ok(isInventoryItem(item) && inventoryEntries(item) <= BUDGET);
    }
    assert.equal(snapshotDigest(replay(deltas, before)!), snapshotDigest(after));
  });

  it('still folds a backlog into one full snapshot, in parts, and counts a snapshot in parts once', () => {
    outbox.stop();
    outbox = open(3);
    outbox.recordSnapshot('startup', machine(packages(5_000)));
    const parts = pending().length;
    assert.equal(parts, Math.ceil(5_000 / BUDGET));
    outbox.recordSnapshot('refresh', machine(packages(5_001)));
    outbox.recordSnapshot('refresh', machine(packages(5_002)));
    assert.equal(pending().length, parts + 2, 'three pending snapshots or changes: no fold yet');
    const last = machine(packages(5_003));
    const folded = outbox.recordSnapshot('refresh', last);
    assert.equal(folded?.kind, 'inventory.part');
    const items = pending();
    assert.equal(items.length, Math.ceil(5_003 / BUDGET));
    assert.ok(items.every((i) => i.kind === 'inventory.part' && i.body.trigger === 'resync'));
    assert.equal(snapshotDigest(replay(items)!), snapshotDigest(last));
  });

  it('answers a request for a full snapshot once while its parts are pending, and anew after a renumbering', () => {
    outbox.recordSnapshot('startup', machine(packages(4_500)));
    const before = pending().map((i) => i.seq);
    outbox.requestFull();
    assert.deepEqual(
      pending().map((i) => i.seq),
      before,
      'the pending parts already answer it',
    );
    outbox.ensureSeqAbove(100);
    const renumbered = pending();
    assert.ok(renumbered[0]!.seq > 100);
    assert.equal(snapshotDigest(replay(renumbered)!), snapshotDigest(machine(packages(4_500))));
  });
});
