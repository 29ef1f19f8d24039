import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { CLOSE_CODES } from '../../shared/protocol.js';
import { eventually, harness, machineWith, sleep, type Harness } from '../../test/support/link-harness.js';
import { STABLE_CONNECTION_MS } from './link-options.js';
import { deadline } from '../../test/support/deadline.js';

describe('Link health', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('logs and ignores frames that are not valid server messages, and keeps working', async () => {
    h = await harness();
    h.link.start();
    await eventually(() => h.link.connected, 'connected');
    h.server.send('this is not json');
    h.server.send('{"type":"launch-missiles"}');
    h.server.send('{"type":"ack","seq":-1}');
    h.server.send('{"type":"welcome","deviceId":"dev-9","lastSeq":0}');
    h.server.send(Buffer.from([1, 2, 3]));
    h.record(1);
    await h.server.waitFor(() => h.server.applied().length === 1, 'an item after the bad frames');
    await eventually(() => h.outbox.pendingCount() === 0, 'the ack');
    assert.equal(h.server.connections, 1);
    assert.equal(h.link.connected, true);
    assert.equal(h.log.withCode('E_BAD_JSON').length, 1);
    assert.equal(h.log.withCode('E_UNKNOWN_TYPE').length, 1);
    assert.equal(h.log.withCode('E_BAD_MESSAGE').length, 3);
  });

  it('drops a server that stopped pinging and connects again', async () => {
    h = await harness({ link: { heartbeatTimeoutMs: 150 } });
    h.link.start();
    await h.server.waitFor(() => h.server.connections >= 2 && h.server.authenticatedConnections() === 1, 'a new connection');
    assert.ok(h.log.entries.some((e) => e.msg?.startsWith('no heartbeat')));
  });

  it('stays connected while the server pings', async () => {
    // Silence is judged on the real clock: a loaded machine can stall this process for longer than a
    // 300 ms timeout, so the timeout is stretched like any deadline, and the wait spans three of them.
    const heartbeatTimeoutMs = deadline(300);
    h = await harness({ server: { pingIntervalMs: 30 }, link: { heartbeatTimeoutMs } });
    h.link.start();
    await eventually(() => h.link.connected, 'connected');
    await sleep(3 * heartbeatTimeoutMs);
    assert.equal(h.server.connections, 1);
    assert.equal(h.link.connected, true);
  });

  it('closes normally on stop and reports the disconnection', async () => {
    h = await harness();
    h.link.start();
    await eventually(() => h.link.connected, 'connected');
    await h.link.stop();
    await h.server.waitFor(() => h.server.closeCodes.length === 1, 'the close');
    assert.deepEqual(h.server.closeCodes, [CLOSE_CODES.normal]);
    assert.deepEqual(h.connectionChanges, [true, false]);
    assert.equal(h.link.connected, false);
  });

  it('stops cleanly while waiting to reconnect', async () => {
    h = await harness({ link: { random: () => 0.99 } });
    await h.server.stop();
    h.link.start();
    await eventually(() => h.log.entries.some((e) => e.msg === 'reconnecting'), 'a scheduled reconnect');
    await h.link.stop();
    const attempts = h.hintCalls();
    await sleep(1100);
    assert.equal(h.hintCalls(), attempts, 'no attempt after stop');
  });

  for (const clientNoContextTakeover of [false, true]) {
    it(`puts one added package on the wire in at most 400 bytes${clientNoContextTakeover ? ', even compressing each frame alone' : ''}`, async (t) => {
      h = await harness({ server: { clientNoContextTakeover } });
      await wireBytes(t, clientNoContextTakeover ? 'each frame compressed alone' : 'compression context kept');
    });
  }

  async function wireBytes(t: { diagnostic: (msg: string) => void }, label: string): Promise<void> {
    h.outbox.recordSnapshot('startup', machineWith(300));
    h.link.start();
    await eventually(() => h.outbox.pendingCount() === 0, 'the first full snapshot acked');
    const sizes: number[] = [];
    for (const name of ['htop', 'jq']) {
      const before = h.outbox.baseline()!.snapshot;
      const after = {
        ...before,
        software: [
          ...before.software,
          { name, version: '3.2.2-2', publisher: 'Debian Developers', arch: 'amd64', source: 'dpkg' as const, scope: 'machine' as const },
        ],
      };
      h.outbox.recordSnapshot('software-change', after);
      h.link.notify();
      await eventually(() => h.outbox.pendingCount() === 0, 'the delta acked');
      // TCP bytes the server read for that frame alone (no pings run in this test).
      const at = h.server.bytesReadAt;
      sizes.push(at.at(-1)! - at.at(-2)!);
    }
    t.diagnostic(`${label}: one added dpkg package is ${sizes[0]} B on the wire, the next one ${sizes[1]} B`);
    assert.ok(
      sizes.every((s) => s <= 400),
      `sizes ${sizes.join(', ')}`,
    );
  }
});

