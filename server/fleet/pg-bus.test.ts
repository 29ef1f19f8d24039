// Two fleet buses on one real PostgreSQL (test/support/postgres.ts) stand for two server processes;
// one fake clock drives their heartbeats and leases (tick() is called by the test, never by a timer).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type pg from 'pg';
import { silentLogger } from '../../shared/log.js';
import { freshDatabase } from '../../test/support/postgres.js';
import { waitFor } from '../../test/support/outpost.js';
import { createPool } from '../store/postgres/open.js';
import type { DeviceSignal, SingletonPart } from './bus.js';
import type { LiveMessage } from '../live/hub.js';
import { LocalFleetBus } from './local-bus.js';
import { PgFleetBus } from './pg-bus.js';
import { deadline } from '../../test/support/deadline.js';

const LEASE_MS = 20_000;
const HOUR = 3_600_000;

class CountingPart implements SingletonPart {
  running = false;
  starts = 0;
  start(): void {
    this.running = true;
    this.starts++;
  }
  stop(): void {
    this.running = false;
  }
}

describe('PgFleetBus: several server processes on one PostgreSQL', { timeout: deadline(120_000) }, () => {
  let url: string;
  let db: pg.Pool;
  let clock = 1_000_000;
  const now = () => clock;
  let a: PgFleetBus;
  let b: PgFleetBus;
  const heard = { a: [] as DeviceSignal[], b: [] as DeviceSignal[] };
  const held = { a: new Set<string>(), b: new Set<string>() };

  // A's listening connection comes back at once when cut; B's stays down (a dead process's would).
  const bus = (retryMs: number) => new PgFleetBus({ url, log: silentLogger, now, heartbeatMs: HOUR, leaseMs: LEASE_MS, retryMs });
  const cutListener = (of: PgFleetBus) =>
    db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`outpost-fleet-${of.processId}`]);
  const online = async (id: string) =>
    (await db.query<{ online: boolean }>('SELECT online FROM devices WHERE id = $1', [id])).rows[0]?.online;

  before(async () => {
    url = await freshDatabase();
    db = createPool(url, 2);
    for (const id of ['d1', 'd2', 'd3']) {
      await db.query(
        `INSERT INTO devices (id, install_id, hostname, macs, secret_hash, first_seen, last_seen) VALUES ($1, 'i', $1, '[]', '\\x00', 0, 0)`,
        [id],
      );
    }
  });
  after(() => db.end());

  beforeEach(async () => {
    await a?.stop();
    await b?.stop();
    heard.a = [];
    heard.b = [];
    held.a.clear();
    held.b.clear();
    a = bus(20);
    b = bus(HOUR);
    a.onDeviceSignal((s) => held.a.has(s.deviceId) && heard.a.push(s) > 0);
    b.onDeviceSignal((s) => held.b.has(s.deviceId) && heard.b.push(s) > 0);
    await a.start();
    await b.start();
  });
  after(async () => {
    await a.stop();
    await b.stop();
  });

  it('delivers a command issued in one process to the process holding the device, and refuses an unheld device', async () => {
    held.b.add('d1');
    await b.claim('d1');
    assert.equal(await online('d1'), true);
    assert.equal(await a.toDevice({ deviceId: 'd1', kind: 'command', args: ['scan'] }), true);
    const signal = await waitFor(() => heard.b[0], 10_000, 'the signal in B');
    assert.deepEqual(signal, { deviceId: 'd1', kind: 'command', args: ['scan'] });
    assert.equal(heard.a.length, 0);
    assert.equal(await a.isLive('d1'), true);
    assert.equal(await a.toDevice({ deviceId: 'd2', kind: 'command', args: ['scan'] }), false);
    assert.equal(await a.isLive('d2'), false);
  });

  it("hands one process's live events to the others, not back to itself", async () => {
    const toA: LiveMessage[] = [];
    const toB: LiveMessage[] = [];
    a.onLive((m) => toA.push(m));
    b.onLive((m) => toB.push(m));
    b.broadcastLive({ name: 'ticket', data: { ticketId: 7, deviceId: 'd1', at: '2026-01-01T00:00:00.000Z' } });
    const got = await waitFor(() => toA[0], 10_000, 'the event in A');
    assert.deepEqual(got, { name: 'ticket', data: { ticketId: 7, deviceId: 'd1', at: '2026-01-01T00:00:00.000Z' } });
    // A marker sent after it shows B's own event did not come back to B.
    a.broadcastLive({ name: 'presence', data: { deviceId: 'd2', online: true, at: '2026-01-01T00:00:00.000Z' } });
    await waitFor(() => toB[0], 10_000, 'the marker in B');
    assert.deepEqual(
      toB.map((m) => m.name),
      ['presence'],
    );
  });

  it("a burst of one process's live events reaches the others whole and in order, in a few NOTIFYs rather than one each", async () => {
    const watcher = await db.connect();
    const notifications: string[] = [];
    watcher.on('notification', (n) => notifications.push(n.payload ?? ''));
    await watcher.query('LISTEN outpost_fleet');
    try {
      const toA: LiveMessage[] = [];
      a.onLive((m) => toA.push(m));
      const sent: LiveMessage[] = Array.from({ length: 300 }, (_, i) => ({
        name: 'inventory',
        data: {
          deviceId: `device-${i}`,
          hostname: `host-${i}`,
          sections: ['software'],
          trigger: 'software-change',
          at: '2026-01-01T00:00:00.000Z',
        },
      }));
      for (const m of sent) b.broadcastLive(m);
      await waitFor(() => toA.length >= sent.length || undefined, 10_000, 'every event in A');
      assert.deepEqual(toA, sent);
      const fromB = notifications.filter((p) => p.includes(b.processId));
      // ~130 bytes an event, 7,500 a payload: 300 events fit in about 6.
      assert.ok(fromB.length >= 2 && fromB.length <= 10, `${fromB.length} NOTIFYs for ${sent.length} events`);
    } finally {
      watcher.release();
    }
  });

  it('a device taking a newer connection in another process closes the old one, which then leaves it online', async () => {
    held.b.add('d1');
    await b.claim('d1');
    held.a.add('d1');
    await a.claim('d1');
    const replaced = await waitFor(() => heard.b.find((s) => s.kind === 'replaced'), 10_000, 'B told to close');
    assert.equal(replaced.deviceId, 'd1');
    assert.equal(await b.release('d1'), false, 'the old process does not take the device offline');
    assert.equal(await online('d1'), true);
    assert.equal(await a.release('d1'), true);
    assert.equal(await online('d1'), false);
  });

  it("takes a silent process's devices offline after the lease, and the process claims them back when it wakes", async () => {
    const orphans: string[] = [];
    b.onOrphansReleased((ids) => orphans.push(...ids));
    await a.claim('d2');
    clock += LEASE_MS - 1;
    await b.tick();
    assert.equal(await online('d2'), true, 'still within the lease');
    clock += 2;
    await b.tick();
    assert.deepEqual(orphans, ['d2']);
    assert.equal(await online('d2'), false);
    assert.equal(await b.toDevice({ deviceId: 'd2', kind: 'command', args: ['scan'] }), false);
    await a.tick(); // A was only paused: its socket is still open.
    assert.equal(await online('d2'), true);
    assert.equal(await b.isLive('d2'), true);
  });

  it('runs a fleet-wide part in exactly one process, and in the other once the holder is gone', async () => {
    const inA = new CountingPart();
    const inB = new CountingPart();
    b.singleton('desk', inB);
    await b.tick();
    a.singleton('desk', inA);
    await a.tick();
    assert.deepEqual([inA.running, inB.running], [false, true]);
    // B's connection dies (as with kill -9, its locks go with it): its part stops, A takes over.
    await cutListener(b);
    await waitFor(() => !inB.running, 10_000, 'the part to stop with its lock');
    await waitFor(
      async () => {
        await a.tick();
        return inA.running;
      },
      10_000,
      'A to take over',
    );
    assert.deepEqual(a.runs, ['desk']);
    assert.deepEqual(b.runs, []);
    assert.equal(inB.starts, 1);
  });

  it('listens again after its connection is cut, without taking a part another process runs', async () => {
    const inA = new CountingPart();
    const inB = new CountingPart();
    b.singleton('sweeper', inB);
    await b.tick();
    a.singleton('sweeper', inA);
    await cutListener(a);
    held.a.add('d3');
    await a.claim('d3');
    // Signals reach A again once its listener is back (a signal sent while it is down is lost).
    await waitFor(
      async () => {
        await b.toDevice({ deviceId: 'd3', kind: 'command', args: ['scan'] });
        await new Promise((r) => setTimeout(r, 100));
        return heard.a.length > 0;
      },
      10_000,
      'a signal through the new connection',
    );
    await a.tick();
    assert.deepEqual([inA.running, inB.running], [false, true]);
  });

  it('a clean stop releases its devices and its fleet-wide parts', async () => {
    const inA = new CountingPart();
    a.singleton('sweeper', inA);
    await a.tick();
    await a.claim('d3');
    assert.equal(inA.running, true);
    await a.stop();
    assert.equal(inA.running, false);
    assert.equal(await online('d3'), false);
    const inB = new CountingPart();
    b.singleton('sweeper', inB);
    await b.tick();
    assert.equal(inB.running, true);
  });
});

