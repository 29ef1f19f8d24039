// Bad input at the agent endpoint of a real server process: each gets a clear error, and a real
// agent connected at the same time keeps being served.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { snapshotDigest } from '../shared/digest.js';
import { emptySnapshot } from '../shared/delta.js';
import { PROTOCOL_VERSION } from '../shared/protocol.js';
import {
  createToken,
  runToEnd,
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
  deviceId?: string;
  secret?: string;
}

/** A raw protocol client that records every frame and the close code. */
async function connect(url: string): Promise<{ ws: WebSocket; frames: Frame[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/agent`, { perMessageDeflate: true, maxPayload: 64 * 1024 * 1024 });
  const frames: Frame[] = [];
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Frame));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames, closed };
}

const hints = { installId: 'fault-test-install-0001', hostname: 'fault-test', macs: [] };
const nextFrame = (frames: Frame[], type: string, code?: string) =>
  waitFor(() => frames.find((f) => f.type === type && (code === undefined || f.code === code)), 5_000, `a ${type} ${code ?? ''} frame`);

describe('ingest faults against a real server', () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  let server: ServerProc;
  let agent: AgentProc;
  let device: DeviceSummary;

  before(async () => {
    server = await startServer(dataDir);
    agent = startAgent(server.url, join(dir, 'agent'), await createToken(dataDir));
    device = await waitForDevice(server);
  });

  after(async () => {
    await agent?.stop();
    await server?.stop();
  });

  it('answers malformed JSON with E_BAD_JSON', async () => {
    const c = await connect(server.url);
    c.ws.send('{"type": "hello", oops');
    assert.equal((await nextFrame(c.frames, 'error')).code, 'E_BAD_JSON');
    c.ws.terminate();
  });

  it('answers an unknown message type with E_UNKNOWN_TYPE', async () => {
    const c = await connect(server.url);
    c.ws.send(JSON.stringify({ type: 'format-disk', protocol: PROTOCOL_VERSION }));
    assert.equal((await nextFrame(c.frames, 'error')).code, 'E_UNKNOWN_TYPE');
    c.ws.terminate();
  });

  it('closes an oversized frame with 1009 (message too big)', async () => {
    const c = await connect(server.url);
    c.ws.send(Buffer.alloc(17 * 1024 * 1024, 0x20).toString());
    assert.equal(await c.closed, 1009);
  });

  it('refuses a wrong secret with E_AUTH and closes', async () => {
    const c = await connect(server.url);
    c.ws.send(
      JSON.stringify({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        agentVersion: 'test',
        deviceId: device.id,
        secret: 'x'.repeat(43),
        hints,
      }),
    );
    const err = await nextFrame(c.frames, 'error');
    assert.equal(err.code, 'E_AUTH');
    assert.equal(err.fatal, true);
    assert.equal(await c.closed, 4001);
  });

  it('skips a replayed seq with E_SEQ_REPLAYED and records the change once', async () => {
    const c = await connect(server.url);
    c.ws.send(
      JSON.stringify({ type: 'enrol', protocol: PROTOCOL_VERSION, agentVersion: 'test', token: await createToken(dataDir), hints }),
    );
    const enrolled = await nextFrame(c.frames, 'enrolled');
    await nextFrame(c.frames, 'welcome');
    const first = { ...emptySnapshot('fault-test'), os: { platform: 'linux' as const, hostname: 'fault-test' } };
    const full = (seq: number, snapshot: typeof first) => ({
      seq,
      at: new Date().toISOString(),
      kind: 'inventory.full',
      body: { trigger: 'startup', digest: snapshotDigest(snapshot), snapshot },
    });
    // The change is a later inventory's: a first inventory's packages are not copied into the history.
    c.ws.send(JSON.stringify({ type: 'items', items: [full(1, first)] }));
    await nextFrame(c.frames, 'ack');
    const snapshot = { ...first, software: [{ name: 'replayed-pkg', version: '1', source: 'dpkg' as const, scope: 'machine' as const }] };
    const item = full(2, snapshot);
    c.ws.send(JSON.stringify({ type: 'items', items: [item] }));
    await nextFrame(c.frames, 'ack');
    c.ws.send(JSON.stringify({ type: 'items', items: [item] }));
    assert.equal((await nextFrame(c.frames, 'error', 'E_SEQ_REPLAYED')).fatal, false);
    const { body } = await server.api<{ items: { added: { name: string }[] }[] }>(`/api/devices/${enrolled.deviceId}/changes`);
    assert.equal(body.items.filter((ch) => ch.added.some((s) => s.name === 'replayed-pkg')).length, 1);
    c.ws.terminate();
  });

  it('keeps serving the real agent through all of it', async () => {
    const scan = await runToEnd(['scan', '--now', '--json', '--state', agent.stateDir]);
    assert.equal(scan.code, 0, scan.output);
    const status = await waitFor(
      async () => {
        const s = await agent.status();
        return s.pendingItems === 0 && s.connected ? s : undefined;
      },
      10_000,
      'the agent to be connected and drained',
    );
    const { body } = await server.api<{ digest: string; online: boolean }>(`/api/devices/${device.id}`);
    assert.equal(body.online, true);
    assert.equal(body.digest, status.digest);
  });
});
