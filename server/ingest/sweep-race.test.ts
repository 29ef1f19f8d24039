// A delta applied after a swap but before the sweeper compared what the swap replaced: each change
// is recorded once. The sweeper works out the swap's changes from the live generation's rows, which
// the delta has rewritten by then; the batch settles the swap's changes of what it rewrites first.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import type { Snapshot, Software } from '../../shared/inventory.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import { snapshotDigest } from '../../shared/digest.js';
import { snapshotParts } from '../../shared/inventory-parts.js';
import { LIMITS, type Item } from '../../shared/protocol.js';
import { deltaItem, fullItem, machine, pkg } from '../../test/support/server/fixtures.js';
import { describeStores, enrolInStore, freshStore, type StoreUnderTest } from '../../test/support/stores.js';
import type { Store } from '../store/store.js';
import { planBatch } from './plan-batch.js';

const AT = '2025-01-02T03:04:05.000Z';
const BUDGET = LIMITS.maxInventoryEntriesPerBatch;

/** A machine past the budget (it travels in parts). */
const paged = (software: Software[], printers: { name: string }[]): Snapshot =>
  normaliseSnapshot({
    ...machine({ software: [...software, ...Array.from({ length: 2 * BUDGET }, (_, i) => pkg(`pkg-${i}`, '1'))] }),
    printers,
  });

function parts(snapshot: Snapshot, first: number): Item[] {
  return snapshotParts(snapshot, snapshotDigest(snapshot), 'startup', first).map((body, i) => ({
    seq: first + i,
    at: AT,
    kind: 'inventory.part',
    body,
  }));
}

describeStores('a delta between a swap and the sweeper is recorded once', (engine) => {
  let under: StoreUnderTest;
  let store: Store;
  let deviceId: string;
  let clock = 1_000_000;

  const apply = async (items: Item[]) => {
    for (const item of items) {
      const applied = await store.applyBatch(deviceId, clock++, (state) => planBatch(state, [item]));
      assert.deepEqual(applied?.plan.problems, []);
    }
  };
  const sweep = async () => {
    while ((await store.sweepSoftware(BUDGET, clock++)) > 0);
  };
  /** The history after the first snapshot: [seq, added, removed] of one section's records, by name. */
  const history = async (section: string) =>
    (await store.listChanges(deviceId, { limit: 500 }))!
      .filter((c) => c.section === section && c.seq > 1)
      .map((c) => [c.seq, (c.added as { name: string }[]).map((a) => a.name), (c.removed as { name: string }[]).map((r) => r.name)])
      .sort((a, b) => Number(a[0]) - Number(b[0]));

  beforeEach(async () => {
    under = await freshStore(engine);
    store = under.store;
    deviceId = await enrolInStore(store, 'sweep-race', clock++, 'pc-1');
    const first = machine({ software: [pkg('bash', '5.2'), pkg('curl', '7.88'), pkg('wget', '1.21')] });
    await apply([fullItem(1, { ...first, printers: [{ name: 'lp-old' }] })]);
  });
  afterEach(async () => {
    await store.close();
    await under.dispose();
  });

  it('records a section changed by the swap and again by a delta before the sweeper compared it, each change once', async () => {
    const swapped = paged([pkg('bash', '5.2'), pkg('curl', '7.88'), pkg('wget', '1.21')], [{ name: 'lp-new' }]);
    const items = parts(swapped, 2);
    await apply(items);
    const seq = items.at(-1)!.seq + 1;
    const after = normaliseSnapshot({ ...swapped, printers: [{ name: 'lp-new' }, { name: 'lp-3' }] });
    await apply([deltaItem(seq, swapped, after, 'refresh')]);
    await sweep();
    assert.deepEqual(await history('printers'), [
      [items.at(-1)!.seq, ['lp-new'], ['lp-old']],
      [seq, ['lp-3'], []],
    ]);
    assert.deepEqual(normaliseSnapshot((await store.getDevice(deviceId))!.snapshot!).printers, after.printers);
  });

  it('records software the swap kept and a delta removed once, and software the swap removed and a delta put back both ways', async () => {
    // The swap removes wget; the delta then removes curl (which the swap kept) and puts wget back.
    const swapped = paged([pkg('bash', '5.2'), pkg('curl', '7.88')], [{ name: 'lp-old' }]);
    const items = parts(swapped, 2);
    await apply(items);
    const seq = items.at(-1)!.seq + 1;
    const after = normaliseSnapshot({
      ...swapped,
      software: [...swapped.software.filter((s) => s.name !== 'curl'), pkg('wget', '1.21')],
    });
    await apply([deltaItem(seq, swapped, after)]);
    await sweep();
    const named = (await history('software')).map(([s, added, removed]) => [
      s,
      (added as string[]).filter((n) => !n.startsWith('pkg-')),
      removed,
    ]);
    const last = items.at(-1)!.seq;
    assert.deepEqual(
      named.filter(([, added, removed]) => (added as string[]).length || (removed as string[]).length),
      [
        [last, [], ['wget']],
        [seq, ['wget'], ['curl']],
      ],
    );
  });
});
