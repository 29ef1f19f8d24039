// Console accounts, roles, seats and sessions, on both store engines.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { describeStores, freshStore, type StoreUnderTest } from '../../test/support/stores.js';
import { DEFAULT_CONSOLE_SETTINGS } from '../../shared/roles.js';
import { NO_LOCAL_PASSWORD, type AdminStore } from './admin-records.js';
import { hashSecret, newSecret } from './secrets.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 2, 1, 9);

describeStores('console accounts in the store', (engine) => {
  let kit: StoreUnderTest;
  let store: AdminStore;
  beforeEach(async () => {
    kit = await freshStore(engine);
    store = kit.store.admins;
  });
  afterEach(async () => {
    await kit.dispose();
  });

  const session = (username = 'alice', now = T0) => {
    const idHash = hashSecret(newSecret());
    return { idHash, opened: store.createSession({ idHash, username, csrfToken: 'csrf-1', now }) };
  };

  it('creates an admin once, whatever the case of a second attempt, and finds it in any case', async () => {
    assert.equal(await store.countAdmins(), 0);
    assert.equal(await store.createAdmin('Alice', '$scrypt$h1', T0), true);
    assert.equal(await store.createAdmin('alice', '$scrypt$h2', T0 + 1), false);
    assert.equal(await store.countAdmins(), 1);
    assert.deepEqual(await store.getAdmin('ALICE'), {
      username: 'Alice',
      passwordHash: '$scrypt$h1',
      role: 'admin',
      source: 'local',
      createdAt: T0,
      updatedAt: T0,
    });
    assert.equal(await store.getAdmin('bob'), null);
  });

  it("changes a password, ends that admin's sessions only, and reports an unknown admin", async () => {
    await store.createAdmin('Alice', 'h1', T0);
    await store.createAdmin('bob', 'h1', T0);
    const a = session('Alice');
    const b = session('bob');
    await Promise.all([a.opened, b.opened]);
    assert.equal(await store.setPassword('alice', 'h2', T0 + HOUR), true);
    assert.deepEqual(await store.getAdmin('alice'), {
      username: 'Alice',
      passwordHash: 'h2',
      role: 'admin',
      source: 'local',
      createdAt: T0,
      updatedAt: T0 + HOUR,
    });
    assert.equal(await store.getSession(a.idHash, T0 + HOUR), null);
    assert.equal((await store.getSession(b.idHash, T0 + HOUR))?.username, 'bob');
    assert.equal(await store.setPassword('carol', 'h2', T0), false);
  });

  it('opens sessions only for existing admins, under the stored spelling', async () => {
    await store.createAdmin('Alice', 'h', T0);
    const s = session('ALICE');
    assert.deepEqual(await s.opened, { username: 'Alice', role: 'admin', csrfToken: 'csrf-1', createdAt: T0, expiresAt: T0 + 8 * HOUR });
    await assert.rejects(session('mallory').opened, /No admin named mallory/);
  });

  it('slides the expiry by use, ends a session idle for 8 hours, and caps it at 7 days', async () => {
    await store.createAdmin('alice', 'h', T0);
    const s = session();
    await s.opened;
    // Used every 7 hours: alive, each use pushing the end 8 hours past it.
    let t = T0;
    for (let i = 0; i < 23; i++) {
      t += 7 * HOUR;
      const got = await store.getSession(s.idHash, t);
      assert.ok(got, `alive after ${(t - T0) / HOUR} h`);
      assert.equal(got.expiresAt, Math.min(t + 8 * HOUR, T0 + 7 * DAY));
    }
    // 161 hours in: the 7-day cap (168 h) is nearer than 8 idle hours, and nothing revives it after.
    assert.equal(await store.getSession(s.idHash, T0 + 7 * DAY), null);

    const idle = session('alice', T0);
    await idle.opened;
    assert.ok(await store.getSession(idle.idHash, T0 + 8 * HOUR - 1));
    assert.equal(await store.getSession(idle.idHash, T0 + 16 * HOUR), null);
  });

  it('does not write on every read: the expiry moves only when it gains over a minute', async () => {
    await store.createAdmin('alice', 'h', T0);
    const s = session();
    await s.opened;
    assert.equal((await store.getSession(s.idHash, T0 + 30_000))?.expiresAt, T0 + 8 * HOUR);
    assert.equal((await store.getSession(s.idHash, T0 + 61_000))?.expiresAt, T0 + 61_000 + 8 * HOUR);
  });

  it('deletes one session, and the expired ones in bulk', async () => {
    await store.createAdmin('alice', 'h', T0);
    const [a, b, c] = [session('alice', T0), session('alice', T0 + 2 * HOUR), session('alice', T0 + 3 * HOUR)];
    await Promise.all([a.opened, b.opened, c.opened]);
    await store.deleteSession(c.idHash);
    assert.equal(await store.getSession(c.idHash, T0 + 3 * HOUR), null);
    assert.equal(await store.deleteExpiredSessions(T0 + 9 * HOUR), 1);
    assert.ok(await store.getSession(b.idHash, T0 + 9 * HOUR));
  });

  it('keeps only the hash: the session id itself is nowhere in the database', async () => {
    await store.createAdmin('alice', 'h', T0);
    const id = newSecret();
    await store.createSession({ idHash: hashSecret(id), username: 'alice', csrfToken: 'c', now: T0 });
    const rows = await kit.sql('SELECT * FROM admin_sessions');
    assert.equal(rows.length, 1);
    assert.doesNotMatch(JSON.stringify(rows), new RegExp(id));
  });

  it('adds desk technicians up to the seat limit, counting only technicians, and never twice', async () => {
    await store.createAdmin('alice', 'h', T0);
    assert.equal(await store.addTechnician('tom', 'operator', 2, T0), 'created');
    assert.equal(await store.addTechnician('TOM', 'operator', 2, T0), 'exists');
    assert.equal(await store.addTechnician('tina', 'read-only', 2, T0), 'created');
    assert.equal(await store.addTechnician('ted', 'operator', 2, T0), 'seats-full');
    assert.equal(await store.getAdmin('ted'), null);
    assert.equal(await store.countTechnicians(), 2);
    const tina = await store.getAdmin('tina');
    assert.equal(tina?.source, 'desk');
    assert.equal(tina?.role, 'read-only');
    assert.equal(tina?.passwordHash, NO_LOCAL_PASSWORD);
    // Removing one frees its seat.
    assert.equal(await store.deleteAdmin('tina'), 'ok');
    assert.equal(await store.addTechnician('ted', 'operator', 2, T0), 'created');
  });

  it('gives the last seats to exactly as many sign-ins as there are, however many arrive at once', async () => {
    const added = await Promise.all(['t1', 't2', 't3', 't4', 't5', 't6'].map((name) => store.addTechnician(name, 'operator', 3, T0)));
    assert.equal(added.filter((a) => a === 'created').length, 3);
    assert.equal(added.filter((a) => a === 'seats-full').length, 3);
    assert.equal(await store.countTechnicians(), 3);
  });

  it('changes roles, seen by open sessions at once, and never leaves the console without an admin', async () => {
    await store.createAdmin('alice', 'h', T0);
    await store.addTechnician('tom', 'operator', 5, T0);
    const { idHash } = session('tom');
    assert.equal((await store.getSession(idHash, T0))?.role, 'operator');
    assert.equal(await store.setRole('tom', 'read-only', T0), 'ok');
    assert.equal((await store.getSession(idHash, T0 + 1))?.role, 'read-only');
    assert.equal(await store.setRole('alice', 'operator', T0), 'last-admin');
    assert.equal(await store.deleteAdmin('alice'), 'last-admin');
    assert.equal(await store.setRole('nobody', 'admin', T0), 'not-found');
    assert.equal(await store.setRole('tom', 'admin', T0), 'ok');
    assert.equal(await store.setRole('alice', 'operator', T0), 'ok');
    assert.equal(await store.deleteAdmin('tom'), 'last-admin');
    assert.equal(await store.getSession(idHash, T0 + 2).then((s) => s?.role), 'admin');
  });

  it('keeps the console settings, with defaults before any are saved', async () => {
    assert.deepEqual(await store.getConsoleSettings(), DEFAULT_CONSOLE_SETTINGS);
    const settings = { deskSignIn: true, seats: 3, technicianRole: 'read-only' as const };
    await store.setConsoleSettings(settings);
    assert.deepEqual(await store.getConsoleSettings(), settings);
  });
});
