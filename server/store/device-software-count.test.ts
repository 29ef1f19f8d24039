// The software count the devices list and a device's page show is read from the snapshot row (kept
// with the live generation by every batch), not counted through the software rows on each read:
// it must still say how many packages the device has after every kind of change.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { snapshotDigest } from '../../shared/digest.js';
import { snapshotParts } from '../../shared/inventory-parts.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import type { Snapshot } from '../../shared/inventory.js';
import type { Item } from '../../shared/protocol.js';
import { deltaItem, fullItem, machine, pkg } from '../../test/support/server/fixtures.js';
import { describeStores, enrolInStore, freshStore, type StoreUnderTest } from '../../test/support/stores.js';
import { planBatch } from '../ingest/plan-batch.js';
import type { Store } from './store.js';

const AT = '2025-01-02T03:04:05.000Z';

describeStores('software count on the devices list and a device', (engine) => {
  let under: StoreUnderTest;
  let store: Store;
  let deviceId: string;
  let clock = 1_000_000;

  const apply = async (items: Item[]) => {
    const applied = await store.applyBatch(deviceId, clock++, (state) => planBatch(state, items));
    assert.deepEqual(applied?.plan.problems, []);
  };
  /** What the list and the device say, beside how many packages the device's software list holds. */
  const counts = async () => {
    const listed = (await store.listDevices({ limit: 10, offset: 0 })).items.find((d) => d.id === deviceId)!;
    const device = (await store.getDevice(deviceId))!;
    return { listed: listed.softwareCount, device: device.softwareCount, rows: (await store.listSoftware(deviceId))!.length };
  };
  const same = (n: number) => ({ listed: n, device: n, rows: n });

  beforeEach(async () => {
    under = await freshStore(engine);
    store = under.store;
    deviceId = await enrolInStore(store, 'count', clock++);
  });
  afterEach(async () => {
    await store.close();
    await under.dispose();
  });

  it('is 0 before the first inventory, then follows snapshots, deltas and a snapshot in parts', async () => {
    assert.deepEqual(await counts(), same(0));

    const v1 = machine({ software: [pkg('bash', '5.1'), pkg('curl', '8.0'), pkg('git', '2.4')] });
    await apply([fullItem(1, v1)]);
    assert.deepEqual(await counts(), same(3));

    const v2 = { ...v1, software: [pkg('bash', '5.2'), pkg('git', '2.4'), pkg('vim', '9.0'), pkg('zsh', '5.9')] };
    await apply([deltaItem(2, v1, v2)]);
    assert.deepEqual(await counts(), same(4), 'one removed, two added, one upgraded');

    // 25 packages in parts of 10 entries: the staged parts do not count until the swap.
    const v3: Snapshot = normaliseSnapshot(machine({ software: Array.from({ length: 25 }, (_, i) => pkg(`p-${i}`, '1')) }));
    const parts: Item[] = snapshotParts(v3, snapshotDigest(v3), 'startup', 3, 10).map((body, i) => ({
      seq: 3 + i,
      at: AT,
      kind: 'inventory.part',
      body,
    }));
    assert.ok(parts.length >= 3);
    for (const part of parts.slice(0, -1)) {
      await apply([part]);
      assert.deepEqual(await counts(), same(4), 'a staged part changes nothing yet');
    }
    await apply(parts.slice(-1));
    assert.deepEqual(await counts(), same(25));
    while ((await store.sweepSoftware(1000, clock)) > 0);
    assert.deepEqual(await counts(), same(25), 'retiring the old generation leaves the count');

    const v4 = { ...v3, software: v3.software.slice(5) };
    await apply([deltaItem(3 + parts.length, v3, v4)]);
    assert.deepEqual(await counts(), same(20));
  });
});
