// Roles on every route: the table names each registered /api route, and a signed-in user below a
// route's role is refused with 403 E_FORBIDDEN before anything runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Role } from '../../shared/roles.js';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { TEST_SCRYPT } from '../../test/support/server/auth-app.js';
import { createAdminAccount } from '../auth/accounts.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { PUBLIC_ROUTES, ROUTE_ROLES, minimumRole } from './roles.js';

const PASSWORD = 'correct horse battery staple';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
}

/** "POST /api/tickets/:id/notes" for every operation the API reference lists under /api. */
async function registeredRoutes(h: Harness): Promise<string[]> {
  const { body } = await h.api<OpenApiDoc>('/api/openapi.json');
  const routes: string[] = [];
  for (const [path, ops] of Object.entries(body.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const method of Object.keys(ops)) routes.push(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
  }
  return routes.sort();
}

describe('roles on every /api route', () => {
  let h: Harness;
  let routes: string[];
  const sessions = new Map<Role, { cookie: string; csrf: string }>();

  before(async () => {
    h = await startHarness();
    // Accounts as `outpost admin create` makes them: straight into the server's database.
    const store = SqliteStore.open(h.dataDir);
    try {
      for (const role of ['admin', 'operator', 'read-only'] as const) {
        await createAdminAccount(store.admins, `user-${role}`, PASSWORD, Date.now(), TEST_SCRYPT);
        if (role !== 'admin') assert.equal(await store.admins.setRole(`user-${role}`, role, Date.now()), 'ok');
      }
    } finally {
      await store.close();
    }
    for (const role of ['read-only', 'operator', 'admin'] as const) {
      const res = await fetch(`${h.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `user-${role}`, password: PASSWORD }),
      });
      assert.equal(res.status, 200);
      const info = (await res.json()) as { csrfToken: string; role: string };
      assert.equal(info.role, role, 'the session says which role it has');
      sessions.set(role, { cookie: res.headers.getSetCookie()[0]!.split(';')[0]!, csrf: info.csrfToken });
    }
    routes = await registeredRoutes(h);
  });
  after(() => h.close());

  const call = (role: Role, route: string) => {
    const [method, path] = route.split(' ') as [string, string];
    const s = sessions.get(role)!;
    return h.api(path.replace(/:\w+/g, '1'), {
      method,
      token: null,
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...(SAFE.has(method) ? {} : { 'content-type': 'application/json' }) },
      ...(SAFE.has(method) ? {} : { body: '{}' }),
    });
  };

  it('names a least role for every registered route, and lists no route that does not exist', () => {
    assert.ok(routes.length > 30, `the reference lists the API (${routes.length} routes)`);
    const missing = routes.filter((r) => !PUBLIC_ROUTES.has(r) && !(r in ROUTE_ROLES));
    assert.deepEqual(missing, [], 'routes without a role');
    const stale = Object.keys(ROUTE_ROLES).filter((r) => !routes.includes(r));
    assert.deepEqual(stale, [], 'roles for routes that do not exist');
  });

  it('refuses every state-changing route to a read-only user with 403 E_FORBIDDEN', async () => {
    const changing = routes.filter((r) => !SAFE.has(r.split(' ')[0]!) && !PUBLIC_ROUTES.has(r) && !r.endsWith(' /api/session'));
    assert.ok(changing.length >= 15, `state-changing routes: ${changing.join(', ')}`);
    for (const route of changing) {
      const { status, body } = await call('read-only', route);
      assert.equal(status, 403, route);
      assert.equal(body.error.code, 'E_FORBIDDEN', route);
      assert.match(body.error.message, /needs the (operator|admin) role; user-read-only is read-only/);
    }
  });

  it('lets a read-only user read, an operator work tickets but not manage, and an admin everything', async () => {
    for (const route of routes.filter((r) => r.startsWith('GET ') && minimumRole('GET', r.slice(4)) === 'read-only')) {
      if (route === 'GET /api/events') continue; // a stream that stays open
      const { status } = await call('read-only', route);
      assert.notEqual(status, 403, route);
    }
    const patch = await call('operator', 'PATCH /api/tickets/:id');
    assert.equal(patch.status, 400, 'past the role check, the body is checked');
    const tokens = await call('operator', 'POST /api/tokens');
    assert.equal(tokens.status, 403);
    const users = await call('operator', 'GET /api/users');
    assert.equal(users.status, 403);
    const asAdmin = await call('admin', 'GET /api/users');
    assert.equal(asAdmin.status, 200);
    // The admin token is an admin.
    assert.equal((await h.api('/api/users')).status, 200);
  });

  it('applies a role change to a session already open', async () => {
    const store = SqliteStore.open(h.dataDir);
    try {
      assert.equal(await store.admins.setRole('user-operator', 'read-only', Date.now()), 'ok');
    } finally {
      await store.close();
    }
    const { status } = await call('operator', 'POST /api/tickets/:id/notes');
    assert.equal(status, 403);
  });
});
