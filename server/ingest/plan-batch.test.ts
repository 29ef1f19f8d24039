import assert from 'node:assert/strict';
import { lazyRest } from '../../shared/stored-sections.js';
import { describe, it } from 'node:test';
import { snapshotDigest } from '../../shared/digest.js';
import { LIMITS } from '../../shared/protocol.js';
import { deltaItem, fullItem, ingestState, machine, pkg } from '../../test/support/server/fixtures.js';
import { createItem, noteItem, worklogItem } from '../../test/support/server/ticket-fixtures.js';
import { outOfOrderSeq, planBatch } from './plan-batch.js';

const state = ingestState;

const v1 = machine({ software: [pkg('bash', '5.1'), pkg('vim', '9')] });
const v2 = machine({ software: [pkg('bash', '5.2'), pkg('vim', '9'), pkg('htop', '3')] });
const v3 = machine({ software: [pkg('bash', '5.2'), pkg('htop', '3')] });

describe('planning a batch', () => {
  it('passes ticket items on in seq order beside inventory, skipping redelivered ones', () => {
    const items = [
      createItem(4, 'ref-plan-01'),
      deltaItem(5, v1, v2),
      noteItem(6, 'ref-plan-01', 'note-plan-1', 'more'),
      worklogItem(7, 'wl-plan-001', 12, '2025-03-04T10:00:00Z', '2025-03-04T10:45:00Z'),
    ];
    const plan = planBatch(state(v1, 4), items);
    assert.deepEqual(
      plan.ticketItems.map((i) => i.seq),
      [6, 7],
    );
    assert.deepEqual(plan.replayed, [4]);
    assert.equal(plan.lastSeq, 7);
    assert.equal(plan.snapshot?.digest, snapshotDigest(v2));
    assert.deepEqual(plan.problems, []);
  });

  it('fills the software table from a first full snapshot without copying the list into the history', () => {
    const plan = planBatch(state(null), [fullItem(1, v1)]);
    assert.equal(plan.lastSeq, 1);
    assert.equal(plan.needsFull, false);
    assert.equal(plan.snapshot?.digest, snapshotDigest(v1));
    assert.equal(plan.snapshot?.softwareCount, 2);
    // The software list is the device's software rows: its change (everything added) reaches the
    // desk's rules but is not kept in the history; the other sections are.
    const software = plan.changes.find((c) => c.section === 'software');
    assert.deepEqual(software?.added, v1.software);
    assert.equal(software?.unrecorded, true);
    assert.ok(plan.changes.filter((c) => c.section !== 'software').every((c) => !c.unrecorded));
    assert.deepEqual(plan.changes.find((c) => c.section === 'network')?.added, v1.network);
    assert.deepEqual(
      plan.software?.upsert.map((s) => s.name),
      ['bash', 'vim'],
    );
    // The OS as first seen, not a change from the empty snapshot's placeholder platform.
    const os = plan.changes.find((c) => c.section === 'os');
    assert.deepEqual(Object.keys(os?.changed[0]?.fields ?? {}).sort(), ['arch', 'distro', 'release']);
  });

  it('applies a software delta without reading the stored other sections, and reads them for a delta that names one', () => {
    const counted = (snapshot: typeof v1) => {
      const s = state(snapshot, 1);
      const read: string[] = [];
      // The stored sections as the store hands them over: each read (and parsed) only when asked for.
      s.inventory = {
        rest: lazyRest((section) => {
          read.push(section);
          return s.sectionPages(0, section);
        }),
        digests: s.inventory!.digests,
      };
      return { s, reads: () => read.length, read };
    };
    const software = counted(v1);
    const plan = planBatch(software.s, [deltaItem(2, v1, v2), deltaItem(3, v2, v3)]);
    assert.deepEqual(plan.problems, []);
    assert.equal(plan.snapshot?.digest, snapshotDigest(v3));
    assert.equal(plan.snapshot?.restChanged, false);
    assert.equal(software.reads(), 0, 'megabytes of other sections are not parsed for a software delta');

    const renamed = { ...v3, os: { ...v3.os, hostname: 'renamed' }, users: [] };
    const both = counted(v3);
    const second = planBatch(both.s, [deltaItem(4, v3, renamed)]);
    assert.deepEqual(second.problems, []);
    assert.equal(second.snapshot?.digest, snapshotDigest(renamed));
    assert.equal(second.snapshot?.restChanged, true);
    assert.equal(second.snapshot?.inventory.os.hostname, 'renamed');
    assert.deepEqual(second.snapshot?.inventory.users, []);
    assert.deepEqual(second.snapshot?.inventory.network, v3.network, 'the sections the delta did not name are kept');
    assert.ok(both.reads() > 0);
    assert.ok(!both.read.includes('hardware'), `a delta naming os and users reads only those (${both.read.join(', ')})`);
  });

  it('applies a chain of deltas and writes only the software rows that changed', () => {
    const plan = planBatch(state(v1, 1), [deltaItem(2, v1, v2), deltaItem(3, v2, v3)]);
    assert.equal(plan.lastSeq, 3);
    assert.equal(plan.snapshot?.digest, snapshotDigest(v3));
    assert.deepEqual(plan.software?.upsert.map((s) => s.name).sort(), ['bash', 'htop']);
    assert.deepEqual(plan.software?.remove, ['dpkg\tvim\tamd64\tmachine\t']);
    assert.deepEqual(
      plan.changes.map((c) => c.seq),
      [2, 3],
    );
    assert.equal(plan.fullRequested, false);
  });

  it('skips items at or below the last applied seq and applies the rest', () => {
    const plan = planBatch(state(v2, 2), [deltaItem(2, v1, v2), deltaItem(3, v2, v3)]);
    assert.deepEqual(plan.replayed, [2]);
    assert.deepEqual(
      plan.changes.map((c) => c.seq),
      [3],
    );
    assert.equal(plan.lastSeq, 3);
  });

  it('keeps the snapshot and asks for a full one when a delta does not fit', () => {
    const wrongBase = planBatch(state(v1, 1), [deltaItem(2, v2, v3)]);
    assert.equal(wrongBase.snapshot, undefined);
    assert.equal(wrongBase.fullRequested, true);
    assert.equal(wrongBase.needsFull, true);
    assert.equal(wrongBase.lastSeq, 2);
    assert.deepEqual(
      wrongBase.problems.map((p) => p.code),
      ['E_DIGEST_MISMATCH'],
    );

    const lying = deltaItem(2, v1, v2);
    if (lying.kind === 'inventory.delta') lying.body.digest = snapshotDigest(v3);
    const mismatch = planBatch(state(v1, 1), [lying]);
    assert.equal(mismatch.snapshot, undefined);
    assert.equal(mismatch.changes.length, 0);
    assert.equal(mismatch.fullRequested, true);
  });

  it('refuses a delta before any baseline', () => {
    const plan = planBatch(state(null), [deltaItem(1, v1, v2)]);
    assert.deepEqual(
      plan.problems.map((p) => p.code),
      ['E_NO_BASELINE'],
    );
    assert.equal(plan.fullRequested, true);
  });

  it('refuses a delta that would leave a snapshot without required fields', () => {
    const item = deltaItem(2, v1, v1);
    if (item.kind === 'inventory.delta') item.body.delta = { os: { unset: ['hostname'] } };
    const plan = planBatch(state(v1, 1), [item]);
    assert.deepEqual(
      plan.problems.map((p) => p.code),
      ['E_BAD_MESSAGE'],
    );
    assert.equal(plan.snapshot, undefined);
  });

  it('a full snapshot after divergence records only the real difference and clears the flag', () => {
    const diverged = { ...state(v1, 4), needsFull: true };
    const plan = planBatch(diverged, [fullItem(5, v2, 'resync')]);
    assert.equal(plan.needsFull, false);
    const software = plan.changes.find((c) => c.section === 'software');
    assert.deepEqual(software?.added, [pkg('htop', '3')]);
    assert.deepEqual(software?.changed[0]?.fields, { version: { from: '5.1', to: '5.2' } });
    assert.equal(
      plan.changes.every((c) => c.trigger === 'resync'),
      true,
    );
  });

  it('finds the first out-of-order seq', () => {
    assert.equal(outOfOrderSeq([fullItem(1, v1), fullItem(3, v1), fullItem(3, v1)]), 3);
    assert.equal(outOfOrderSeq([fullItem(1, v1), fullItem(2, v1)]), null);
  });

  it('writes a package changed twice in one batch as it finally stands', () => {
    const v4 = machine({ software: [pkg('bash', '5.3'), pkg('htop', '3')] });
    const plan = planBatch(state(v2, 2), [deltaItem(3, v2, v3), deltaItem(4, v3, v4)]);
    assert.deepEqual(plan.software, { upsert: [pkg('bash', '5.3')], remove: ['dpkg\tvim\tamd64\tmachine\t'] });
    assert.deepEqual(planBatch(state(v1, 1), [fullItem(2, v1)]).software, { upsert: [], remove: [] });
  });

  it('skips inventory items past the batch budget with E_BATCH_TOO_LARGE and asks for a full snapshot', () => {
    const heavy = (seq: number) => {
      const item = deltaItem(seq, v1, v1);
      // Removals of packages the device does not have: no change, but entries the server must look up.
      if (item.kind === 'inventory.delta')
        item.body.delta = {
          software: {
            removed: Array.from({ length: (LIMITS.maxInventoryEntriesPerBatch * 3) / 4 }, (_, i) => `dpkg\tnone-${i}\t\tmachine\t`),
          },
        };
      return item;
    };
    const plan = planBatch(state(v1, 1), [heavy(2), heavy(3), createItem(4, 'ref-budget-1')]);
    assert.deepEqual(
      plan.problems.map((p) => [p.code, p.seq]),
      [['E_BATCH_TOO_LARGE', 3]],
    );
    assert.equal(plan.fullRequested, true);
    assert.equal(plan.lastSeq, 4);
    assert.deepEqual(
      plan.ticketItems.map((i) => i.seq),
      [4],
      'ticket items are not inventory and still pass',
    );
  });

  it('after an upgrade dropped the old digests, refuses deltas and rebuilds them from the next full snapshot', () => {
    const upgraded = { ...state(v1, 3), digest: null, needsFull: true, inventory: { ...state(v1, 3).inventory!, digests: null } };
    const plan = planBatch(upgraded, [deltaItem(4, v1, v2), fullItem(5, v2, 'resync'), deltaItem(6, v2, v3)]);
    assert.deepEqual(
      plan.problems.map((p) => [p.code, p.seq]),
      [['E_NO_BASELINE', 4]],
    );
    assert.equal(plan.snapshot?.digest, snapshotDigest(v3));
    assert.equal(plan.needsFull, false);
    // Only what really differs from the stored copy is recorded and written.
    assert.deepEqual(
      plan.changes.map((c) => c.seq),
      [5, 6],
    );
    assert.deepEqual(plan.software?.remove, ['dpkg\tvim\tamd64\tmachine\t']);
  });
});