describe('Link backoff', () => {
  let h: Harness;
  afterEach(async () => {
    mock.timers.reset();
    await h.close();
  });

  it('backs off further while connections keep dropping, and starts afresh after one stayed up', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
    h = await harness({ link: { random: () => 0.5, heartbeatTimeoutMs: 24 * 3600_000 } });
    const delays = () => h.log.entries.filter((e) => e.msg === 'reconnecting').map((e) => e.fields.delayMs);
    const dropAndWait = async (n: number) => {
      await eventually(() => h.link.connected, 'connected', { spin: true });
      h.server.dropConnections();
      await eventually(() => delays().length === n, `reconnect ${n} scheduled`, { spin: true });
    };
    h.link.start();
    await dropAndWait(1);
    mock.timers.tick(500);
    await dropAndWait(2);
    mock.timers.tick(1000);
    await eventually(() => h.link.connected, 'connected', { spin: true });
    mock.timers.tick(STABLE_CONNECTION_MS);
    await dropAndWait(3);
    assert.deepEqual(delays(), [500, 1000, 500]);
  });

  it('spreads its reconnects over the window the server announced for its fleet', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
    h = await harness({ server: { reconnectSpreadSeconds: 40 }, link: { random: () => 0.5, heartbeatTimeoutMs: 24 * 3600_000 } });
    const delays = () => h.log.entries.filter((e) => e.msg === 'reconnecting').map((e) => e.fields.delayMs);
    h.link.start();
    await eventually(() => h.link.connected, 'connected', { spin: true });
    h.server.dropConnections();
    await eventually(() => delays().length === 1, 'a reconnect scheduled', { spin: true });
    // Half of the announced 40 s, not half of the first backoff ceiling (1 s).
    assert.deepEqual(delays(), [20_000]);
    mock.timers.tick(19_999);
    assert.equal(h.server.connections, 1, 'not before its turn');
    mock.timers.tick(1);
    await eventually(() => h.link.connected, 'back', { spin: true });
    assert.equal(h.server.connections, 2);
  });

  it('finds a restarted server again within the announced window, without backing off further', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
    h = await harness({ server: { reconnectSpreadSeconds: 10 }, link: { random: () => 0.5, heartbeatTimeoutMs: 24 * 3600_000 } });
    const delays = () => h.log.entries.filter((e) => e.msg === 'reconnecting').map((e) => e.fields.delayMs as number);
    h.link.start();
    await eventually(() => h.link.connected, 'connected', { spin: true });
    await h.server.stop(); // going away: a restart
    await eventually(() => delays().length === 1, 'a reconnect scheduled', { spin: true });
    for (let n = 2; n <= 4; n++) {
      mock.timers.tick(delays().at(-1)!);
      await eventually(() => delays().length === n, `refused attempt ${n - 1}`, { spin: true });
    }
    // A random place in the 10 s window, then one window less jitter per refused attempt (before:
    // 5, 8, 16, 32 s, doubling with every attempt refused while the server restarted).
    assert.deepEqual(delays(), [5_000, 9_000, 9_000, 9_000]);
    await h.server.start();
    mock.timers.tick(9_000);
    await eventually(() => h.link.connected, 'back', { spin: true });
    assert.equal(h.server.connections, 2, 'one connection before the restart, one after');
  });
});
