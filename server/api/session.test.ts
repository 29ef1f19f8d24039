import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { SessionInfo } from '../../shared/http-api.js';
import { ADMIN, PASSWORD, TEST_SCRYPT, startAuthTestApp, type AuthTestApp } from '../../test/support/server/auth-app.js';
import { changeAdminPassword } from '../auth/accounts.js';

const HOUR = 3_600_000;
type ErrorBody = { error: { code: string; message: string } };
const errorOf = (res: { json(): unknown }) => (res.json() as ErrorBody).error;

describe('/api/session: sign-in, session, sign-out', () => {
  let t: AuthTestApp;
  beforeEach(async () => {
    t = await startAuthTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const attempt = (username: string, password: string, remoteAddress = '127.0.0.1') =>
    t.app.inject({ method: 'POST', url: '/api/session', payload: { username, password }, remoteAddress });

  it('signs in with an HttpOnly, SameSite=Strict cookie and answers the session with its CSRF token', async () => {
    const { res, cookie } = await t.signIn();
    assert.equal(res.statusCode, 200);
    const info = res.json<SessionInfo>();
    assert.equal(info.username, ADMIN);
    assert.match(info.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(info.expiresAt, new Date(t.clock.now + 8 * HOUR).toISOString());
    assert.equal(res.headers['cache-control'], 'no-store');
    const setCookie = String(res.headers['set-cookie']);
    assert.match(setCookie, /^outpost_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.doesNotMatch(setCookie, /Secure/); // plain http here; over TLS the flag is added

    const again = await t.app.inject({ url: '/api/session', headers: { cookie } });
    assert.deepEqual(again.json(), info);
    const anonymous = await t.app.inject('/api/session');
    assert.equal(anonymous.statusCode, 401);
  });

  it('answers a wrong password and an unknown user alike: 401 E_BAD_CREDENTIALS, no cookie', async () => {
    const wrong = await attempt(ADMIN, 'not the password at all');
    const unknown = await attempt('mallory', PASSWORD);
    const malformed = await attempt('<script>', PASSWORD);
    for (const res of [wrong, unknown, malformed]) {
      assert.equal(res.statusCode, 401);
      assert.deepEqual(errorOf(res), { code: 'E_BAD_CREDENTIALS', message: 'The username or password is wrong.' });
      assert.equal(res.headers['set-cookie'], undefined);
    }
    assert.equal((await attempt(ADMIN.toUpperCase(), PASSWORD)).statusCode, 200, 'usernames ignore case');
  });

  it('refuses the 11th attempt within a minute from one address with 429 E_RATE_LIMITED and retry-after', async () => {
    for (let i = 1; i <= 9; i++) assert.equal((await attempt(ADMIN, `wrong password ${i}`)).statusCode, 401);
    assert.equal((await attempt(ADMIN, PASSWORD)).statusCode, 200, 'successes count too');
    const limited = await attempt(ADMIN, PASSWORD);
    assert.equal(limited.statusCode, 429);
    assert.equal(errorOf(limited).code, 'E_RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 60, `retry-after ${retryAfter}`);
    assert.equal((await attempt(ADMIN, PASSWORD, '10.0.0.2')).statusCode, 200, 'another address is not limited');
  });

  it('locks a username after 10 failures in 15 minutes from any addresses, even for the right password', async () => {
    for (let i = 1; i <= 10; i++) assert.equal((await attempt(ADMIN, `wrong password ${i}`, `10.0.1.${i}`)).statusCode, 401);
    const locked = await attempt(ADMIN, PASSWORD, '10.0.2.1');
    assert.equal(locked.statusCode, 429);
    assert.equal(errorOf(locked).code, 'E_ACCOUNT_LOCKED');
    assert.equal(locked.headers['retry-after'], '900');
    assert.equal((await attempt('bob', 'whatever password', '10.0.2.2')).statusCode, 401, 'other usernames are not locked');
    t.clock.now += 15 * 60_000;
    assert.equal((await attempt(ADMIN, PASSWORD, '10.0.2.3')).statusCode, 200);
  });

  it('signs out: the session ends, the cookie is cleared and no longer opens anything', async () => {
    const { cookie, csrf } = await t.signIn();
    const refused = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });
    assert.equal(errorOf(refused).code, 'E_CSRF', 'a sign-out without the CSRF token could be forged');
    const out = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie, 'x-csrf-token': csrf } });
    assert.equal(out.statusCode, 200);
    assert.deepEqual(out.json(), { ok: true });
    assert.match(
      String(out.headers['set-cookie']),
      /^outpost_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 .*HttpOnly; SameSite=Strict/,
    );
    assert.equal((await t.app.inject({ url: '/api/thing', headers: { cookie } })).statusCode, 401);
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/api/thing', headers: { cookie, 'x-csrf-token': csrf }, payload: {} })).statusCode,
      401,
    );
  });

  it('replaces the session a browser already had when it signs in again', async () => {
    const first = await t.signIn();
    const second = await t.signIn(PASSWORD, { cookie: first.cookie });
    assert.notEqual(second.cookie, first.cookie);
    assert.equal((await t.app.inject({ url: '/api/thing', headers: { cookie: first.cookie } })).statusCode, 401);
    assert.equal((await t.app.inject({ url: '/api/thing', headers: { cookie: second.cookie } })).statusCode, 200);
  });

  it('ends every session of an admin whose password changes', async () => {
    const { cookie } = await t.signIn();
    await changeAdminPassword(t.admins, ADMIN, 'a brand new passphrase', t.clock.now, TEST_SCRYPT);
    assert.equal((await t.app.inject({ url: '/api/thing', headers: { cookie } })).statusCode, 401);
    assert.equal((await t.signIn()).res.statusCode, 401);
    assert.equal((await t.signIn('a brand new passphrase')).res.statusCode, 200);
  });

  it('cannot be forged from another site: only JSON bodies, and an Origin must be this host', async () => {
    const form = (type: string, payload: string) =>
      t.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': type }, payload });
    for (const [type, payload] of [
      ['text/plain', JSON.stringify({ username: ADMIN, password: PASSWORD })],
      ['application/x-www-form-urlencoded', `username=${ADMIN}&password=${encodeURIComponent(PASSWORD)}`],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="username"\r\n\r\n${ADMIN}\r\n--x--\r\n`],
    ] as const) {
      const res = await form(type, payload);
      assert.equal(res.statusCode, 415, type);
      assert.equal(res.headers['set-cookie'], undefined);
    }
    for (const origin of ['https://evil.example', 'null', 'http://localhost:8080']) {
      const { res } = await t.signIn(PASSWORD, { origin });
      assert.equal(res.statusCode, 403, origin);
      assert.equal(errorOf(res).code, 'E_CSRF');
    }
    assert.equal((await t.signIn(PASSWORD, { origin: 'http://localhost', host: 'localhost' })).res.statusCode, 200);
    assert.equal((await t.signIn(PASSWORD, { origin: 'http://outpost.corp:7040', host: 'outpost.corp:7040' })).res.statusCode, 200);
  });

  it('refuses a body without a username and password as a bad request', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { user: ADMIN } });
    assert.equal(res.statusCode, 400);
    assert.equal(errorOf(res).code, 'E_BAD_REQUEST');
  });

  it('never logs a password, a session id or a CSRF token, nor a "username" that is no admin', async () => {
    const { cookie, csrf } = await t.signIn();
    await attempt(ADMIN, 'wrong password 12345');
    await attempt('hunter2-typed-in-the-wrong-field', PASSWORD);
    await t.app.inject({ method: 'POST', url: '/api/thing', headers: { cookie }, payload: {} });
    await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie, 'x-csrf-token': csrf } });

    const logged = t.log.text();
    assert.deepEqual(
      t.log.entries.map((e) => e.msg),
      [
        'admin signed in',
        'admin sign-in failed',
        'admin sign-in failed',
        'request refused: missing or wrong CSRF token',
        'admin signed out',
      ],
    );
    for (const secret of [PASSWORD, 'wrong password 12345', 'hunter2', cookie.split('=')[1]!, csrf]) {
      assert.ok(!logged.includes(secret), `the log holds ${secret}`);
    }
    assert.equal(t.log.entries[1]!.fields.username, ADMIN);
  });
});
