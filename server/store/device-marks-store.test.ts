import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeStores, freshStore, type StoreUnderTest } from '../../test/support/stores.js';

describeStores('presence and last-seen of many devices in one write', (engine) => {
  let t: StoreUnderTest;
  before(async () => {
    t = await freshStore(engine);
    await t.addDevice('a');
    await t.addDevice('b');
  });
  after(() => t.dispose());

  const rows = async () =>
    (await t.sql<{ id: string; online: unknown; last_seen: unknown }>('SELECT id, online, last_seen FROM devices ORDER BY id')).map(
      (r) => ({
        id: r.id,
        online: Boolean(r.online),
        lastSeen: Number(r.last_seen),
      }),
    );

  it('sets each device its flag and last-seen time, leaves out what a mark does not name, and skips devices that are gone', async () => {
    await t.store.markDevices([
      { deviceId: 'a', online: true, seenAt: 5_000 },
      { deviceId: 'b', seenAt: 7_000 },
      { deviceId: 'gone', online: true, seenAt: 9_000 },
    ]);
    assert.deepEqual(await rows(), [
      { id: 'a', online: true, lastSeen: 5_000 },
      { id: 'b', online: false, lastSeen: 7_000 },
    ]);
    await t.store.markDevices([
      { deviceId: 'a', online: false },
      { deviceId: 'b', online: true, seenAt: 1_000 },
    ]);
    assert.deepEqual(
      await rows(),
      [
        { id: 'a', online: false, lastSeen: 5_000 },
        { id: 'b', online: true, lastSeen: 7_000 },
      ],
      'last seen never moves back',
    );
  });
});
