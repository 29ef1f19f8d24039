// The sweeper's steps raise the desk events of what they record: a paged snapshot's other sections
// (and its software) reach the history in those steps, not in the swap's batch, and the desk's
// rules must see them there, once.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import type { Snapshot } from '../../shared/inventory.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import { snapshotDigest } from '../../shared/digest.js';
import { snapshotParts } from '../../shared/inventory-parts.js';
import { LIMITS, type Item } from '../../shared/protocol.js';
import { fullItem, machine, pkg } from '../../test/support/server/fixtures.js';
import { describeStores, enrolInStore, freshStore, type StoreUnderTest } from '../../test/support/stores.js';
import { AssetEventRulesSchema } from '../desk/rules/asset-events.js';
import type { Store } from '../store/store.js';
import type { BatchInput } from './batch-job.js';
import { planBatch } from './plan-batch.js';
import { sweepStep } from './sweep-job.js';

const AT = '2025-01-02T03:04:05.000Z';
const BUDGET = LIMITS.maxInventoryEntriesPerBatch;
const desk: BatchInput['desk'] = {
  enabled: true,
  rules: AssetEventRulesSchema.parse({ newHardware: true, prohibitedSoftware: true, prohibited: ['bittorrent'] }),
};

const disk = (serial: string) => ({ device: `/dev/${serial}`, vendor: 'Samsung', model: 'SSD 980', serial, sizeBytes: 1e12 });

/** A machine past the budget (it travels in parts) with the given disks and software. */
function paged(disks: ReturnType<typeof disk>[], extra = [pkg('bash', '5.2')]): Snapshot {
  const base = machine({ software: [...extra, ...Array.from({ length: 2 * BUDGET }, (_, i) => pkg(`pkg-${i}`, '1'))] });
  return { ...base, hardware: { ...base.hardware, disks } };
}

function parts(snapshot: Snapshot, first: number): Item[] {
  const s = normaliseSnapshot(snapshot);
  return snapshotParts(s, snapshotDigest(s), 'startup', first).map((body, i) => ({ seq: first + i, at: AT, kind: 'inventory.part', body }));
}

describeStores('the sweeper raises the desk events of the changes it records', (engine) => {
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
  const sweep = async (rules: BatchInput['desk'] = desk) => {
    while ((await store.runJob(sweepStep, BUDGET, clock++, rules)) > 0);
  };
  const events = async () =>
    (await under.sql<{ key: string; payload: string }>("SELECT key, payload FROM desk_jobs WHERE kind = 'event' ORDER BY id")).map((j) => ({
      key: j.key,
      ...(JSON.parse(j.payload) as { eventKind: string; subject: string }),
    }));

  beforeEach(async () => {
    under = await freshStore(engine);
    store = under.store;
    deviceId = await enrolInStore(store, 'sweep-desk', clock++, 'pc-1');
    const first = machine();
    await apply([fullItem(1, { ...first, hardware: { ...first.hardware, disks: [disk('S1')] } })]);
  });
  afterEach(async () => {
    await store.close();
    await under.dispose();
  });

  it('raises new hardware that arrived by a paged snapshot, once, when the sweeper records it', async () => {
    await apply(parts(paged([disk('S1'), disk('S2')]), 2));
    // The swap's batch records no hardware change: the sweeper does.
    assert.deepEqual(await events(), []);
    await sweep();
    const raised = await events();
    assert.deepEqual(
      raised.map((e) => e.eventKind),
      ['new-hardware'],
    );
    assert.match(raised[0]!.subject, /Disk Samsung SSD 980/);
    const history = (await store.listChanges(deviceId, { limit: 500 }))!.filter((c) => c.section === 'hardware' && c.seq > 1);
    assert.equal(history.length, 1, 'the change is recorded once');
    // The same snapshot again (a resync) changes no hardware: nothing more is raised.
    const again = parts(paged([disk('S1'), disk('S2')]), 100);
    await apply(again);
    await sweep();
    assert.equal((await events()).length, 1);
  });

  it("raises prohibited software a paged snapshot brought, and nothing while the desk's rules are off", async () => {
    await apply(parts(paged([disk('S1')]), 2));
    await sweep(null);
    assert.deepEqual(await events(), [], 'no desk: no events');
    await apply(parts(paged([disk('S1')], [pkg('bash', '5.2'), pkg('bittorrent', '7.10')]), 100));
    await sweep();
    assert.deepEqual(
      (await events()).map((e) => e.eventKind),
      ['prohibited-software'],
    );
  });
});
