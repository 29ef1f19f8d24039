import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LiveEventName, LiveEvents } from '../../shared/http-api.js';
import { silentLogger } from '../../shared/log.js';
import { CLOSE_CODES, DEFAULT_SETTINGS } from '../../shared/protocol.js';
import { LiveHub, type LiveMessage } from '../live/hub.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { issueEnrolmentToken } from '../store/tokens.js';
import { deltaItem, fullItem, hintsFor, machine, pkg } from '../../test/support/server/fixtures.js';
import { eventually } from '../../test/support/server/harness.js';
import { TestAgent } from '../../test/support/server/test-agent.js';
import { createItem, worklogItem } from '../../test/support/server/ticket-fixtures.js';
import { AgentGateway } from './gateway.js';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const AT = new Date(NOW).toISOString();

/** A gateway on a real port over a real store, with everything it publishes recorded. */
async function startGateway() {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-live-'));
  const store = SqliteStore.open(dir);
  const hub = new LiveHub();
  const events: LiveMessage[] = [];
  hub.subscribe((m) => events.push(m));
  const gateway = new AgentGateway({
    store,
    log: silentLogger,
    settings: () => DEFAULT_SETTINGS,
    heartbeatMs: 60_000,
    authTimeoutMs: 5000,
    now: () => NOW,
    hub,
  });
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.start();
  const wsUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/agent`;
  const token = await issueEnrolmentToken(store);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await gateway.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const close = async () => {
    await stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { store, gateway, events, wsUrl, token, stop, close };
}

describe('live events from agent connections', () => {
  let g: Awaited<ReturnType<typeof startGateway>>;
  const agents: TestAgent[] = [];
  const connect = async () => {
    const agent = await TestAgent.connect(g.wsUrl);
    agents.push(agent);
    return agent;
  };
  const of = <K extends LiveEventName>(name: K, deviceId: string): LiveEvents[K][] =>
    g.events.filter((e) => e.name === name && e.data.deviceId === deviceId).map((e) => e.data as LiveEvents[K]);
  const storedOnline = async (deviceId: string) => (await g.store.getDevice(deviceId))?.online;

  before(async () => {
    g = await startGateway();
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await g.close();
  });

  it('publishes enrolment, presence and each batch that changed the inventory, with its sections', async () => {
    const v1 = machine({ hostname: 'ws-live', serial: 'LIVE-1', software: [pkg('bash', '5.2')] });
    const v2 = machine({ hostname: 'ws-live', serial: 'LIVE-1', software: [pkg('bash', '5.2'), pkg('htop', '3.2')] });
    const agent = await connect();
    const { deviceId } = await agent.enrol(g.token, hintsFor(v1, 'inst-live'));
    await eventually(() => of('presence', deviceId).length === 1);
    assert.deepEqual(of('presence', deviceId), [{ deviceId, online: true, at: AT }]);
    assert.equal(await storedOnline(deviceId), true, 'the event comes after the online flag is written');
    assert.deepEqual(of('inventory', deviceId), [{ deviceId, hostname: 'ws-live', sections: [], trigger: 'enrolled', at: AT }]);

    agent.sendItems([fullItem(1, v1)]);
    await agent.next('ack');
    const first = of('inventory', deviceId)[1]!;
    assert.equal(first.trigger, 'startup');
    assert.deepEqual([...first.sections].sort(), ['hardware', 'network', 'os', 'software']);

    agent.sendItems([deltaItem(2, v1, v2)]);
    await agent.next('ack');
    assert.deepEqual(of('inventory', deviceId)[2], {
      deviceId,
      hostname: 'ws-live',
      sections: ['software'],
      trigger: 'software-change',
      at: AT,
    });

    // A redelivered batch and an unchanged resync change nothing, so the console hears nothing.
    agent.sendItems([deltaItem(2, v1, v2)]);
    await agent.next('ack');
    agent.sendItems([fullItem(3, v2, 'resync')]);
    await agent.next('ack');
    assert.equal(of('inventory', deviceId).length, 3);

    await agent.close();
    await eventually(() => of('presence', deviceId).length === 2);
    assert.deepEqual(of('presence', deviceId)[1], { deviceId, online: false, at: AT });
    assert.equal(await storedOnline(deviceId), false);
  });

  it('keeps a device online when a newer connection replaces the old one, and offline only when the current one closes', async () => {
    const snap = machine({ hostname: 'ws-twice', serial: 'TWICE-1' });
    const first = await connect();
    const { deviceId, secret } = await first.enrol(g.token, hintsFor(snap, 'inst-twice'));
    await eventually(() => of('presence', deviceId).length === 1);

    const second = await connect();
    await second.hello(deviceId, secret, hintsFor(snap, 'inst-twice'));
    assert.equal((await first.closed).code, CLOSE_CODES.replaced);
    // Give a wrongly published offline (and a write of the flag) the time to happen.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      of('presence', deviceId).map((p) => p.online),
      [true],
    );
    assert.equal(await storedOnline(deviceId), true);
    assert.equal(g.gateway.isOnline(deviceId), true);

    await second.close();
    await eventually(() => of('presence', deviceId).length === 2);
    assert.deepEqual(
      of('presence', deviceId).map((p) => p.online),
      [true, false],
    );
    assert.equal(await storedOnline(deviceId), false);

    const back = await connect();
    await back.hello(deviceId, secret, hintsFor(snap, 'inst-twice'));
    await eventually(() => of('presence', deviceId).length === 3);
    assert.equal(await storedOnline(deviceId), true);
  });

  it('publishes a ticket event when an endpoint raises a ticket or records a worklog on one', async () => {
    const agent = await connect();
    const { deviceId } = await agent.enrol(g.token, hintsFor(machine({ hostname: 'ws-ticket', serial: 'TK-1' }), 'inst-ticket'));
    agent.sendItems([createItem(1, 'ref-live-1')]);
    await agent.next('ack');
    const [raised] = of('ticket', deviceId);
    assert.ok(raised, 'a ticket event');
    const listed = (await g.store.listTickets({ deviceId, limit: 10 })).map((t) => t.id);
    assert.deepEqual(listed, [raised.ticketId]);

    agent.sendItems([worklogItem(2, 'wl-live-1', raised.ticketId, '2025-06-01T10:00:00.000Z', '2025-06-01T10:30:00.000Z')]);
    assert.equal((await agent.next('worklog-result')).state, 'recorded');
    await agent.next('ack');
    assert.deepEqual(of('ticket', deviceId), [raised, { ticketId: raised.ticketId, deviceId, at: AT }]);
  });

  it('marks every device offline in the store when the gateway stops', async () => {
    const agent = await connect();
    const { deviceId } = await agent.enrol(g.token, hintsFor(machine({ hostname: 'ws-stop', serial: 'STOP-1' }), 'inst-stop'));
    await eventually(async () => (await storedOnline(deviceId)) === true);
    await g.stop();
    assert.equal((await agent.closed).code, 1001);
    assert.equal(await storedOnline(deviceId), false);
  });
});
