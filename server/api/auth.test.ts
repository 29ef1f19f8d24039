import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ADMIN, ADMIN_TOKEN, startAuthTestApp, type AuthTestApp } from '../../test/support/server/auth-app.js';

const HOUR = 3_600_000;
type ErrorBody = { error: { code: string; message: string } };

describe('registerAuth: who may call /api', () => {
  let t: AuthTestApp;
  beforeEach(async () => {
    t = await startAuthTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const call = (method: 'GET' | 'POST', headers: Record<string, string> = {}) =>
    t.app.inject({ method, url: '/api/thing', headers, payload: method === 'POST' ? {} : undefined });
  const code = (res: { json(): unknown }) => (res.json() as ErrorBody).error.code;

  it('accepts the admin token on GET and POST without any CSRF token, as the CLI and scripts send it', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await call(method, { authorization: `Bearer ${ADMIN_TOKEN}` });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { admin: { username: 'admin-token', via: 'token', role: 'admin' } });
    }
  });

  it('refuses a request with no credentials, a wrong token, or a Basic header, even beside a good cookie', async () => {
    const { cookie } = await t.signIn();
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token-wrong-token' },
      { authorization: `Basic ${ADMIN_TOKEN}`, cookie },
    ] as Record<string, string>[]) {
      const res = await call('GET', headers);
      assert.equal(res.statusCode, 401);
      assert.equal(code(res), 'E_UNAUTHORIZED');
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="outpost"');
    }
  });

  it('leaves health, the console files and unknown non-API paths public, and unknown API paths closed', async () => {
    assert.equal((await t.app.inject('/api/health')).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'HEAD', url: '/api/health' })).statusCode, 200);
    assert.equal((await t.app.inject('/assets/app.js')).body, 'console code');
    assert.equal((await t.app.inject('/no/such/page')).statusCode, 404);
    assert.equal((await t.app.inject('/api/no-such-route')).statusCode, 401);
    // However the path is spelled, the matched route decides (the router decodes %61 to "a").
    for (const url of ['/%61pi/thing', '/api//thing', '/api/thing/', '/api/thing?x=/assets']) {
      assert.equal((await t.app.inject(url)).statusCode, 401, url);
    }
  });

  it("accepts the session cookie on GET, and on POST only with the session's x-csrf-token", async () => {
    const { cookie, csrf } = await t.signIn();
    const get = await call('GET', { cookie });
    assert.equal(get.statusCode, 200);
    assert.deepEqual(get.json(), { admin: { username: ADMIN, via: 'session', role: 'admin' } });

    const post = await call('POST', { cookie, 'x-csrf-token': csrf });
    assert.equal(post.statusCode, 200);
    assert.deepEqual(post.json(), { admin: { username: ADMIN, via: 'session', role: 'admin' } });

    const other = await t.signIn();
    for (const headers of [
      { cookie },
      { cookie, 'x-csrf-token': '' },
      { cookie, 'x-csrf-token': csrf.slice(1) },
      { cookie, 'x-csrf-token': other.csrf },
    ] as Record<string, string>[]) {
      const res = await call('POST', headers);
      assert.equal(res.statusCode, 403);
      assert.equal(code(res), 'E_CSRF');
    }
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url: '/api/session', headers: { cookie } });
      assert.equal(res.statusCode, 403, method);
    }
  });

  it('ends a session unused for 8 hours and drops its cookie; use slides it; 7 days end it regardless', async () => {
    const { cookie } = await t.signIn();
    t.clock.now += 7 * HOUR;
    assert.equal((await call('GET', { cookie })).statusCode, 200);
    t.clock.now += 7 * HOUR; // 14 h after sign-in, 7 h after last use
    assert.equal((await call('GET', { cookie })).statusCode, 200);
    t.clock.now += 8 * HOUR + 1;
    const idle = await call('GET', { cookie });
    assert.equal(idle.statusCode, 401);
    assert.match(String(idle.headers['set-cookie']), /^outpost_session=; .*Expires=Thu, 01 Jan 1970/);

    const busy = await t.signIn();
    for (let h = 0; h < 7 * 24; h += 4) {
      t.clock.now += 4 * HOUR;
      const res = await call('GET', { cookie: busy.cookie });
      assert.equal(res.statusCode, h + 4 < 7 * 24 ? 200 : 401, `${h + 4} h after sign-in`);
    }
  });

  it('refuses a cookie value that cannot be a session id', async () => {
    for (const cookie of ['outpost_session=', 'outpost_session=abc', `outpost_session=${'A'.repeat(5000)}`]) {
      assert.equal((await call('GET', { cookie })).statusCode, 401, cookie.slice(0, 30));
    }
  });
});
