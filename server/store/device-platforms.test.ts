import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { testFleet, type TestFleet } from '../../test/support/server/fleet.js';
import { describeStores } from '../../test/support/stores.js';

describeStores("devices' platforms in one read", (engine) => {
  let fleet: TestFleet;
  before(async () => {
    fleet = await testFleet(engine);
  });
  after(async () => fleet.close());

  it('names each known device by the platform its inventory reported, and leaves out unknown ids', async () => {
    const pc = await fleet.add({ hostname: 'pc', platform: 'linux' });
    const mac = await fleet.add({ hostname: 'mac', platform: 'darwin' });
    const platforms = await fleet.store.devicePlatforms([pc, mac, 'no-such-device']);
    assert.deepEqual(Object.fromEntries(platforms), { [pc]: 'linux', [mac]: 'darwin' });
    assert.equal((await fleet.store.devicePlatforms([])).size, 0);
  });
});
