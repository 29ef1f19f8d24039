import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import { deskRoutes } from './desk.js';
import type { DeskStatus } from '../desk/sync/engine.js';
import type { Store } from '../store/store.js';
import { FakeDesk } from '../../test/fakes/desk-connector.js';
import { parseDeskSettings } from '../desk/sync/settings.js';
import { deltaItem, fullItem, hintsFor, machine, pkg } from '../../test/support/server/fixtures.js';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { TestAgent } from '../../test/support/server/test-agent.js';
import { createItem } from '../../test/support/server/ticket-fixtures.js';
import { deadline } from '../../test/support/deadline.js';

interface Status {
  configured: boolean;
  kind: string | null;
  level: string | null;
  healthy: boolean | null;
  queued: number;
  failed: number;
  jobs: { id: number; kind: string; error: string | null }[];
}

describe('/api/desk', () => {
  const harnesses: Harness[] = [];
  after(async () => {
    for (const h of harnesses) await h.close();
  });

  it('says no desk is configured, and refuses a retry then', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const { body } = await h.api<Status>('/api/desk/status');
    assert.deepEqual([body.configured, body.kind, body.queued, body.jobs], [false, null, 0, []]);
    const retry = await h.api('/api/desk/jobs/1/retry', { method: 'POST' });
    assert.equal(retry.status, 409);
  });

  it('shows a job the desk refused with its error, and sends it again on request', async () => {
    const desk = new FakeDesk();
    const settings = parseDeskSettings({ kind: 'rt', url: 'http://rt.invalid', user: 'outpost', secret: 'not-logged' });
    const h = await startHarness({ desk: settings, deskConnector: desk });
    harnesses.push(h);
    const agent = await TestAgent.connect(h.wsUrl);
    try {
      await agent.enrol(await h.server.createEnrolmentToken(), hintsFor(machine({ hostname: 'desk-api' }), 'inst-desk-api'));
      desk.failNextCall('createTicket', 'E_DESK_REJECTED');
      agent.sendItems([createItem(1, 'ref-desk-api-1')]);
      await agent.next('ack');
      const failed = await waitFor(async () => {
        const { body } = await h.api<Status>('/api/desk/status');
        return body.failed === 1 ? body : undefined;
      });
      assert.deepEqual([failed.configured, failed.kind, failed.level, failed.jobs[0]?.kind], [true, 'rt', 'two-way', 'ticket.create']);
      assert.match(failed.jobs[0]?.error ?? '', /^E_DESK_REJECTED/);
      assert.equal((await h.api('/api/desk/jobs/999/retry', { method: 'POST' })).status, 404);
      assert.equal((await h.api('/api/desk/jobs/x/retry', { method: 'POST' })).status, 400);
      const retried = await h.api<{ state: string }>(`/api/desk/jobs/${failed.jobs[0]!.id}/retry`, { method: 'POST' });
      assert.deepEqual([retried.status, retried.body.state], [200, 'queued']);
      await waitFor(async () => (desk.tickets.size === 1 ? true : undefined));
      // The desk has the ticket a moment before the job is marked done: wait for the queue to settle.
      const settled = await waitFor(async () => {
        const { body } = await h.api<Status>('/api/desk/status');
        return body.queued === 0 ? body : undefined;
      });
      assert.deepEqual([settled.failed, settled.queued, settled.healthy, desk.tickets.size], [0, 0, true, 1]);
    } finally {
      await agent.close();
    }
  });
});

