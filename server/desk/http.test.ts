// DeskHttp against a real local HTTP server: what each kind of failure becomes, and what is logged.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { integrationLevel, type DeskCapabilities } from './connector.js';
import { isDeskError, type DeskErrorCode } from './errors.js';
import { DeskHttp } from './http.js';
import { deadline } from '../../test/support/deadline.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes: Record<string, Handler> = {
  '/ok': (req, res) => res.end(JSON.stringify({ ua: req.headers['user-agent'] })),
  '/down': (_q, res) => res.writeHead(503).end('maintenance'),
  '/slow-down': (_q, res) => res.writeHead(429, { 'Retry-After': '7' }).end(),
  '/who': (_q, res) => res.writeHead(401).end(JSON.stringify({ message: 'Unauthorized' })),
  '/gone': (_q, res) => res.writeHead(404).end(),
  '/changed': (_q, res) => res.writeHead(412).end(),
  '/bad': (_q, res) => res.writeHead(400).end(JSON.stringify({ message: 'Subject is required' })),
  '/login': (_q, res) => res.writeHead(302, { Location: '/NoAuth/Login.html?next=abc' }).end(),
  '/huge': (_q, res) => res.end('x'.repeat(5000)),
  '/hang': () => undefined,
};

/** Long enough that a loaded machine's slow answer is not taken for the hang this tests. */
const TIMEOUT_MS = deadline(300);

describe('DeskHttp', () => {
  let server: Server;
  let base = '';
  const log = new RecordingLogger();
  const http = () =>
    new DeskHttp({
      baseUrl: base,
      headers: { Authorization: 'Bearer s3cret-token' },
      timeoutMs: TIMEOUT_MS,
      maxResponseBytes: 1000,
      log,
      describeError: (body) => (JSON.parse(body) as { message?: string }).message,
    });

  before(async () => {
    server = createServer((req, res) => (routes[req.url ?? ''] ?? routes['/gone']!)(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    for (const path of Object.keys(routes)) routes[`/api${path}`] = routes[path]!;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('identifies itself without "Mozilla" and returns 2xx answers', async () => {
    const res = await http().send({ method: 'GET', path: '/ok' });
    const ua = (JSON.parse(res.text) as { ua: string }).ua;
    assert.match(ua, /^Outpost\//);
    assert.doesNotMatch(ua, /mozilla/i);
  });

  const cases: [string, DeskErrorCode, boolean, RegExp][] = [
    ['/down', 'E_DESK_UNAVAILABLE', true, /503: maintenance/],
    ['/slow-down', 'E_DESK_RATE_LIMITED', true, /429/],
    ['/who', 'E_DESK_AUTH', false, /401: Unauthorized/],
    ['/gone', 'E_DESK_NOT_FOUND', false, /404/],
    ['/changed', 'E_DESK_CONFLICT', true, /412/],
    ['/bad', 'E_DESK_REJECTED', false, /400: Subject is required/],
    ['/login', 'E_DESK_BAD_RESPONSE', false, /redirected to \/NoAuth\/Login\.html/],
    ['/huge', 'E_DESK_BAD_RESPONSE', false, /larger than the limit/],
    ['/hang', 'E_DESK_UNREACHABLE', true, new RegExp(`no answer within ${TIMEOUT_MS} ms`)],
  ];
  for (const [path, code, retryable, message] of cases) {
    it(`turns ${path} into ${code} (${retryable ? '' : 'not '}retryable)`, async () => {
      await assert.rejects(
        http().send({ method: 'GET', path }),
        (e) => isDeskError(e) && e.code === code && e.retryable === retryable && message.test(e.message),
      );
    });
  }

  it('passes on Retry-After', async () => {
    await assert.rejects(http().send({ method: 'GET', path: '/slow-down' }), (e) => isDeskError(e) && e.retryAfterMs === 7000);
  });

  it('reports a desk nobody listens on as unreachable and retryable', async () => {
    const closed = new DeskHttp({ baseUrl: 'http://127.0.0.1:9', headers: {}, log });
    await assert.rejects(
      closed.send({ method: 'GET', path: '/x' }),
      (e) => isDeskError(e) && e.code === 'E_DESK_UNREACHABLE' && e.retryable,
    );
  });

  it('refuses credentials in the URL and never logs the auth header', () => {
    assert.throws(() => new DeskHttp({ baseUrl: 'https://u:p@desk.example.com', headers: {}, log }), /secret file/);
    assert.ok(log.entries.length > 0);
    assert.doesNotMatch(log.text(), /s3cret-token/);
  });
});

describe('integration level', () => {
  const all: DeskCapabilities = {
    createTickets: true,
    attachments: true,
    notesToDesk: true,
    worklogs: true,
    assets: true,
    readStatus: true,
    readNotes: true,
    updateStatus: true,
    ticketKeys: true,
    noteKeys: true,
    softwareCatalog: true,
    accountLookup: true,
  };
  it('follows from what a connector can do', () => {
    assert.equal(integrationLevel(all), 'two-way');
    assert.equal(integrationLevel({ ...all, updateStatus: false }), 'status-sync');
    assert.equal(integrationLevel({ ...all, readNotes: false }), 'status-sync');
    assert.equal(integrationLevel({ ...all, readStatus: false }), 'log-only');
  });
});
