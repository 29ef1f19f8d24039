import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../shared/log.js';
import { callAgent } from './client.js';
import type { Caller } from './callers.js';
import { AGENT_STATUS, stubHandlers } from '../../test/fakes/local-handlers.js';
import { LocalApiServer } from './server.js';

type Reply = { id: unknown; ok: boolean; result?: unknown; error?: { code: string; message: string } };

/** Sends raw bytes and returns the first response line. */
function rawCall(path: string, payload: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path, () => socket.write(payload));
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const buf = Buffer.concat(chunks).toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        socket.destroy();
        resolve(JSON.parse(buf.slice(0, nl)) as Reply);
      }
    });
    socket.on('error', reject);
  });
}

const TOKEN = 'alice-token-0123456789';
const line = (request: object) => `${JSON.stringify(request)}\n`;

describe('agent local API', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'outpost-lapi-')), 'agent.sock');
  let scans = 0;
  const callers: Caller[] = [];
  const handlers = stubHandlers({
    status: async (_p, caller) => {
      callers.push(caller);
      return AGENT_STATUS;
    },
    'scan.now': async () => ({ queued: true, changed: ++scans > 0, pendingItems: 1 }),
  });
  const authenticate = (auth: string | undefined) => (auth === TOKEN ? { account: 'alice', admin: false } : undefined);
  let refused = 0;
  const server = new LocalApiServer({ path, handlers, authenticate, onRefused: () => refused++, log: silentLogger });
  const call = <M extends 'status' | 'scan.now'>(method: M) => callAgent<M>(path, method, {} as never, 5_000, { auth: TOKEN });
  before(() => server.start());
  after(() => server.stop());

  it('answers a valid call with its typed result, for the caller its token names', async () => {
    assert.equal((await call('status')).hostname, 'pc');
    assert.deepEqual(callers.at(-1), { account: 'alice', admin: false });
    assert.equal((await call('scan.now')).queued, true);
    assert.equal(scans, 1);
  });

  it('lets every account connect: the token, not the socket, decides', () => {
    assert.equal(statSync(path).mode & 0o777, 0o666);
  });

  it('refuses a caller without a valid token before looking at the method or its params', async () => {
    const before = { scans, calls: callers.length };
    for (const request of [
      { id: 1, method: 'scan.now' },
      { id: 2, method: 'scan.now', auth: 'forged-token-0123456789' },
      { id: 3, method: 'scan.now', auth: '' },
      { id: 4, method: 'disk.format', params: { force: true } },
      { id: 5, method: 'status', auth: TOKEN.slice(0, -1) },
    ]) {
      const reply = await rawCall(path, line(request));
      assert.equal(reply.ok, false);
      assert.equal(reply.error?.code, 'E_NOT_LOGGED_ON', JSON.stringify(request));
      assert.equal(reply.error?.message, 'You are not a logged-on user of this machine.');
      assert.equal(reply.id, request.id);
    }
    assert.deepEqual({ scans, calls: callers.length }, before, 'no handler ran');
    assert.equal(refused, 5, 'each refusal tells the agent to look for newly logged-on users');
  });

  it('refuses bad input with stable codes and runs no handler', async () => {
    assert.equal((await rawCall(path, 'not json\n')).error?.code, 'E_BAD_JSON');
    assert.equal((await rawCall(path, '{"method":"status"}\n')).error?.code, 'E_BAD_REQUEST');
    assert.equal((await rawCall(path, line({ id: 1, method: 'disk.format', auth: TOKEN }))).error?.code, 'E_UNKNOWN_METHOD');
    assert.equal(
      (await rawCall(path, line({ id: 1, method: 'scan.now', params: { force: true }, auth: TOKEN }))).error?.code,
      'E_BAD_REQUEST',
    );
    assert.equal(scans, 1);
    assert.equal((await call('status')).deviceId, 'd1', 'still serving');
  });

  it('answers E_TOO_LARGE to a line over 48 MB once the connection has shown its token, and the client reads the answer', async () => {
    const huge = Buffer.concat([Buffer.from(line({ id: 0, method: 'status', auth: TOKEN })), Buffer.alloc(48 * 1024 * 1024 + 1, 0x61)]);
    const reply = await rawCall(path, huge);
    assert.equal(reply.ok, true, 'the small opening request is answered first');
    const second = await new Promise<Reply>((resolve, reject) => {
      const socket = createConnection(path, () => socket.write(huge));
      let text = '';
      socket.on('data', (d: Buffer) => {
        text += d.toString();
        const lines = text.split('\n');
        if (lines.length > 2) {
          socket.destroy();
          resolve(JSON.parse(lines[1]!) as Reply);
        }
      });
      socket.on('error', reject);
    });
    assert.equal(second.error?.code, 'E_TOO_LARGE');
    assert.match(second.error?.message ?? '', /48 MB/);
    assert.equal(scans, 1);
  });

  it('refuses to start a second agent on the same state directory', async () => {
    const second = new LocalApiServer({ path, handlers, authenticate, log: silentLogger });
    await assert.rejects(second.start(), /Another agent is already running/);
  });

  it('takes over a socket file left by a killed agent', async () => {
    const stalePath = join(mkdtempSync(join(tmpdir(), 'outpost-lapi-')), 'agent.sock');
    const first = new LocalApiServer({ path: stalePath, handlers, authenticate, log: silentLogger });
    await first.start();
    // Simulate kill -9: the listener is gone but the socket file stays.
    (first as unknown as { server: { close(): void; unref(): void } }).server.close();
    const second = new LocalApiServer({ path: stalePath, handlers, authenticate, log: silentLogger });
    await second.start();
    assert.equal((await callAgent(stalePath, 'status', {}, 5_000, { auth: TOKEN })).hostname, 'pc');
    await second.stop();
  });
});
