// Store jobs for the store worker's tests (server/store/sqlite/worker/): a batch that holds its
// transaction open until the test lets it go, so a test can look at the main thread meanwhile.
import { planBatch } from '../../server/ingest/plan-batch.js';
import { storeJob } from '../../server/store/store-job.js';
import type { Snapshot } from '../../shared/inventory.js';
import { fullItem } from './server/fixtures.js';

/** Slot 0 of the flags: set to 1 once the plan runs (inside the transaction); slot 1: the test sets it to 1 to let it go. */
export const HOLDING = 0;
export const RELEASE = 1;

/** Applies `snapshot` as the device's full snapshot (seq 1), waiting inside its transaction until released. */
export const heldFullSnapshot = storeJob(
  import.meta.url,
  'heldFullSnapshot',
  async (store, deviceId: string, snapshot: Snapshot, flags: SharedArrayBuffer): Promise<number | null> => {
    const f = new Int32Array(flags);
    const applied = await store.applyBatch(deviceId, Date.now(), (state) => {
      Atomics.store(f, HOLDING, 1);
      Atomics.notify(f, HOLDING);
      while (Atomics.load(f, RELEASE) === 0) Atomics.wait(f, RELEASE, 0, 1000);
      return planBatch(state, [fullItem(1, snapshot)]);
    });
    return applied?.plan.lastSeq ?? null;
  },
);
