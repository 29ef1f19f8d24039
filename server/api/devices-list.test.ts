import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { after, before, describe, it } from 'node:test';
import type { DeviceSummaryJson, Page } from '../../shared/http-api.js';
import { testFleet, type TestFleet } from '../../test/support/server/fleet.js';
import { deviceRoutes } from './devices.js';

describe('GET /api/devices', () => {
  let fleet: TestFleet;
  let app: FastifyInstance;
  const ids: string[] = [];
  const list = async (query = '') => {
    const res = await app.inject({ method: 'GET', url: `/api/devices${query}` });
    return { status: res.statusCode, body: res.json<Page<DeviceSummaryJson> & { error?: { code: string } }>() };
  };

  before(async () => {
    fleet = await testFleet();
    for (let i = 0; i < 60; i++) {
      ids.push(
        await fleet.add({
          hostname: `ws-${String(i).padStart(2, '0')}`,
          serial: `SN${1000 + i}`,
          users: i === 7 ? ['j.doe'] : [],
          platform: i % 3 === 0 ? 'win32' : 'linux',
          at: Date.UTC(2025, 0, 1 + (i % 30)) + i,
        }),
      );
    }
    await fleet.store.setOnline(ids[3]!, true);
    await fleet.store.setOnline(ids[4]!, true);
    app = Fastify({ logger: false });
    deviceRoutes(app, { store: fleet.store, requestScan: () => false });
  });
  after(async () => {
    await app.close();
    await fleet.close();
  });

  it('answers the first page of 50 by hostname with the total and the page bounds', async () => {
    const { status, body } = await list();
    assert.equal(status, 200);
    assert.deepEqual([body.total, body.offset, body.limit, body.items.length], [60, 0, 50, 50]);
    assert.equal(body.items[0]!.hostname, 'ws-00');
    assert.deepEqual(Object.keys(body.items[0]!).sort(), [
      'agentVersion',
      'cloneOf',
      'duplicateOf',
      'firstSeen',
      'hostname',
      'id',
      'ip',
      'lastSeen',
      'manufacturer',
      'model',
      'online',
      'os',
      'serial',
      'softwareCount',
      'users',
    ]);
    const rest = await list('?offset=50&limit=50');
    assert.deepEqual(
      rest.body.items.map((d) => d.hostname),
      Array.from({ length: 10 }, (_, i) => `ws-${50 + i}`),
    );
  });

  it('searches, filters and sorts through the query string', async () => {
    assert.deepEqual(
      (await list('?q=J.DOE')).body.items.map((d) => [d.hostname, d.users]),
      [['ws-07', ['j.doe']]],
    );
    assert.deepEqual(
      (await list('?q=sn1012')).body.items.map((d) => d.hostname),
      ['ws-12'],
    );
    const windowsOnline = await list('?os=windows&online=true');
    assert.deepEqual(
      windowsOnline.body.items.map((d) => [d.hostname, d.online, d.os?.platform]),
      [['ws-03', true, 'win32']],
    );
    const seen = await list(`?seenAfter=2025-01-29&seenBefore=${Date.UTC(2025, 0, 31)}&sort=lastSeen&order=asc`);
    assert.deepEqual(
      seen.body.items.map((d) => d.hostname),
      ['ws-28', 'ws-58', 'ws-29', 'ws-59'],
    );
    assert.equal((await list('?sort=hostname&order=desc&limit=1')).body.items[0]?.hostname, 'ws-59');
  });

  it('refuses a bad query with 400 and the parameter named', async () => {
    for (const bad of [
      'limit=0',
      'limit=501',
      'offset=-1',
      'os=beos',
      'online=yes',
      'sort=ram',
      'order=up',
      'seenAfter=yesterday',
      `q=${'x'.repeat(201)}`,
    ]) {
      const res = await list(`?${bad}`);
      assert.deepEqual([res.status, res.body.error?.code], [400, 'E_BAD_REQUEST'], bad);
    }
  });
});
