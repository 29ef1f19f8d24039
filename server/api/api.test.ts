import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../shared/log.js';
import { OutpostServer } from '../server.js';
import { deltaItem, fullItem, hintsFor, machine, pkg } from '../../test/support/server/fixtures.js';
import { startHarness, type ErrorBody, type Harness } from '../../test/support/server/harness.js';
import { TestAgent } from '../../test/support/server/test-agent.js';

interface Items<T> {
  items: T[];
  nextBefore?: number | null;
}
type DeviceJson = Record<string, unknown> & { id: string; online: boolean };
type ChangeJson = { id: number; seq: number; section: string };

describe('HTTP API', () => {
  let h: Harness;
  let agent: TestAgent;
  let deviceId: string;
  let offlineId: string;
  const v1 = machine({
    hostname: 'api-pc',
    serial: 'API-1',
    ip: '192.168.1.20',
    software: [pkg('bash', '5.2'), pkg('Firefox', '128', { publisher: 'Mozilla' })],
  });
  const v2 = machine({ ...{ hostname: 'api-pc', serial: 'API-1', ip: '192.168.1.20' }, software: [...v1.software, pkg('htop', '3')] });
  const v3 = machine({ ...{ hostname: 'api-pc', serial: 'API-1', ip: '192.168.1.20' }, software: [...v2.software, pkg('jq', '1.6')] });

  before(async () => {
    h = await startHarness();
    const token = await h.server.createEnrolmentToken();
    agent = await TestAgent.connect(h.wsUrl);
    ({ deviceId } = await agent.enrol(token, hintsFor(v1, 'inst-api')));
    await agent.next('command'); // full-snapshot, as after every enrolment
    agent.sendItems([fullItem(1, v1), deltaItem(2, v1, v2), deltaItem(3, v2, v3)]);
    await agent.next('ack');
    const gone = await TestAgent.connect(h.wsUrl);
    ({ deviceId: offlineId } = await gone.enrol(token, hintsFor(machine({ hostname: 'away', serial: 'AWAY-1' }), 'inst-away')));
    await gone.close();
  });
  after(async () => {
    await agent.close();
    await h.close();
  });

  it('answers health without a token and everything else only with the admin token', async () => {
    const health = await h.api<{ ok: boolean; version: string }>('/api/health', { token: null });
    assert.deepEqual(health, { status: 200, body: { ok: true, version: '0.1.0' } });
    for (const token of [null, 'wrong-token-wrong-token', '']) {
      const res = await h.api<ErrorBody>('/api/devices', { token });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'E_UNAUTHORIZED');
    }
    const basic = await h.api('/api/devices', { token: null, headers: { authorization: `Basic ${h.adminToken}` } });
    assert.equal(basic.status, 401);
  });

  it('lists devices with their summary, online state and software count', async () => {
    const { status, body } = await h.api<Items<DeviceJson> & { total: number; limit: number }>('/api/devices');
    assert.equal(status, 200);
    assert.deepEqual([body.total, body.limit], [2, 50]);
    const pc = body.items.find((d) => d.id === deviceId);
    assert.deepEqual(pc, {
      ...pc,
      hostname: 'api-pc',
      serial: 'API-1',
      manufacturer: 'Dell Inc.',
      model: 'Latitude 7440',
      os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', arch: 'x64' },
      ip: '192.168.1.20',
      online: true,
      softwareCount: 4,
      users: [],
      cloneOf: null,
    });
    assert.equal(typeof pc?.lastSeen, 'string');
    assert.equal(body.items.find((d) => d.id === offlineId)?.online, false);
  });

  it('shows one device without its software, and 404 for an unknown id', async () => {
    const { body } = await h.api<Record<string, unknown>>(`/api/devices/${deviceId}`);
    assert.equal(body.software, undefined);
    assert.deepEqual(body.hardware, v3.hardware);
    assert.equal((body.os as { hostname: string }).hostname, 'api-pc');
    const missing = await h.api<ErrorBody>('/api/devices/nope');
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'E_NOT_FOUND']);
  });

  it('lists software, filtered by name or publisher', async () => {
    const all = await h.api<Items<{ name: string }>>(`/api/devices/${deviceId}/software`);
    assert.deepEqual(
      all.body.items.map((s) => s.name),
      ['bash', 'Firefox', 'htop', 'jq'],
    );
    const mozilla = await h.api<Items<{ name: string; publisher: string }>>(`/api/devices/${deviceId}/software?q=mozil`);
    assert.deepEqual(mozilla.body.items, [pkg('Firefox', '128', { publisher: 'Mozilla' })]);
    const wildcard = await h.api<Items<unknown>>(`/api/devices/${deviceId}/software?q=%25`);
    assert.deepEqual(wildcard.body.items, []);
  });

  it('pages the change history newest first', async () => {
    const first = await h.api<Items<ChangeJson>>(`/api/devices/${deviceId}/changes?limit=2`);
    assert.deepEqual(
      first.body.items.map((c) => c.seq),
      [3, 2],
    );
    const rest = await h.api<Items<ChangeJson>>(`/api/devices/${deviceId}/changes?limit=100&before=${first.body.nextBefore}`);
    assert.equal(
      rest.body.items.every((c) => c.seq === 1),
      true,
    );
    assert.equal(rest.body.nextBefore, null);
    for (const bad of ['limit=0', 'limit=1001', 'limit=ten', 'before=-3']) {
      const res = await h.api<ErrorBody>(`/api/devices/${deviceId}/changes?${bad}`);
      assert.deepEqual([res.status, res.body.error.code], [400, 'E_BAD_REQUEST'], bad);
    }
  });

  it('asks an online device to scan, and says when it cannot', async () => {
    const accepted = await h.api(`/api/devices/${deviceId}/scan`, { method: 'POST' });
    assert.equal(accepted.status, 202);
    assert.equal((await agent.next('command')).command, 'scan');
    const offline = await h.api<ErrorBody>(`/api/devices/${offlineId}/scan`, { method: 'POST' });
    assert.deepEqual([offline.status, offline.body.error.code], [409, 'E_DEVICE_OFFLINE']);
    const unknown = await h.api<ErrorBody>('/api/devices/nope/scan', { method: 'POST' });
    assert.equal(unknown.status, 404);
  });

  it('answers unknown routes and oversized bodies in the error shape', async () => {
    const route = await h.api<ErrorBody>('/api/nothing');
    assert.deepEqual([route.status, route.body.error.code], [404, 'E_NOT_FOUND']);
    const big = await h.api<ErrorBody>(`/api/devices/${deviceId}/scan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(100_000) }),
    });
    assert.deepEqual([big.status, big.body.error.code], [413, 'E_BAD_REQUEST']);
  });
});

describe('admin token', () => {
  it('is generated once and stored hashed, and OUTPOST_ADMIN_TOKEN replaces it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-admin-'));
    const run = async (adminToken?: string) => {
      const server = new OutpostServer({ host: '127.0.0.1', port: 0, dataDir, log: silentLogger, ...(adminToken ? { adminToken } : {}) });
      const started = await server.start();
      const status = async (token: string) =>
        (await fetch(`${started.url}/api/devices`, { headers: { authorization: `Bearer ${token}` } })).status;
      return { server, started, status };
    };
    try {
      const first = await run();
      const generated = first.started.adminToken;
      assert.ok(generated && generated.length >= 32);
      assert.equal(await first.status(generated), 200);
      await first.server.stop();

      const second = await run();
      assert.equal(second.started.adminToken, undefined, 'printed only once');
      assert.equal(await second.status(generated), 200);
      await second.server.stop();

      const third = await run('from-the-environment-123');
      assert.equal(third.started.adminToken, undefined);
      assert.equal(await third.status('from-the-environment-123'), 200);
      assert.equal(await third.status(generated), 401);
      await third.server.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a short admin token and bad settings with a config error', () => {
    const base = { host: '127.0.0.1', port: 0, dataDir: '/nonexistent', log: silentLogger };
    assert.throws(() => new OutpostServer({ ...base, adminToken: 'short' }), { code: 'E_CONFIG' });
    assert.throws(() => new OutpostServer({ ...base, settings: { refreshMinutes: 1 } }), { code: 'E_CONFIG', message: /refreshMinutes/ });
  });
});
