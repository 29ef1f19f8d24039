import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchSlots } from './batch-slots.js';

describe('batch slots', () => {
  it('holds the batches beyond its size until one ends, first come first served', async () => {
    const slots = new BatchSlots(2);
    const a = await slots.take();
    await slots.take();
    const order: string[] = [];
    const c = slots.take().then((give) => (order.push('c'), give));
    const d = slots.take().then((give) => (order.push('d'), give));
    await Promise.resolve();
    assert.deepEqual(order, []);
    assert.equal(slots.queued, 2);
    a();
    a(); // giving back twice frees one slot only
    (await c)();
    await d;
    assert.deepEqual(order, ['c', 'd']);
    assert.equal(slots.queued, 0);
  });
});
