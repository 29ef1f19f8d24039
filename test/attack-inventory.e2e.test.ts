// An enrolled device turned hostile, against a real server with a real honest agent beside it. It
// speaks the wire protocol with its valid device secret and sends deltas that would grow its software
// past SNAPSHOT_LIMITS (refused with E_SNAPSHOT_LIMIT, nothing stored) and large valid delta batches.
// The honest agent keeps its link and its data, and /api/health keeps answering.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { diffSnapshots, emptySnapshot } from '../shared/delta.js';
import { snapshotDigest } from '../shared/digest.js';
import { SNAPSHOT_LIMITS, type Snapshot, type Software } from '../shared/inventory.js';
import { PROTOCOL_VERSION } from '../shared/protocol.js';
import {
  createToken,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  type AgentProc,
  type DeviceSummary,
  type ServerProc,
} from './support/outpost.js';

interface Frame {
  type: string;
  code?: string;
  fatal?: boolean;
  seq?: number;
  command?: string;
  deviceId?: string;
}

const pkgs = (prefix: string, n: number): Software[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i}`, version: '1', source: 'dpkg', scope: 'machine' }));
const at = () => new Date().toISOString();

/** The attacker: a raw protocol client holding a real device's credentials. */
async function hostileDevice(url: string, token: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/agent`, { perMessageDeflate: true, maxPayload: 64 * 1024 * 1024 });
  const frames: Frame[] = [];
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Frame));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = (pred: (f: Frame) => boolean, what: string) => {
    const from = frames.length;
    return () => waitFor(() => frames.slice(from).find(pred), 60_000, what);
  };
  const welcome = next((f) => f.type === 'welcome', 'welcome');
  ws.send(
    JSON.stringify({
      type: 'enrol',
      protocol: PROTOCOL_VERSION,
      agentVersion: 'attacker',
      token,
      hints: { installId: 'attacker-install-0001', hostname: 'attacker', macs: [] },
    }),
  );
  const deviceId = (await welcome()).deviceId!;
  let seq = 0;
  /** Sends one batch and waits for its ack; returns the frames the server answered with. */
  const batch = async (items: object[]) => {
    const from = frames.length;
    const ack = next((f) => f.type === 'ack', 'ack');
    ws.send(JSON.stringify({ type: 'items', items }));
    await ack();
    return frames.slice(from);
  };
  return { ws, deviceId, batch, seq: () => ++seq };
}

