// Property-based fuzzing of the HTTP API's URL and query parsing, through the real routes: whatever
// path segment or query string a caller sends, the server answers below 500 and every refusal is
// the documented {"error": {"code", "message"}} with a code from shared/errors.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES } from '../../shared/errors.js';
import { startHarness, type Harness } from '../../test/support/server/harness.js';

const ROUTES = ['/api/devices', '/api/tickets', '/api/software', '/api/tokens', '/api/devices/x/software', '/api/devices/x/changes'];
const KEYS = [
  'limit',
  'offset',
  'cursor',
  'q',
  'status',
  'device',
  'sort',
  'order',
  'os',
  'name',
  'since',
  'before',
  'after',
  'online',
  'platform',
  'version',
];

/** Percent-escapes, broken ones included, among ordinary characters (no whitespace, # or backslash,
 * which the in-process request tool cannot put in a URL). */
const urlText = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('%', '%2', '%zz', '%E0%A4%A', '%00', '%2F', '%25', '..', '/', '&', '=', '#', '+', '?', '%C0%AF', '%FF'),
      fc.integer().map(String),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join('').replace(/[\s#\\]/g, ''));

describe('HTTP query parsing, fuzzed', () => {
  let h: Harness;
  let app: FastifyInstance;
  before(async () => {
    h = await startHarness();
    // In-process requests through the real router, hooks and handlers, without a socket each.
    app = (h.server as unknown as { running: { app: FastifyInstance } }).running.app;
  });
  after(() => h.close());

  const check = async (url: string, token: boolean) => {
    const res = await app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${h.adminToken}` } : {} });
    assert.ok(res.statusCode < 500, `${url}: ${res.statusCode} ${res.body}`);
    if (res.statusCode >= 400) {
      const body = JSON.parse(res.body) as { error?: { code?: string; message?: unknown } };
      assert.ok(body.error?.code !== undefined && body.error.code in ERROR_CODES, `${url}: ${res.body}`);
      assert.equal(typeof body.error.message, 'string');
      // Without credentials nothing under /api is revealed: 401, or 400 for a URL that is not one.
      // As the request arrives: inject, like any HTTP client, resolves dot segments (/api/../x is /x).
      const path = new URL(`http://outpost.invalid${url}`).pathname;
      if (!token && (path === '/api' || path.startsWith('/api/')) && path !== '/api/health')
        assert.ok([400, 401].includes(res.statusCode), `${url}: ${res.statusCode}`);
    }
  };

  it('answers any query string on the list routes with a result or a documented refusal', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), urlText), urlText), { maxLength: 4 }),
        async (route, pairs) => {
          await check(`${route}?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`, true);
        },
      ),
      { numRuns: 6_000 },
    );
  });

  it('answers any path under /api with a documented refusal: 401 without credentials, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/', '/api/devices/', '/api/tickets/', '/api/software/', '/api/tickets/1/attachments/', '/'),
        urlText,
        fc.boolean(),
        async (prefix, rest, token) => {
          await check(`${prefix}${rest}`, token);
        },
      ),
      { numRuns: 6_000 },
    );
  });
});
