// The server's HTTP side attacked with a real server process: parallel sign-in guesses beyond the
// lockout are refused without being evaluated, unknown and malformed /api URLs get the documented
// error shape, and a ticket's device details come from the server's record, not the endpoint's claim.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ERROR_CODES } from '../shared/errors.js';
import { hintsFor, machine, fullItem } from './support/server/fixtures.js';
import { TestAgent } from './support/server/test-agent.js';
import { alice, createItem, deviceDetails } from './support/server/ticket-fixtures.js';
import { createToken, runToEnd, startServer, tempDir, waitFor, type ServerProc } from './support/outpost.js';

interface Answer {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
  ms: number;
}

/** One raw HTTP request (the URL is sent exactly as given), from a chosen loopback address. */
function raw(url: string, path: string, opts: { method?: string; body?: object; token?: string; from?: string } = {}): Promise<Answer> {
  const { hostname, port } = new URL(url);
  const payload = opts.body ? JSON.stringify(opts.body) : undefined;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        path,
        method: opts.method ?? 'GET',
        ...(opts.from ? { localAddress: opts.from } : {}),
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Answer['body']) : {}, ms: Date.now() - started }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function documented(a: Answer, status: number, code: keyof typeof ERROR_CODES): void {
  assert.equal(a.status, status, JSON.stringify(a.body));
  assert.equal(a.body.error?.code, code);
  assert.equal(typeof a.body.error?.message, 'string');
}

describe('the HTTP API attacked', () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  let server: ServerProc;

  before(async () => {
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, 'correct horse battery staple\n');
    const created = await runToEnd(['admin', 'create', 'it-admin', '--data', dataDir, '--password-file', passwordFile]);
    assert.equal(created.code, 0, created.output);
    server = await startServer(dataDir);
  });
  after(() => server?.kill());

  it('evaluates at most 10 of 40 parallel guesses from 40 addresses; the rest, and then the right password, are refused as locked', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        raw(server.url, '/api/session', {
          method: 'POST',
          body: { username: 'it-admin', password: `guess-number-${i}` },
          from: `127.0.0.${i + 2}`,
        }),
      ),
    );
    const codes = guesses.map((g) => g.body.error?.code);
    assert.equal(codes.filter((c) => c === 'E_BAD_CREDENTIALS').length, 10, JSON.stringify(codes));
    assert.equal(codes.filter((c) => c === 'E_ACCOUNT_LOCKED').length, 30);
    const right = await raw(server.url, '/api/session', {
      method: 'POST',
      body: { username: 'it-admin', password: 'correct horse battery staple' },
      from: '127.0.0.99',
    });
    documented(right, 429, 'E_ACCOUNT_LOCKED');
  });

  it('answers unknown /api paths 401 without credentials and 404 E_NOT_FOUND with them, in the one error shape', async () => {
    for (const path of ['/api/nope', '/api/devices/x/nope', '/api', '/api/admin/../../etc/passwd']) {
      documented(await raw(server.url, path), 401, 'E_UNAUTHORIZED');
      documented(await raw(server.url, path, { token: server.adminToken }), 404, 'E_NOT_FOUND');
    }
    documented(await raw(server.url, '/api/nope', { method: 'DELETE', token: server.adminToken }), 404, 'E_NOT_FOUND');
  });

  it('answers malformed URLs (bad percent-encoding) with the documented error shape, and keeps serving', async () => {
    for (const path of ['/api/devices/%E0%A4%A', '/api/%', '/api/tickets/%zz', '/%c0%af']) {
      const a = await raw(server.url, path, { token: server.adminToken });
      assert.ok(a.status === 400 || a.status === 404, `${path}: ${a.status}`);
      assert.ok(a.body.error && a.body.error.code in ERROR_CODES, `${path}: ${JSON.stringify(a.body)}`);
    }
    for (const query of ['limit=%zz', 'q=%', 'status=%E0%A4%A', 'limit=1&limit=2', 'q=%00']) {
      const a = await raw(server.url, `/api/tickets?${query}`, { token: server.adminToken });
      assert.ok(a.status === 200 || a.status === 400, `${query}: ${a.status}`);
      if (a.status === 400) assert.ok(a.body.error && a.body.error.code in ERROR_CODES, `${query}: ${JSON.stringify(a.body)}`);
    }
    assert.equal((await raw(server.url, '/api/health')).status, 200);
  });

  it("takes a ticket's device details from the server's record of the authenticated device, not from the endpoint's claim", async () => {
    const agent = await TestAgent.connect(`${server.url.replace(/^http/, 'ws')}/agent`);
    const real = machine({ hostname: 'real-pc', serial: 'SN-REAL-1' });
    const { deviceId } = await agent.enrol(await createToken(dataDir), hintsFor(real, 'install-real'));
    agent.sendItems([fullItem(1, real)]);
    await agent.next('ack');
    // The endpoint claims to be another machine: the CEO's laptop, at another address.
    const claim = deviceDetails('ceo-laptop', {
      deviceId: 'someone-else',
      serial: 'SN-CEO',
      manufacturer: 'Fancy',
      model: 'Gold',
      os: 'Windows 11',
      ip: ['10.9.9.9'],
    });
    agent.sendItems([createItem(2, 'ref-claim', { device: claim, requester: alice })]);
    await agent.next('ack');
    const { body } = await server.api<{ items: { id: number; ref: string }[] }>(`/api/tickets?device=${deviceId}`);
    const id = body.items.find((t) => t.ref === 'ref-claim')!.id;
    const ticket = await waitFor(
      async () => (await server.api<{ hostname: string; device: Record<string, unknown> }>(`/api/tickets/${id}`)).body,
      5_000,
      'the ticket',
    );
    assert.equal(ticket.hostname, 'real-pc');
    assert.equal(ticket.device.deviceId, deviceId);
    assert.equal(ticket.device.hostname, 'real-pc');
    assert.equal(ticket.device.serial, 'SN-REAL-1');
    assert.notEqual(ticket.device.os, 'Windows 11');
    assert.ok(!JSON.stringify(ticket.device).includes('10.9.9.9'), 'the claimed address is not taken');
    agent.ws.close();
  });
});
