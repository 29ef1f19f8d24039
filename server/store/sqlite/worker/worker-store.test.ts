import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HOLDING, RELEASE, heldFullSnapshot } from '../../../../test/support/store-jobs.js';
import { machine, pkg } from '../../../../test/support/server/fixtures.js';
import { hashSecret } from '../../secrets.js';
import type { Store } from '../../store.js';
import type { StoreWorkerClient } from './worker-client.js';
import { openWorkerStore } from './worker-store.js';

type WorkerStore = Store & { readonly worker: StoreWorkerClient };

/** Resolves once the held job's plan runs, inside its transaction in the worker. */
async function holding(flags: Int32Array): Promise<void> {
  // Atomics.waitAsync (Node 16+) is not in the compiler's lib yet.
  const atomics = Atomics as unknown as { waitAsync: (a: Int32Array, i: number, v: number) => { value: Promise<string> | string } };
  while (Atomics.load(flags, HOLDING) === 0) await atomics.waitAsync(flags, HOLDING, 0).value;
}

function release(flags: Int32Array): void {
  Atomics.store(flags, RELEASE, 1);
  Atomics.notify(flags, RELEASE);
}

describe('SQLite store worker', () => {
  let dir: string;
  let store: WorkerStore;
  let clock = 1_700_000_000_000;
  const token = 'worker-token';

  const enrol = async (installId: string, hostname: string) => {
    const result = await store.enrol({
      tokenHash: hashSecret(token),
      hints: { installId, hostname, serial: `SN-${installId}`, macs: [] },
      agentVersion: 't',
      secretHash: hashSecret(`secret-${installId}`),
      at: clock++,
    });
    assert.ok(result.ok);
    return result.deviceId;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-store-worker-'));
    store = await openWorkerStore(dir);
    await store.addEnrolmentToken({ id: 't1', label: null, hash: hashSecret(token), createdAt: clock, expiresAt: null, usesLeft: null });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the device list and a device while a batch holds its transaction open in the worker', async () => {
    const id = await enrol('inst-held', 'held-pc');
    const flags = new Int32Array(new SharedArrayBuffer(8));
    let finished = false;
    const job = store.runJob(heldFullSnapshot, id, machine({ hostname: 'held-pc' }), flags.buffer).finally(() => {
      finished = true;
    });
    await holding(flags);
    // The main thread reads on its own connection: the writer's open transaction neither blocks nor shows.
    const page = await store.listDevices({ limit: 10, offset: 0 });
    assert.deepEqual(
      page.items.map((d) => [d.hostname, d.softwareCount]),
      [['held-pc', 0]],
    );
    assert.equal((await store.getDevice(id))?.snapshot, null);
    assert.equal(finished, false, 'the batch is still held while the reads were answered');
    release(flags);
    assert.equal(await job, 1);
    const device = await store.getDevice(id);
    assert.equal(device?.snapshot?.os.hostname, 'held-pc');
    assert.ok((device?.softwareCount ?? 0) > 0);
  });

  it("answers a hello's reads (lists, pending deployments, platforms) while the worker holds a batch, and marks devices in one write", async () => {
    const id = await enrol('inst-hello', 'hello-pc');
    const flags = new Int32Array(new SharedArrayBuffer(8));
    let finished = false;
    const job = store.runJob(heldFullSnapshot, id, machine({ hostname: 'hello-pc' }), flags.buffer).finally(() => {
      finished = true;
    });
    await holding(flags);
    // What a reconnecting agent is sent reads on the main thread's connection: none of it waits for the batch.
    assert.ok(Array.isArray(await store.templates.list()));
    assert.deepEqual(await store.deploy.listPackages(), []);
    assert.deepEqual(await store.deploy.pendingTargets(id), []);
    assert.equal((await store.devicePlatforms([id])).size, 0, 'no inventory committed yet');
    assert.equal(finished, false, 'the batch is still held while the reads were answered');
    release(flags);
    await job;
    assert.equal((await store.devicePlatforms([id])).get(id), machine({ hostname: 'hello-pc' }).os.platform);
    const seenBefore = (await store.getDevice(id))!.lastSeen;
    const later = seenBefore + 5_000;
    await store.markDevices([
      { deviceId: id, online: true, seenAt: later },
      { deviceId: 'gone', online: true },
    ]);
    const marked = await store.getDevice(id);
    assert.equal(marked?.online, true);
    assert.equal(marked?.lastSeen, later);
    await store.markDevices([{ deviceId: id, seenAt: 1 }]);
    assert.equal((await store.getDevice(id))?.lastSeen, marked?.lastSeen, 'last seen never moves back');
  });

  it('answers the fleet software before the batches waiting in the worker, with what has committed', { timeout: 60_000 }, async () => {
    const first = await enrol('inst-first', 'first-pc');
    const queued = await enrol('inst-queued', 'queued-pc');
    const held = new Int32Array(new SharedArrayBuffer(8));
    const waiting = new Int32Array(new SharedArrayBuffer(8));
    const running = store.runJob(
      heldFullSnapshot,
      first,
      machine({ hostname: 'first-pc', software: [pkg('first-app', '1')] }),
      held.buffer,
    );
    await holding(held);
    // Posted while the first batch runs: a batch, then the API's read of the fleet software.
    const behind = store.runJob(
      heldFullSnapshot,
      queued,
      machine({ hostname: 'queued-pc', software: [pkg('queued-app', '1')] }),
      waiting.buffer,
    );
    // The counts are kept on write (migration 20): the read goes to the main thread's reader at once,
    // while both batches are held, and shows neither (nothing of them has committed).
    const during = (await store.listFleetSoftware({ limit: 50, offset: 0 })).items.map((s) => s.name);
    assert.ok(!during.includes('first-app') && !during.includes('queued-app'), during.join(' '));
    release(held);
    assert.equal(await running, 1);
    const names = (await store.listFleetSoftware({ limit: 50, offset: 0 })).items.map((s) => s.name);
    assert.ok(names.includes('first-app'), 'the batch that committed is counted');
    assert.ok(!names.includes('queued-app'), 'the batch still held is not');
    release(waiting);
    assert.equal(await behind, 1);
  });

  it('fails the batch a crashed worker held, starts a new one, and leaves nothing of the batch behind', async () => {
    const id = await enrol('inst-crash', 'crash-pc');
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const job = store.runJob(heldFullSnapshot, id, machine({ hostname: 'crash-pc' }), flags.buffer);
    await holding(flags);
    const restartsBefore = store.worker.restarts;
    await store.worker.crashForTest();
    await assert.rejects(job, /store worker exited/);
    // The next write starts a new worker; the crashed transaction was never committed.
    await store.setOnline(id, true);
    assert.equal(store.worker.restarts, restartsBefore + 1);
    const device = await store.getDevice(id);
    assert.equal(device?.snapshot, null);
    assert.equal(device?.online, true);
    assert.deepEqual(
      await store.recordHello(id, { hints: { installId: 'inst-crash', hostname: 'crash-pc', macs: [] }, agentVersion: 't', at: clock++ }),
      {
        lastSeq: 0,
        needsFull: true,
      },
    );
    // The agent sends the batch again (it was never acked): it applies in full.
    const again = new Int32Array(new SharedArrayBuffer(8));
    release(again);
    assert.equal(await store.runJob(heldFullSnapshot, id, machine({ hostname: 'crash-pc' }), again.buffer), 1);
    assert.equal((await store.getDevice(id))?.snapshot?.os.hostname, 'crash-pc');
  });

  it('calls back the main thread for the functions a write takes (a merge refused while the device is live)', async () => {
    const a = await enrol('inst-m1', 'merge-pc');
    const b = await enrol('inst-m2', 'merge-pc');
    const asked: string[] = [];
    const isLive = (deviceId: string) => (asked.push(deviceId), true);
    assert.deepEqual(await store.mergeDevice(b, a, clock++, isLive), { ok: false, reason: 'into-online' });
    assert.deepEqual(asked, [a]);
    assert.deepEqual(await store.mergeDevice(b, a, clock++, () => false), { ok: true });
    assert.equal(await store.getDevice(b), null);
  });

  it('tells the main thread when a write enqueued desk jobs, and refuses closures it cannot run', async () => {
    const heard: number[] = [];
    store.desk.onEnqueued(() => heard.push(1));
    await store.desk.enqueue({ kind: 'asset', key: 'asset:x', payload: { deviceId: 'x' } }, clock++);
    assert.equal((await store.desk.jobCounts()).queued, 1);
    assert.deepEqual(heard, [1]);
    assert.throws(() => store.applyBatch('x', clock, () => ({ lastSeq: 0, needsFull: false, changes: [] })), /store jobs/);
  });
});