describe('prohibited patterns added in the console', () => {
  it('raise a desk ticket when a device has a matching package, without a restart', async () => {
    const desk = new FakeDesk();
    const settings = parseDeskSettings({
      kind: 'rt',
      url: 'http://rt.invalid',
      user: 'outpost',
      secret: 'not-logged',
      requesterDomain: 'example.com',
    });
    const h = await startHarness({ desk: settings, deskConnector: desk });
    const agent = await TestAgent.connect(h.wsUrl);
    try {
      const before = machine({ hostname: 'console-rule', software: [pkg('bash', '5.2')] });
      await agent.enrol(await h.server.createEnrolmentToken(), hintsFor(before, 'inst-console-rule'));
      agent.sendItems([fullItem(1, before)]);
      await agent.next('ack');
      const added = await h.api('/api/prohibited', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pattern: 'miner-*' }),
      });
      assert.equal(added.status, 201);
      const after = machine({ hostname: 'console-rule', software: [pkg('bash', '5.2'), pkg('miner-gui', '0.9')] });
      agent.sendItems([deltaItem(2, before, after)]);
      await agent.next('ack');
      const ticket = await waitFor(async () => [...desk.tickets.values()].find((t) => /miner-gui/.test(t.subject)));
      assert.equal(ticket.assetId !== undefined, true);
      assert.equal([...desk.tickets.values()].filter((t) => /miner-gui/.test(t.subject)).length, 1);
    } finally {
      await agent.close();
      await h.close();
    }
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 5_000): Promise<T> {
  const giveUpAt = Date.now() + deadline(ms);
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > giveUpAt) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('POST /api/desk/catalog/sync', () => {
  const app = (requestCatalogSync?: () => Promise<boolean | null>) => {
    const a = Fastify();
    deskRoutes(a, {
      store: {} as Store,
      now: Date.now,
      deskStatus: async () => null as DeskStatus | null,
      ...(requestCatalogSync ? { requestCatalogSync } : {}),
    });
    return a;
  };

  it('queues a run, and says why when it cannot', async () => {
    let requests = 0;
    const queued = await app(async () => (++requests, true)).inject({ method: 'POST', url: '/api/desk/catalog/sync' });
    assert.deepEqual([queued.statusCode, queued.json(), requests], [202, { state: 'queued' }, 1]);
    const unsupported = await app(async () => false).inject({ method: 'POST', url: '/api/desk/catalog/sync' });
    assert.deepEqual([unsupported.statusCode, unsupported.json<{ error: { code: string } }>().error.code], [409, 'E_DESK_UNSUPPORTED']);
    for (const none of [app(async () => null), app()]) {
      const res = await none.inject({ method: 'POST', url: '/api/desk/catalog/sync' });
      assert.deepEqual([res.statusCode, res.json<{ error: { code: string } }>().error.code], [409, 'E_CONFLICT']);
    }
    const status = await app().inject({ method: 'GET', url: '/api/desk/status' });
    assert.deepEqual(
      [status.json<{ configured: boolean; catalog: unknown }>().configured, status.json<{ catalog: unknown }>().catalog],
      [false, null],
    );
  });
});

describe('POST /api/desk/packages/sync ("send now")', () => {
  const app = (requestPackagesSync?: () => Promise<boolean | null>) => {
    const a = Fastify();
    deskRoutes(a, {
      store: {} as Store,
      now: Date.now,
      deskStatus: async () => null as DeskStatus | null,
      ...(requestPackagesSync ? { requestPackagesSync } : {}),
    });
    return a;
  };

  it('queues a run of the package catalog, and says why when it cannot', async () => {
    let requests = 0;
    const queued = await app(async () => (++requests, true)).inject({ method: 'POST', url: '/api/desk/packages/sync' });
    assert.deepEqual([queued.statusCode, queued.json(), requests], [202, { state: 'queued' }, 1]);
    const unsupported = await app(async () => false).inject({ method: 'POST', url: '/api/desk/packages/sync' });
    assert.deepEqual([unsupported.statusCode, unsupported.json<{ error: { code: string } }>().error.code], [409, 'E_DESK_UNSUPPORTED']);
    for (const none of [app(async () => null), app()]) {
      const res = await none.inject({ method: 'POST', url: '/api/desk/packages/sync' });
      assert.deepEqual([res.statusCode, res.json<{ error: { code: string } }>().error.code], [409, 'E_CONFLICT']);
    }
    const status = await app().inject({ method: 'GET', url: '/api/desk/status' });
    assert.equal(status.json<{ packages: unknown }>().packages, null);
  });
});
