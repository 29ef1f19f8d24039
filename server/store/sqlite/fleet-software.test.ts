import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeStores } from '../../../test/support/stores.js';
import { planBatch } from '../../ingest/plan-batch.js';
import { prohibitedTest } from '../../desk/rules/patterns.js';
import { deltaItem, pkg } from '../../../test/support/server/fixtures.js';
import { testFleet, type TestFleet } from '../../../test/support/server/fleet.js';

describeStores('software across the fleet', (engine) => {
  let fleet: TestFleet;
  const ids: Record<string, string> = {};
  const names = async (query: { q?: string; patterns?: string[]; prohibitedOnly?: boolean; limit?: number; offset?: number } = {}) => {
    const { patterns, ...rest } = query;
    const prohibited = patterns ? { prohibited: prohibitedTest(patterns) } : {};
    const page = await fleet.store.listFleetSoftware({ limit: 50, offset: 0, ...prohibited, ...rest });
    return { total: page.total, items: page.items.map((s) => `${s.name}:${s.devices}/${s.versions}${s.prohibited ? '!' : ''}`) };
  };

  before(async () => {
    fleet = await testFleet(engine);
    ids.a = await fleet.add({
      hostname: 'a',
      software: [pkg('firefox', '128'), pkg('Steam', '1.0', { publisher: 'Valve' }), pkg('bash', '5.2')],
    });
    ids.b = await fleet.add({
      hostname: 'b',
      software: [pkg('Firefox', '129'), pkg('firefox', '128', { source: 'snap', arch: 'x64' }), pkg('bash', '5.2')],
    });
    ids.c = await fleet.add({ hostname: 'c', software: [pkg('bash', '5.1'), pkg('steam-runtime', '2', { publisher: 'Valve' })] });
  });
  after(() => fleet.close());

  it('groups by name case-insensitively with device and distinct version counts', async () => {
    assert.deepEqual(await names(), { total: 4, items: ['bash:3/2', 'firefox:2/2', 'Steam:1/1', 'steam-runtime:1/1'] });
    const steam = (await fleet.store.listFleetSoftware({ q: 'valve', limit: 10, offset: 0 })).items;
    assert.deepEqual(
      steam.map((s) => [s.name, s.publisher]),
      [
        ['Steam', 'Valve'],
        ['steam-runtime', 'Valve'],
      ],
    );
    assert.deepEqual(await names({ q: 'FIRE' }), { total: 1, items: ['firefox:2/2'] });
    assert.deepEqual(await names({ limit: 2, offset: 1 }), { total: 4, items: ['firefox:2/2', 'Steam:1/1'] });
  });

  it('flags and filters prohibited names with * and ? patterns', async () => {
    assert.deepEqual(await names({ patterns: ['STEAM*'] }), {
      total: 4,
      items: ['bash:3/2', 'firefox:2/2', 'Steam:1/1!', 'steam-runtime:1/1!'],
    });
    assert.deepEqual(await names({ patterns: ['ba?h', 'nothing'], prohibitedOnly: true }), { total: 1, items: ['bash:3/2!'] });
    assert.deepEqual(await names({ prohibitedOnly: true }), { total: 0, items: [] });
    const patterns = ['steam*', 'bash', '*fox', 'nope'];
    const tests = patterns.map((p) => prohibitedTest([p]));
    assert.deepEqual(await fleet.store.prohibitedDeviceCounts(tests, prohibitedTest(patterns)), [2, 3, 2, 0]);
    assert.deepEqual(await fleet.store.prohibitedDeviceCounts(tests), [2, 3, 2, 0]);
  });

  it('details one name: versions by devices and a page of installs', async () => {
    const detail = await fleet.store.softwareDetail('FIREFOX', { limit: 2, offset: 0 });
    assert.equal(detail?.name, 'firefox');
    assert.deepEqual(detail?.versions, [
      { version: '128', devices: 2 },
      { version: '129', devices: 1 },
    ]);
    assert.equal(detail?.installs.total, 3);
    assert.deepEqual(
      detail?.installs.items.map((i) => [i.hostname, i.version, i.source]),
      [
        ['a', '128', 'dpkg'],
        ['b', '128', 'snap'],
      ],
    );
    assert.equal(await fleet.store.softwareDetail('not-installed', { limit: 2, offset: 0 }), null);
  });

  it('follows changes: an uninstall recounts the name and a name no device has disappears', async () => {
    const stored = (await fleet.store.getDevice(ids.c!))!.snapshot!;
    const after = { ...stored, software: [pkg('bash', '5.2')] };
    await fleet.store.applyBatch(ids.c!, 6, (s) => planBatch(s, [deltaItem(2, stored, after)]));
    assert.deepEqual(await names(), { total: 3, items: ['bash:3/1', 'firefox:2/2', 'Steam:1/1'] });
  });
});
