import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceMark } from '../store/store.js';
import { DeviceMarks } from './device-marks.js';

/** A store write the test lets finish when it chooses. */
function heldWrites() {
  const writes: DeviceMark[][] = [];
  const release: (() => void)[] = [];
  let fail: Error | null = null;
  const write = (marks: readonly DeviceMark[]) => {
    writes.push([...marks]);
    if (fail) return Promise.reject(fail);
    return new Promise<void>((resolve) => release.push(resolve));
  };
  return { writes, release, write, failNext: (err: Error | null) => (fail = err) };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('presence and last-seen marks written together', () => {
  it('writes the marks of one turn of the loop in one write, one mark a device: the latest flag, the latest time', async () => {
    const store = heldWrites();
    const marks = new DeviceMarks(store.write);
    const done = [
      marks.mark({ deviceId: 'a', online: true }),
      marks.mark({ deviceId: 'b', seenAt: 20 }),
      marks.mark({ deviceId: 'a', online: false, seenAt: 10 }),
      marks.mark({ deviceId: 'b', seenAt: 15 }),
    ];
    await tick();
    await tick();
    assert.deepEqual(store.writes, [
      [
        { deviceId: 'a', online: false, seenAt: 10 },
        { deviceId: 'b', seenAt: 20 },
      ],
    ]);
    let settled = false;
    void Promise.all(done).then(() => (settled = true));
    await tick();
    assert.equal(settled, false, 'a mark is not settled before its write commits');
    store.release.shift()!();
    await Promise.all(done);
  });

  it('marks made while a write is in flight wait for it and leave together in the next one', async () => {
    const store = heldWrites();
    const marks = new DeviceMarks(store.write);
    const first = marks.mark({ deviceId: 'a', online: true });
    await tick();
    await tick();
    const later = [marks.mark({ deviceId: 'b', online: true }), marks.mark({ deviceId: 'c', online: true })];
    await tick();
    await tick();
    assert.equal(store.writes.length, 1, 'no second write while the first is in flight');
    store.release.shift()!();
    await first;
    await tick();
    await tick();
    assert.deepEqual(
      store.writes[1]?.map((m) => m.deviceId),
      ['b', 'c'],
    );
    store.release.shift()!();
    await Promise.all(later);
  });

  it('a failed write fails its own marks only, and settled() waits for every mark made so far', async () => {
    const store = heldWrites();
    const marks = new DeviceMarks(store.write);
    store.failNext(new Error('disk full'));
    await assert.rejects(marks.mark({ deviceId: 'a', seenAt: 1 }), /disk full/);
    store.failNext(null);
    const next = marks.mark({ deviceId: 'b', seenAt: 2 });
    let settled = false;
    const all = marks.settled().then(() => (settled = true));
    await tick();
    await tick();
    assert.equal(settled, false);
    store.release.shift()!();
    await next;
    await all;
    assert.deepEqual(store.writes.at(-1), [{ deviceId: 'b', seenAt: 2 }]);
  });
});