describe('LocalFleetBus: one process alone on its store', () => {
  it('delivers in process, runs its parts, and clears every online flag at start and stop', async () => {
    const flags: string[] = [];
    const local = new LocalFleetBus({
      setOnline: async (id, on) => void flags.push(`${id}:${on}`),
      clearOnline: async () => void flags.push('clear'),
      markDevices: async (marks) => void flags.push(...marks.map((m) => `${m.deviceId}:${m.online}`)),
    });
    const part = new CountingPart();
    local.singleton('desk', part);
    local.onDeviceSignal((s) => s.deviceId === 'd1');
    await local.start();
    assert.equal(part.running, true);
    await local.claim('d1');
    assert.equal(await local.isLive('d1'), true);
    assert.equal(await local.toDevice({ deviceId: 'd1', kind: 'command', args: ['scan'] }), true);
    assert.equal(await local.toDevice({ deviceId: 'd2', kind: 'command', args: ['scan'] }), false);
    await local.stop();
    assert.equal(part.running, false);
    assert.deepEqual(flags, ['clear', 'd1:true', 'clear']);
  });

  it('writes a storm tick of connections opening and closing as one write: the last change of each device', async () => {
    const writes: string[][] = [];
    const local = new LocalFleetBus({
      setOnline: async () => assert.fail('one write for the batch, not one per device'),
      clearOnline: async () => undefined,
      markDevices: async (marks) => void writes.push(marks.map((m) => `${m.deviceId}:${m.online}`)),
    });
    const changes = [
      { deviceId: 'd1', online: true },
      { deviceId: 'd2', online: true },
      { deviceId: 'd1', online: false },
    ];
    assert.deepEqual(await local.markMany(changes), [true, true, true]);
    assert.deepEqual(writes, [['d1:false', 'd2:true']]);
    assert.equal(await local.isLive('d1'), false);
    assert.equal(await local.isLive('d2'), true);
  });
});
