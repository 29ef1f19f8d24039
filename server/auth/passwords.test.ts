import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOutpostError } from '../../shared/errors.js';
import { DEFAULT_SCRYPT, DUMMY_HASH, checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';
import { TEST_SCRYPT } from '../../test/support/server/auth-app.js';

const PASSWORD = 'correct horse battery staple';

describe('admin passwords', () => {
  it('stores a salted scrypt hash that names its parameters and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword(PASSWORD, TEST_SCRYPT), hashPassword(PASSWORD, TEST_SCRYPT)]);
    assert.match(a, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b, 'a fresh salt each time');
    assert.equal(await verifyPassword(PASSWORD, a), true);
    assert.equal(await verifyPassword(PASSWORD, b), true);
    assert.equal(await verifyPassword('correct horse battery stapler', a), false);
    assert.equal(await verifyPassword(PASSWORD.toUpperCase(), a), false);
  });

  it('hashes at the default cost (N=2^16, r=8, p=2) unless told otherwise', async () => {
    assert.deepEqual(DEFAULT_SCRYPT, { ln: 16, r: 8, p: 2 });
    const started = performance.now();
    const hash = await hashPassword(PASSWORD);
    const ms = performance.now() - started;
    assert.match(hash, /^\$scrypt\$ln=16,r=8,p=2\$/);
    assert.equal(await verifyPassword(PASSWORD, hash), true);
    assert.ok(ms > 50, `a default hash took only ${ms.toFixed(0)} ms`);
  });

  it('matches a password however its accents were composed (NFC)', async () => {
    const composed = 'caf\u00e9 au lait s\u00fbr'; // é and û as single code points
    const decomposed = composed.normalize('NFD');
    assert.notEqual(composed, decomposed);
    assert.equal(await verifyPassword(decomposed, await hashPassword(composed, TEST_SCRYPT)), true);
  });

  it('accepts 12 to 1024 characters, counted as characters, not UTF-16 units', () => {
    const refused = (p: string) => {
      try {
        checkPasswordPolicy(p);
        return null;
      } catch (err) {
        assert.ok(isOutpostError(err));
        return err.code;
      }
    };
    assert.equal(refused('x'.repeat(11)), 'E_WEAK_PASSWORD');
    assert.equal(refused('x'.repeat(12)), null);
    assert.equal(refused('\u{1F511}'.repeat(6)), 'E_WEAK_PASSWORD', 'six emoji are six characters, though twelve UTF-16 units');
    assert.equal(refused('x'.repeat(1024)), null);
    assert.equal(refused('x'.repeat(1025)), 'E_WEAK_PASSWORD');
  });

  it('refuses to hash a password outside the policy', async () => {
    await assert.rejects(hashPassword('short', TEST_SCRYPT), {
      code: 'E_WEAK_PASSWORD',
      message: 'The password must be 12 to 1024 characters long (it has 5).',
    });
  });

  it('answers false, never throws, for a malformed or absurdly costly stored hash', async () => {
    const good = await hashPassword(PASSWORD, TEST_SCRYPT);
    for (const stored of [
      '',
      'plain-text-password',
      good.replace('$scrypt$', '$argon2id$'),
      good.replace('ln=10', 'ln=30'),
      good.replace('p=1', 'p=99'),
      good.slice(0, -20),
    ]) {
      assert.equal(await verifyPassword(PASSWORD, stored), false, stored);
    }
    assert.equal(await verifyPassword('x'.repeat(1025), good), false);
  });

  it('has a dummy hash at the default cost, so checking against it costs what a real check does', () => {
    assert.match(DUMMY_HASH, /^\$scrypt\$ln=16,r=8,p=2\$/);
  });
});
