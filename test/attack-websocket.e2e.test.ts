// Strangers at the agent endpoint of a real server process, with a real agent connected to the same
// server: oversized and compressed-bomb frames before authentication, chatter before an answer, idle
// and slow peers from one address and from many. Each is refused with its code, and the honest agent
// keeps its link (no reconnect) and still delivers a scan (how fast: bench/preauth.mjs, bench/hostile.mjs).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { LIMITS, PROTOCOL_VERSION } from '../shared/protocol.js';
import {
  createToken,
  runToEnd,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  type AgentProc,
  type ServerProc,
} from './support/outpost.js';
import { frame, rawPeer, type RawPeer } from './support/raw-ws.js';

const PER_ADDRESS = 6;
const TOTAL = 18;
// Long enough that a loaded machine opens the 18 idle peers of the cap test before the first is
// closed for idling (which would free a slot and turn the expected 429 into a 101).
const AUTH_TIMEOUT_MS = 5_000;

/** A ws client (permessage-deflate on, as agents have it) from another loopback address. */
async function wsPeer(url: string, localAddress: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/agent`, { perMessageDeflate: true, localAddress });
  ws.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
  });
  return { ws, closed };
}

describe('unauthenticated WebSocket peers against a real server and agent', () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  let server: ServerProc;
  let agent: AgentProc;
  let deviceId: string;
  const connects = () => (agent.output().match(/"msg":"connected"/g) ?? []).length;
  const held: RawPeer[] = [];

  /** Runs `outpost scan --now` and waits until the server acknowledged the agent's outbox. */
  const scanDelivery = async (): Promise<void> => {
    const scan = await runToEnd(['scan', '--now', '--json', '--state', agent.stateDir]);
    assert.equal(scan.code, 0, scan.output);
    await waitFor(
      async () => {
        const s = await agent.status();
        return s.connected && s.pendingItems === 0 ? true : undefined;
      },
      10_000,
      'the agent to deliver its scan',
    );
  };

  before(async () => {
    server = await startServer(dataDir, {
      env: {
        OUTPOST_PREAUTH_PER_ADDRESS: String(PER_ADDRESS),
        OUTPOST_PREAUTH_TOTAL: String(TOTAL),
        OUTPOST_AUTH_TIMEOUT_MS: String(AUTH_TIMEOUT_MS),
      },
    });
    agent = startAgent(server.url, join(dir, 'agent'), await createToken(dataDir));
    deviceId = (await waitForDevice(server)).id;
    await scanDelivery();
  });

  after(async () => {
    for (const p of held) p.socket.destroy();
    await agent?.stop();
    await server?.stop();
  });

  it('closes a pre-auth frame over the small limit with 1009 without reading it', async () => {
    const peer = await rawPeer(server.url, '127.0.0.2');
    assert.equal(peer.status, 101);
    peer.write(frame(JSON.stringify({ type: 'hello', pad: 'x'.repeat(LIMITS.preAuthFrameBytes) })));
    assert.equal((await peer.closed).code, 1009);
  });

  it('stops inflating a compressed bomb at the pre-auth limit: 1009', async () => {
    // 8 MiB of spaces deflate to ~8 KB, under the limit as sent; only the inflated size betrays it.
    const { ws, closed } = await wsPeer(server.url, '127.0.0.3');
    ws.send(' '.repeat(8 * 1024 * 1024));
    assert.equal(await closed, 1009);
  });

  it('closes a peer that sends a second message before the first was answered with 1008', async () => {
    const peer = await rawPeer(server.url, '127.0.0.4');
    const hello = JSON.stringify({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      agentVersion: 't',
      deviceId,
      secret: 'x'.repeat(43),
      hints: { installId: 'attacker-0001', hostname: 'x', macs: [] },
    });
    peer.write(Buffer.concat([frame(hello), frame(hello)]));
    assert.equal((await peer.closed).code, 1008);
  });

  it('refuses idle unauthenticated sockets past the cap per address with 429, and in total with 503', async () => {
    const addresses = ['127.0.1.1', '127.0.1.2', '127.0.1.3'];
    for (const address of addresses) {
      for (let i = 0; i < PER_ADDRESS; i++) {
        const peer = await rawPeer(server.url, address);
        held.push(peer);
        assert.equal(peer.status, 101, `connection ${i + 1} from ${address}`);
      }
    }
    assert.equal((await rawPeer(server.url, '127.0.1.1')).status, 429);
    assert.equal((await rawPeer(server.url, '127.0.1.9')).status, 503);
    const health = await fetch(`${server.url}/api/health`);
    assert.equal(health.status, 200);
    const device = await server.api<{ online: boolean }>(`/api/devices/${deviceId}`);
    assert.equal(device.body.online, true);
  });

  it('closes idle and slow peers after the pre-auth timeout (4000), freeing their slots', async () => {
    const slow = await waitFor(
      async () => {
        const p = await rawPeer(server.url, '127.0.2.1');
        return p.status === 101 ? p : undefined;
      },
      10_000,
      'a slot to free up',
    );
    // A hello trickled a byte at a time never completes within the limit.
    const bytes = frame(
      JSON.stringify({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        agentVersion: 't',
        deviceId,
        secret: 'x'.repeat(43),
        hints: { installId: 'slowloris-01', hostname: 'x', macs: [] },
      }),
    );
    // A byte every 250 ms: the whole hello would take about a minute, many pre-auth periods.
    let sent = 0;
    const trickle = setInterval(() => sent < bytes.length && slow.write(bytes.subarray(sent, ++sent)), 250);
    try {
      const idle = await Promise.all(held.splice(0).map((p) => p.closed));
      assert.ok(
        idle.every((c) => c.code === 4000),
        JSON.stringify(idle.map((c) => c.code)),
      );
      const { code, afterMs } = await slow.closed;
      assert.equal(code, 4000);
      // Bytes that arrived in time earn one more period, once (a hello waiting to be inflated in a
      // storm); a trickle gains no more than that: it is closed long before its hello is complete.
      assert.ok(sent < bytes.length, `closed after ${afterMs} ms, once the whole hello (${bytes.length} bytes) was trickled in`);
    } finally {
      clearInterval(trickle);
    }
    assert.equal((await rawPeer(server.url, '127.0.1.1')).status, 101);
  });

  it('kept the honest agent connected all along, still delivering its scans', async () => {
    assert.equal(connects(), 1, 'the agent reconnected');
    await scanDelivery();
    const { body } = await server.api<{ online: boolean }>(`/api/devices/${deviceId}`);
    assert.equal(body.online, true);
  });
});
