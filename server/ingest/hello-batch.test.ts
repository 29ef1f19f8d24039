import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceHello, DeviceRuntime, HelloOutcome, HelloRecord } from '../store/store.js';
import { HelloBatcher } from './hello-batch.js';

const hello: HelloRecord = { hints: { installId: 'inst', hostname: 'pc', macs: [] }, agentVersion: 't', at: 1 };
const runtime = (lastSeq: number): DeviceRuntime => ({ lastSeq, needsFull: false });

/** A store that records hellos in batches, and a loop whose turns the test runs. */
function setup(answer: (hellos: readonly DeviceHello[]) => Promise<HelloOutcome[]>) {
  const calls: string[][] = [];
  const turns: (() => void)[] = [];
  const store = {
    recordHello: async (): Promise<DeviceRuntime | null> => {
      throw new Error('not one by one');
    },
    recordHellos: (hellos: readonly DeviceHello[]) => {
      calls.push(hellos.map((h) => h.deviceId));
      return answer(hellos);
    },
  };
  const batcher = new HelloBatcher(store, (callback) => turns.push(callback));
  const nextTurn = () => {
    for (const callback of turns.splice(0)) callback();
  };
  return { batcher, calls, nextTurn };
}

describe('HelloBatcher', () => {
  it("records a turn's hellos in one store call in the next turn, each answered with its own outcome", async () => {
    const { batcher, calls, nextTurn } = setup(async (hellos) =>
      hellos.map((h): HelloOutcome => (h.deviceId === 'bad' ? { error: 'no' } : { runtime: h.deviceId === 'gone' ? null : runtime(7) })),
    );
    const answers = ['a', 'gone', 'bad', 'b'].map((id) =>
      batcher.record(id, hello).then(
        (r) => r,
        (err: Error) => `rejected: ${err.message}`,
      ),
    );
    assert.deepEqual(calls, [], 'nothing before the next turn');
    nextTurn();
    assert.deepEqual(await Promise.all(answers), [runtime(7), null, 'rejected: no', runtime(7)]);
    assert.deepEqual(calls, [['a', 'gone', 'bad', 'b']]);
    const later = batcher.record('c', hello);
    nextTurn();
    assert.deepEqual(await later, runtime(7));
    assert.deepEqual(calls, [['a', 'gone', 'bad', 'b'], ['c']], 'a later turn: a call of its own');
  });

  it("fails every hello of the call when the store's call fails", async () => {
    const { batcher, nextTurn } = setup(async () => {
      throw new Error('store closed');
    });
    const answers = ['a', 'b'].map((id) => batcher.record(id, hello).catch((err: Error) => err.message));
    nextTurn();
    assert.deepEqual(await Promise.all(answers), ['store closed', 'store closed']);
  });

  it('records each hello on its own with a store that cannot batch them (PostgreSQL)', async () => {
    const seen: string[] = [];
    const batcher = new HelloBatcher({ recordHello: async (deviceId) => (seen.push(deviceId), runtime(3)) }, () =>
      assert.fail('no turn needed'),
    );
    assert.deepEqual(await batcher.record('a', hello), runtime(3));
    assert.deepEqual(seen, ['a']);
  });
});
