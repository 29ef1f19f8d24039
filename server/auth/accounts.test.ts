import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import { SqliteAdminStore } from '../store/sqlite/admin-store.js';
import { openDatabase } from '../store/sqlite/open.js';
import { changeAdminPassword, checkCredentials, createAdminAccount, isValidUsername } from './accounts.js';
import { TEST_SCRYPT } from '../../test/support/server/auth-app.js';

const T0 = Date.UTC(2025, 2, 1);
const PASSWORD = 'correct horse battery staple';

describe('admin accounts', () => {
  let dir: string;
  let db: Database.Database;
  let store: SqliteAdminStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-accounts-'));
    db = openDatabase(dir);
    store = new SqliteAdminStore(db);
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes usernames of letters, digits and . _ @ - up to 64 characters', () => {
    for (const ok of ['alice', 'it.admin', 'j_doe-2', 'ops@corp.example', 'a'.repeat(64)]) assert.ok(isValidUsername(ok), ok);
    for (const bad of ['', ' alice', '-alice', 'al ice', 'ålice', 'a'.repeat(65), 'x\n'])
      assert.ok(!isValidUsername(bad), JSON.stringify(bad));
  });

  it('creates an account once and changes nothing on a bad name, weak password or taken name', async () => {
    await createAdminAccount(store, 'alice', PASSWORD, T0, TEST_SCRYPT);
    await assert.rejects(createAdminAccount(store, 'bad name', PASSWORD, T0, TEST_SCRYPT), { code: 'E_CONFIG' });
    await assert.rejects(createAdminAccount(store, 'bob', 'too short', T0, TEST_SCRYPT), { code: 'E_WEAK_PASSWORD' });
    await assert.rejects(createAdminAccount(store, 'ALICE', 'another long password', T0, TEST_SCRYPT), {
      code: 'E_CONFLICT',
      message: 'An admin named ALICE already exists; "outpost admin passwd ALICE" changes the password.',
    });
    assert.equal(await store.countAdmins(), 1);
    assert.ok((await checkCredentials(store, 'alice', PASSWORD)).admin);
  });

  it('changes a password, or says there is no such admin', async () => {
    await changeAdminPassword(store, 'Alice', 'the second password', T0 + 1, TEST_SCRYPT);
    assert.equal((await checkCredentials(store, 'alice', PASSWORD)).admin, null);
    assert.equal((await checkCredentials(store, 'alice', 'the second password')).admin?.username, 'alice');
    await assert.rejects(changeAdminPassword(store, 'nobody', 'the second password', T0, TEST_SCRYPT), { code: 'E_NOT_FOUND' });
    await assert.rejects(changeAdminPassword(store, 'alice', 'short', T0, TEST_SCRYPT), { code: 'E_WEAK_PASSWORD' });
  });

  it('takes about as long to refuse an unknown username as a wrong password (one full hash each)', async () => {
    await createAdminAccount(store, 'carol', PASSWORD, T0); // the default cost, as in production
    const time = async (username: string) => {
      const started = performance.now();
      const { admin, known } = await checkCredentials(store, username, 'a wrong password here');
      assert.equal(admin, null);
      return { ms: performance.now() - started, known };
    };
    // Interleaved, and the fastest of each kept, so that load from other processes evens out.
    const wrong = [await time('carol')];
    const unknown = [await time('mallory')];
    wrong.push(await time('carol'));
    unknown.push(await time('x'.repeat(300)));
    assert.deepEqual(
      [...wrong, ...unknown].map((r) => r.known),
      [true, true, false, false],
    );
    const fastest = (rs: { ms: number }[]) => Math.min(...rs.map((r) => r.ms));
    const ratio = fastest(unknown) / fastest(wrong);
    // The failure this guards against, answering an unknown name without hashing, is a ratio near 0.
    assert.ok(ratio > 0.33 && ratio < 3, `unknown ${fastest(unknown).toFixed(0)} ms vs wrong ${fastest(wrong).toFixed(0)} ms`);
  });
});
