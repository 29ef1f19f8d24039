// What a local account without a token (or with one, holding too many connections) can cost the
// agent: a short line, a short life, a shared cap that never locks out an honest client or the admin.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { callAgent } from './client.js';
import { silentLogger } from '../../shared/log.js';
import type { Caller } from './callers.js';
import { AGENT_STATUS, stubHandlers } from '../../test/fakes/local-handlers.js';
import { LocalApiServer } from './server.js';
import { deadline } from '../../test/support/deadline.js';

type Reply = { id: unknown; ok: boolean; error?: { code: string; message: string } };
const TOKENS: Record<string, Caller> = {
  'alice-token-0123456789': { account: 'alice', admin: false },
  'admin-token-0123456789': { account: 'root', admin: true },
};
const line = (request: object) => `${JSON.stringify(request)}\n`;

/** A connection that collects every answer line and knows when the agent hung up. */
function connect(path: string): Promise<{ socket: Socket; replies: Reply[]; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const replies: Reply[] = [];
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      let nl: number;
      while ((nl = text.indexOf('\n')) >= 0) {
        replies.push(JSON.parse(text.slice(0, nl)) as Reply);
        text = text.slice(nl + 1);
      }
    });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, replies, closed }));
    socket.once('error', reject);
  });
}

async function until(probe: () => boolean, what: string, ms = 3_000): Promise<void> {
  const end = Date.now() + deadline(ms);
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('local API before and beyond authentication', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'outpost-preauth-')), 'agent.sock');
  const handlers = stubHandlers({
    status: async () => AGENT_STATUS,
    'ticket.create': async () => ({ ref: 'R'.repeat(16), status: 'queued' as const, connected: true }),
  });
  const server = new LocalApiServer({
    path,
    handlers,
    authenticate: (auth) => (auth === undefined ? undefined : TOKENS[auth]),
    log: silentLogger,
    limits: { preAuthTimeoutMs: 300, idleTimeoutMs: 400, maxUnauthenticated: 4, maxPerAccount: 2 },
  });
  const status = (auth: string) => callAgent(path, 'status', {}, 5_000, { auth });
  before(() => server.start());
  after(() => server.stop());

  it('cuts a line at 64 KB until the connection has shown a valid token, without waiting for the rest', async () => {
    const c = await connect(path);
    c.socket.write(Buffer.alloc(65 * 1024, 0x61));
    await until(() => c.replies.length > 0, 'the refusal');
    assert.equal(c.replies[0]?.error?.code, 'E_TOO_LARGE');
    assert.match(c.replies[0]?.error?.message ?? '', /64 KB before a valid token/);
    await c.closed;
  });

  it('sends a large request after a small one carrying the token, on the same connection (the client does it)', async () => {
    const big = {
      subject: 'Big',
      description: 'd',
      attachments: [{ name: 'a.bin', contentBase64: Buffer.alloc(300 * 1024).toString('base64') }],
    };
    const created = await callAgent(path, 'ticket.create', big, 5_000, { auth: 'alice-token-0123456789' });
    assert.equal(created.status, 'queued');
    await assert.rejects(callAgent(path, 'ticket.create', big, 5_000, { auth: 'forged-token-0123456789' }), { code: 'E_NOT_LOGGED_ON' });
  });

  it('closes a connection that shows no valid token within the pre-auth time', async () => {
    const c = await connect(path);
    c.socket.write(line({ id: 1, method: 'status', auth: 'forged' }));
    const started = Date.now();
    await c.closed;
    assert.ok(Date.now() - started < 2_000);
    assert.deepEqual(
      c.replies.map((r) => r.error?.code),
      ['E_NOT_LOGGED_ON', 'E_NOT_LOGGED_ON'],
    );
  });

  it('keeps serving an honest client while an attacker holds every unauthenticated slot', async () => {
    const idle = await Promise.all(Array.from({ length: 20 }, () => connect(path)));
    await until(() => server.connectionCounts().unauthenticated <= 4, 'the cap');
    assert.equal((await status('alice-token-0123456789')).hostname, 'pc');
    assert.equal((await status('admin-token-0123456789')).hostname, 'pc');
    await until(() => idle.filter((c) => c.socket.destroyed || c.socket.readableEnded).length >= 16, 'the oldest idle ones dropped');
    const told = idle.flatMap((c) => c.replies).find((r) => r.error?.code === 'E_BUSY');
    assert.equal(told?.id, null, 'a dropped connection is told E_BUSY before any request of it ran (the client retries)');
    for (const c of idle) c.socket.destroy();
  });

  it('caps authenticated connections per account, always leaving the admin token its own', async () => {
    const held = await Promise.all([connect(path), connect(path)]);
    for (const c of held) c.socket.write(line({ id: 1, method: 'status', auth: 'alice-token-0123456789' }));
    await until(() => held.every((c) => c.replies.length === 1), 'both answered');
    assert.deepEqual(server.connectionCounts().accounts, { 'user:alice': 2 });
    await assert.rejects(status('alice-token-0123456789'), { code: 'E_BUSY', message: /already has 2 connections/ });
    assert.equal((await status('admin-token-0123456789')).hostname, 'pc', 'support staff are never locked out by a user');
    // Idle authenticated connections end too, and free the account's slots.
    await Promise.all(held.map((c) => c.closed));
    assert.equal((await status('alice-token-0123456789')).hostname, 'pc');
  });
});