describe('a hostile device against the inventory ingest', () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  let server: ServerProc;
  let agent: AgentProc;
  let honest: DeviceSummary;
  let honestBefore: { digest: string; softwareCount: number };
  const health: number[] = [];
  let probing = true;
  let prober: Promise<void> = Promise.resolve();

  before(async () => {
    server = await startServer(dataDir);
    agent = startAgent(server.url, join(dir, 'agent'), await createToken(dataDir));
    honest = await waitForDevice(server);
    const status = await waitFor(
      async () => {
        const s = await agent.status();
        return s.pendingItems === 0 && s.connected ? s : undefined;
      },
      20_000,
      'the honest agent to be drained',
    );
    const { body } = await server.api<{ digest: string; softwareCount: number }>(`/api/devices/${honest.id}`);
    assert.equal(body.digest, status.digest);
    honestBefore = { digest: body.digest, softwareCount: body.softwareCount };
    // /api/health, asked every 50 ms through the whole attack.
    prober = (async () => {
      while (probing) {
        const t0 = performance.now();
        await (await fetch(`${server.url}/api/health`)).text();
        health.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
  });

  after(async () => {
    probing = false;
    await prober;
    await agent?.stop();
    await server?.stop();
  });

  it('refuses a delta that would grow the software past the limit with E_SNAPSHOT_LIMIT and stores nothing of it', async () => {
    const device = await hostileDevice(server.url, await createToken(dataDir));
    const base: Snapshot = { ...emptySnapshot('attacker'), os: { platform: 'linux', hostname: 'attacker' }, software: pkgs('base', 1) };
    const digest = snapshotDigest(base);
    await device.batch([{ seq: device.seq(), at: at(), kind: 'inventory.full', body: { trigger: 'startup', digest, snapshot: base } }]);
    const changesBefore = (await server.api<{ items: unknown[] }>(`/api/devices/${device.deviceId}/changes`)).body.items.length;

    // As many new packages as one delta may carry: with the one already there, one past the limit.
    const grown: Snapshot = { ...base, software: [...base.software, ...pkgs('flood', SNAPSHOT_LIMITS.software)] };
    const seq = device.seq();
    const answer = await device.batch([
      {
        seq,
        at: at(),
        kind: 'inventory.delta',
        body: { trigger: 'software-change', baseDigest: digest, digest: snapshotDigest(grown), delta: diffSnapshots(base, grown) },
      },
    ]);

    const refusal = answer.find((f) => f.type === 'error');
    assert.equal(refusal?.code, 'E_SNAPSHOT_LIMIT');
    assert.equal(refusal?.seq, seq);
    assert.equal(refusal?.fatal, false);
    assert.ok(
      answer.some((f) => f.type === 'command' && f.command === 'full-snapshot'),
      'the server asks for a full snapshot',
    );
    const { body } = await server.api<{ softwareCount: number; digest: string }>(`/api/devices/${device.deviceId}`);
    assert.equal(body.softwareCount, 1);
    assert.equal(body.digest, digest);
    assert.equal((await server.api<{ items: unknown[] }>(`/api/devices/${device.deviceId}/changes`)).body.items.length, changesBefore);
    assert.equal(device.ws.readyState, WebSocket.OPEN, 'a refused delta does not end the connection');
    device.ws.terminate();
  });

  it('applies large valid delta batches in full, digest for digest', async () => {
    const device = await hostileDevice(server.url, await createToken(dataDir));
    let snapshot: Snapshot = {
      ...emptySnapshot('attacker'),
      os: { platform: 'linux', hostname: 'attacker' },
      software: pkgs('base', 10_000),
    };
    await device.batch([
      { seq: device.seq(), at: at(), kind: 'inventory.full', body: { trigger: 'startup', digest: snapshotDigest(snapshot), snapshot } },
    ]);
    for (let round = 0; round < 2; round++) {
      const items = [];
      for (let i = 0; i < 4; i++) {
        const next: Snapshot = { ...snapshot, software: [...snapshot.software.slice(5_000), ...pkgs(`swap-${round}-${i}`, 5_000)] };
        items.push({
          seq: device.seq(),
          at: at(),
          kind: 'inventory.delta',
          body: {
            trigger: 'software-change',
            baseDigest: snapshotDigest(snapshot),
            digest: snapshotDigest(next),
            delta: diffSnapshots(snapshot, next),
          },
        });
        snapshot = next;
      }
      const answer = await device.batch(items);
      assert.deepEqual(
        answer.filter((f) => f.type === 'error'),
        [],
      );
    }
    const { body } = await server.api<{ softwareCount: number; digest: string }>(`/api/devices/${device.deviceId}`);
    assert.equal(body.softwareCount, 10_000);
    assert.equal(body.digest, snapshotDigest(snapshot));
    device.ws.terminate();
  });

  it('kept the honest agent connected with its data, and /api/health answering', async () => {
    const status = await agent.status();
    assert.equal(status.connected, true);
    const { body } = await server.api<{ digest: string; softwareCount: number; online: boolean }>(`/api/devices/${honest.id}`);
    assert.equal(body.online, true);
    assert.equal(body.digest, honestBefore.digest);
    assert.equal(body.softwareCount, honestBefore.softwareCount);
    assert.ok(health.length > 10, `health was asked ${health.length} times`);
    const sorted = [...health].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    assert.ok(median < 100, `median /api/health latency ${median.toFixed(0)} ms`);
  });
});
