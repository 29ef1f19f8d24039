import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeStores } from '../../../test/support/stores.js';
import { pkg } from '../../../test/support/server/fixtures.js';
import type { DeviceQuery } from '../store.js';
import { testFleet, type TestFleet } from '../../../test/support/server/fleet.js';

describeStores('devices list query', (engine) => {
  let fleet: TestFleet;
  const ids: Record<string, string> = {};
  const page = async (query: Partial<DeviceQuery>) => {
    const result = await fleet.store.listDevices({ limit: 50, offset: 0, ...query });
    return { total: result.total, names: result.items.map((d) => d.hostname) };
  };

  before(async () => {
    fleet = await testFleet(engine);
    ids.alpha = await fleet.add({
      hostname: 'alpha-lt',
      serial: 'SN-A100',
      ip: '10.1.0.7',
      users: ['alice', 'alice', 'bob'],
      at: 3000,
      software: [pkg('a', '1'), pkg('b', '1'), pkg('c', '1')],
    });
    ids.beta = await fleet.add({
      hostname: 'Beta-WS',
      serial: 'SN-B200',
      ip: '192.168.5.20',
      users: ['carol'],
      platform: 'win32',
      at: 1000,
    });
    ids.gamma = await fleet.add({ hostname: 'gamma_100%', ip: '10.1.0.100', platform: 'darwin', at: 2000 });
    ids.delta = await fleet.add({ hostname: 'delta', serial: 'XYZ', ip: '172.16.0.1', users: ['dave'], platform: 'freebsd', at: 4000 });
    await fleet.store.setOnline(ids.beta, true);
    await fleet.store.setOnline(ids.delta, true);
  });
  after(() => fleet.close());

  it('shows the display columns, logged-on users once each, the software count and presence', async () => {
    const { items } = await fleet.store.listDevices({ q: 'alpha', limit: 10, offset: 0 });
    assert.equal(items.length, 1);
    assert.deepEqual(
      {
        users: items[0]!.users,
        softwareCount: items[0]!.softwareCount,
        online: items[0]!.online,
        ip: items[0]!.ip,
        serial: items[0]!.serial,
      },
      { users: ['alice', 'bob'], softwareCount: 3, online: false, ip: '10.1.0.7', serial: 'SN-A100' },
    );
    const all = await fleet.store.listDevices({ limit: 500, offset: 0 });
    assert.deepEqual(
      all.items.map((d) => d.hostname),
      ['alpha-lt', 'Beta-WS', 'delta', 'gamma_100%'],
      'with no filter or sort: all, by name',
    );
  });

  it('searches hostname, serial, user and IP anywhere, case-insensitively, wildcards taken literally', async () => {
    assert.deepEqual(await page({ q: 'BETA' }), { total: 1, names: ['Beta-WS'] });
    assert.deepEqual(await page({ q: 'b200' }), { total: 1, names: ['Beta-WS'] });
    assert.deepEqual((await page({ q: 'bob' })).names, ['alpha-lt']);
    assert.deepEqual((await page({ q: '10.1.0.' })).names, ['alpha-lt', 'gamma_100%']);
    assert.deepEqual((await page({ q: '_100%' })).names, ['gamma_100%']);
    assert.deepEqual((await page({ q: '%' })).names, ['gamma_100%']);
    assert.deepEqual(await page({ q: 'nobody-has-this' }), { total: 0, names: [] });
  });

  it('filters by platform, presence and last seen', async () => {
    assert.deepEqual((await page({ platform: 'windows' })).names, ['Beta-WS']);
    assert.deepEqual((await page({ platform: 'darwin' })).names, ['gamma_100%']);
    assert.deepEqual((await page({ platform: 'other' })).names, ['delta']);
    assert.deepEqual((await page({ online: true })).names, ['Beta-WS', 'delta']);
    assert.deepEqual((await page({ online: false, platform: 'linux' })).names, ['alpha-lt']);
    assert.deepEqual((await page({ seenAfter: 2000, seenBefore: 4000 })).names, ['alpha-lt', 'gamma_100%']);
    await fleet.store.clearOnline();
    assert.deepEqual(await page({ online: true }), { total: 0, names: [] });
  });

  it('sorts by each column either way, devices without the value last, and pages with a total', async () => {
    assert.deepEqual((await page({ sort: 'lastSeen' })).names, ['delta', 'alpha-lt', 'gamma_100%', 'Beta-WS'], 'newest first by default');
    assert.deepEqual((await page({ sort: 'lastSeen', order: 'asc' })).names, ['Beta-WS', 'gamma_100%', 'alpha-lt', 'delta']);
    assert.deepEqual((await page({ sort: 'serial' })).names, ['alpha-lt', 'Beta-WS', 'delta', 'gamma_100%']);
    assert.deepEqual((await page({ sort: 'serial', order: 'desc' })).names, ['delta', 'Beta-WS', 'alpha-lt', 'gamma_100%']);
    assert.deepEqual((await page({ sort: 'user' })).names, ['alpha-lt', 'Beta-WS', 'delta', 'gamma_100%']);
    assert.deepEqual((await page({ sort: 'os' })).names.slice(0, 1), ['gamma_100%'], 'darwin before linux');
    assert.deepEqual((await page({ sort: 'ip' })).names, ['alpha-lt', 'gamma_100%', 'delta', 'Beta-WS']);
    assert.deepEqual(await page({ sort: 'hostname', order: 'desc', limit: 2, offset: 1 }), { total: 4, names: ['delta', 'Beta-WS'] });
    assert.deepEqual(await page({ offset: 10 }), { total: 4, names: [] });
  });
});
