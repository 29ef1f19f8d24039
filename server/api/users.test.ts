// Desk technicians as console users, over a real server and the fake desk: sign-in checked by the
// desk, the seat limit refusing the next technician with E_SEAT_LIMIT, import, roles, settings.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { UsersJson } from '../../shared/console-api.js';
import { FakeDesk } from '../../test/fakes/desk-connector.js';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { parseDeskSettings } from '../desk/sync/settings.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('desk technicians as console users', () => {
  let h: Harness;
  const desk = new FakeDesk();

  before(async () => {
    desk.technicians.set('tom', 'toms rt password');
    desk.technicians.set('tina', 'tinas rt password');
    desk.technicians.set('ted', 'teds rt password');
    const settings = parseDeskSettings({ kind: 'rt', url: 'http://rt.invalid', user: 'outpost', secret: 'x' });
    h = await startHarness({ desk: settings, deskConnector: desk });
  });
  after(() => h.close());

  const signIn = (username: string, password: string) =>
    h.api<{ username: string; role: string; error: { code: string; message: string } }>('/api/session', {
      method: 'POST',
      token: null,
      headers: JSON_HEADERS,
      body: JSON.stringify({ username, password }),
    });
  const settings = (body: object) => h.api('/api/users/settings', { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify(body) });
  const users = async () => (await h.api<UsersJson>('/api/users')).body;

  it('refuses technicians until an admin lets them sign in', async () => {
    const res = await signIn('tom', 'toms rt password');
    assert.deepEqual([res.status, res.body.error.code], [401, 'E_BAD_CREDENTIALS']);
    assert.equal(desk.calls.includes('verifyTechnician'), false, 'the desk is not asked');
  });

  it('signs a technician in with the desk password, as the configured role, taking a seat', async () => {
    assert.equal((await settings({ deskSignIn: true, seats: 2, technicianRole: 'operator' })).status, 200);
    const wrong = await signIn('tom', 'not it');
    assert.deepEqual([wrong.status, wrong.body.error.code], [401, 'E_BAD_CREDENTIALS']);
    const stranger = await signIn('mallory', 'toms rt password');
    assert.equal(stranger.status, 401);
    const ok = await signIn('tom', 'toms rt password');
    assert.deepEqual([ok.status, ok.body.username, ok.body.role], [200, 'tom', 'operator']);
    const listed = await users();
    assert.deepEqual(listed.seats, { used: 1, limit: 2 });
    assert.deepEqual(
      listed.items.map((u) => [u.username, u.role, u.source]),
      [['tom', 'operator', 'desk']],
    );
    assert.deepEqual(listed.desk, { signIn: true, import: true });
    // Signing in again takes no second seat.
    assert.equal((await signIn('TOM', 'toms rt password')).status, 200);
    assert.equal((await users()).seats.used, 1);
  });

  it('refuses the technician beyond the seat limit with E_SEAT_LIMIT and a clear message, adding nobody', async () => {
    assert.equal((await signIn('tina', 'tinas rt password')).status, 200);
    const refused = await signIn('ted', 'teds rt password');
    assert.deepEqual([refused.status, refused.body.error.code], [403, 'E_SEAT_LIMIT']);
    assert.match(refused.body.error.message, /All 2 console seats for desk technicians are taken/);
    assert.deepEqual((await users()).seats, { used: 2, limit: 2 });
    // A seat freed by removing a technician lets the next one in.
    assert.equal((await h.api('/api/users/tina', { method: 'DELETE' })).status, 200);
    assert.equal((await signIn('ted', 'teds rt password')).status, 200);
    const imported = await h.api('/api/users', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ username: 'tina' }) });
    assert.deepEqual([imported.status, (imported.body as { error: { code: string } }).error.code], [403, 'E_SEAT_LIMIT']);
  });

  it('imports a technician the desk knows, with a role, and refuses one it does not', async () => {
    await settings({ deskSignIn: false, seats: 3, technicianRole: 'operator' });
    const post = (body: object) => h.api('/api/users', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
    const unknown = await post({ username: 'nobody' });
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'E_NOT_FOUND']);
    const imported = await post({ username: 'tina', role: 'read-only' });
    assert.equal(imported.status, 201);
    // Imported technicians sign in even while first sign-ins are off.
    const res = await signIn('tina', 'tinas rt password');
    assert.deepEqual([res.status, res.body.role], [200, 'read-only']);
    const again = await post({ username: 'tina' });
    assert.deepEqual([again.status, again.body.error.code], [409, 'E_CONFLICT']);
  });

  it('changes a role, refuses bad input, and keeps the settings', async () => {
    const patch = await h.api('/api/users/ted', { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ role: 'admin' }) });
    assert.equal(patch.status, 200);
    const bad = await h.api('/api/users/ted', { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ role: 'root' }) });
    assert.deepEqual([bad.status, bad.body.error.code], [400, 'E_BAD_REQUEST']);
    const badSeats = await settings({ deskSignIn: true, seats: -1, technicianRole: 'operator' });
    assert.equal(badSeats.status, 400);
    assert.deepEqual((await users()).settings, { deskSignIn: false, seats: 3, technicianRole: 'operator' });
    assert.equal((await h.api('/api/users/nobody', { method: 'DELETE' })).status, 404);
  });

  it('answers 503 with the desk error when the desk cannot check a sign-in', async () => {
    desk.down = true;
    try {
      const res = await signIn('ted', 'teds rt password');
      assert.deepEqual([res.status, res.body.error.code], [503, 'E_DESK_UNREACHABLE']);
    } finally {
      desk.down = false;
    }
  });
});
