import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { after, before, describe, it } from 'node:test';
import type { ExemptionJson, FleetSoftwareJson, Page, ProhibitedPatternJson, SoftwareDetailJson } from '../../shared/http-api.js';
import { createItem } from '../../test/support/server/ticket-fixtures.js';
import { followBatch } from '../ingest/apply-tickets.js';
import type { TicketItem } from '../store/ticket-records.js';
import { pkg } from '../../test/support/server/fixtures.js';
import { testFleet, type TestFleet } from '../../test/support/server/fleet.js';
import { ProhibitedList } from '../desk/rules/prohibited-list.js';
import { softwareRoutes } from './software.js';

type Body<T> = T & { error?: { code: string; message: string } };

describe('software across the fleet and the prohibited list', () => {
  let fleet: TestFleet;
  let app: FastifyInstance;
  let config: string[] = ['bittorrent*'];
  let pc1: string;
  const call = async <T>(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.json<Body<T>>() };
  };

  before(async () => {
    fleet = await testFleet();
    pc1 = await fleet.add({
      hostname: 'pc-1',
      software: [pkg('Steam', '1.0', { publisher: 'Valve' }), pkg('firefox', '128'), pkg('BitTorrent Web', '2')],
    });
    await fleet.add({ hostname: 'pc-2', software: [pkg('steam', '1.1', { publisher: 'Valve' }), pkg('firefox', '128')] });
    await fleet.add({ hostname: 'pc-3', software: [pkg('firefox', '129')] });
    app = Fastify({ logger: false });
    const prohibited = new ProhibitedList(fleet.store, () => config);
    await prohibited.refresh();
    softwareRoutes(app, { store: fleet.store, now: () => 42, prohibited });
  });
  after(async () => {
    await app.close();
    await fleet.close();
  });

  it('lists packages across the fleet with counts, a search and a page', async () => {
    const { status, body } = await call<Page<FleetSoftwareJson>>('GET', '/api/software?limit=2');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      items: [
        { name: 'BitTorrent Web', publisher: null, devices: 1, versions: 1, prohibited: true },
        { name: 'firefox', publisher: null, devices: 3, versions: 2, prohibited: false },
      ],
      total: 3,
      offset: 0,
      limit: 2,
    });
    const valve = await call<Page<FleetSoftwareJson>>('GET', '/api/software?q=VALVE');
    assert.deepEqual(
      valve.body.items.map((s) => [s.name, s.devices, s.versions]),
      [['Steam', 2, 2]],
    );
  });

  it('adds a console pattern, flags and filters by it, and lists both sources with device counts', async () => {
    const added = await call<ProhibitedPatternJson>('POST', '/api/prohibited', { pattern: '  ste?m ' });
    assert.deepEqual([added.status, added.body], [201, { pattern: 'ste?m', source: 'console', devices: 2 }]);
    const flagged = await call<Page<FleetSoftwareJson>>('GET', '/api/software?prohibited=true');
    assert.deepEqual(
      flagged.body.items.map((s) => s.name),
      ['BitTorrent Web', 'Steam'],
    );
    const list = await call<{ items: ProhibitedPatternJson[] }>('GET', '/api/prohibited');
    assert.deepEqual(list.body.items, [
      { pattern: 'ste?m', source: 'console', devices: 2 },
      { pattern: 'bittorrent*', source: 'config', devices: 1 },
    ]);
  });

  it('refuses duplicates, useless patterns and removing a settings pattern; removes a console one', async () => {
    for (const [pattern, code] of [
      ['STE?M', 409],
      ['BitTorrent*', 409],
      ['*?*', 400],
      ['', 400],
      ['x'.repeat(201), 400],
    ] as const) {
      const res = await call('POST', '/api/prohibited', { pattern });
      assert.equal(res.status, code, pattern);
      assert.equal(res.body.error?.code, code === 409 ? 'E_CONFLICT' : 'E_BAD_REQUEST');
    }
    assert.equal((await call('POST', '/api/prohibited', { pattern: 'x', extra: 1 })).status, 400);
    const fromConfig = await call('DELETE', '/api/prohibited?pattern=bittorrent*');
    assert.deepEqual([fromConfig.status, fromConfig.body.error?.code], [409, 'E_CONFLICT']);
    assert.equal((await call('DELETE', '/api/prohibited?pattern=nothing')).status, 404);
    assert.deepEqual((await call('DELETE', '/api/prohibited?pattern=Ste%3Fm')).body, { ok: true });
    assert.deepEqual(
      (await call<{ items: ProhibitedPatternJson[] }>('GET', '/api/prohibited')).body.items.map((p) => p.source),
      ['config'],
    );
  });

  it('lists the devices IT allowed to keep a prohibited name, leaves them out of the counts, and lets an admin revoke one', async () => {
    config = ['steam'];
    const exception = createItem(90, 'ref-keep-steam', {
      subject: 'Exception to the prohibited list: Steam',
      softwareRequest: { kind: 'exception', packageId: null, name: 'Steam', version: null },
    }) as TicketItem;
    const plan = () => ({ lastSeq: 90, needsFull: false, changes: [], ticketItems: [exception] });
    const raised = (await fleet.store.applyBatch(pc1, 1_000, plan, followBatch(1_000)))!.tickets[0]!;
    assert.ok(raised.type === 'ticket');
    const counted = async () => (await call<{ items: ProhibitedPatternJson[] }>('GET', '/api/prohibited')).body.items[0]?.devices;
    assert.equal(await counted(), 2);
    assert.equal(await fleet.store.softwareRequests.decide(raised.ticketId, { state: 'approved', reason: null, at: null }, 5_000), true);
    assert.equal(await counted(), 1, 'pc-1 may keep Steam');
    const listed = await call<{ items: ExemptionJson[] }>('GET', '/api/prohibited/exemptions');
    assert.deepEqual(listed.body.items, [
      { deviceId: pc1, hostname: 'pc-1', name: 'steam', ticketId: raised.ticketId, createdAt: new Date(5_000).toISOString() },
    ]);
    const bad = await call('DELETE', `/api/prohibited/exemptions?deviceId=${pc1}`);
    assert.deepEqual([bad.status, bad.body.error?.code], [400, 'E_BAD_REQUEST']);
    assert.equal((await call('DELETE', `/api/prohibited/exemptions?deviceId=${pc1}&name=firefox`)).status, 404);
    assert.deepEqual((await call('DELETE', `/api/prohibited/exemptions?deviceId=${pc1}&name=STEAM`)).body, { ok: true });
    assert.equal(await counted(), 2);
    assert.deepEqual((await call<{ items: ExemptionJson[] }>('GET', '/api/prohibited/exemptions')).body.items, []);
  });

  it('details one package: versions, installs paged, the prohibited flag; 404 for a name nobody has', async () => {
    config = ['fire*'];
    const { status, body } = await call<SoftwareDetailJson>('GET', '/api/software/detail?name=FireFox&limit=2');
    assert.equal(status, 200);
    assert.equal(body.name, 'firefox');
    assert.equal(body.prohibited, true);
    assert.deepEqual(body.versions, [
      { version: '128', devices: 2 },
      { version: '129', devices: 1 },
    ]);
    assert.deepEqual(
      [body.installs.total, body.installs.limit, body.installs.items.map((i) => [i.hostname, i.version, i.source, i.online])],
      [
        3,
        2,
        [
          ['pc-1', '128', 'dpkg', false],
          ['pc-2', '128', 'dpkg', false],
        ],
      ],
    );
    assert.equal(typeof body.installs.items[0]?.lastSeen, 'string');
    const missing = await call('GET', '/api/software/detail?name=notepad');
    assert.deepEqual([missing.status, missing.body.error?.code], [404, 'E_NOT_FOUND']);
    assert.equal((await call('GET', '/api/software/detail')).status, 400);
  });
});
