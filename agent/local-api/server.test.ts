import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../shared/log.js';
import { callAgent } from '../../cli/agent-client.js';
import { LocalApiServer, type LocalHandlers } from './server.js';

/** Sends raw bytes and returns the first response line. */
function rawCall(path: string, payload: string | Buffer): Promise<{ ok: boolean; error?: { code: string } }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path, () => socket.write(payload));
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        socket.destroy();
        resolve(JSON.parse(buf.slice(0, nl)) as { ok: boolean; error?: { code: string } });
      }
    });
    socket.on('error', reject);
  });
}

describe('agent local API', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'outpost-lapi-')), 'agent.sock');
  let scans = 0;
  const handlers: LocalHandlers = {
    status: async () => ({ deviceId: 'd1', hostname: 'pc', connected: true, server: 'ws://x', lastInventoryAt: null, lastTrigger: null, pendingItems: 0, digest: null, agentVersion: '0' }),
    'scan.now': async () => ({ queued: true, changed: ++scans > 0, pendingItems: 1 }),
  };
  const server = new LocalApiServer({ path, handlers, log: silentLogger });
  before(() => server.start());
  after(() => server.stop());

  it('answers a valid call with its typed result', async () => {
    assert.equal((await callAgent(path, 'status', {})).hostname, 'pc');
    assert.equal((await callAgent(path, 'scan.now', {})).queued, true);
    assert.equal(scans, 1);
  });

  it('refuses bad input with stable codes and runs no handler', async () => {
    assert.equal((await rawCall(path, 'not json\n')).error?.code, 'E_BAD_JSON');
    assert.equal((await rawCall(path, '{"method":"status"}\n')).error?.code, 'E_BAD_REQUEST');
    assert.equal((await rawCall(path, '{"id":1,"method":"disk.format"}\n')).error?.code, 'E_UNKNOWN_METHOD');
    assert.equal((await rawCall(path, '{"id":1,"method":"scan.now","params":{"force":true}}\n')).error?.code, 'E_BAD_REQUEST');
    assert.equal((await rawCall(path, Buffer.alloc(2 * 1024 * 1024, 0x61))).error?.code, 'E_TOO_LARGE');
    assert.equal(scans, 1);
    assert.equal((await callAgent(path, 'status', {})).deviceId, 'd1', 'still serving');
  });

  it('refuses to start a second agent on the same state directory', async () => {
    const second = new LocalApiServer({ path, handlers, log: silentLogger });
    await assert.rejects(second.start(), /Another agent is already running/);
  });

  it('takes over a socket file left by a killed agent', async () => {
    const stalePath = join(mkdtempSync(join(tmpdir(), 'outpost-lapi-')), 'agent.sock');
    const first = new LocalApiServer({ path: stalePath, handlers, log: silentLogger });
    await first.start();
    // Simulate kill -9: the listener is gone but the socket file stays.
    (first as unknown as { server: { close(): void; unref(): void } }).server.close();
    const second = new LocalApiServer({ path: stalePath, handlers, log: silentLogger });
    await second.start();
    assert.equal((await callAgent(stalePath, 'status', {})).hostname, 'pc');
    await second.stop();
  });
});
