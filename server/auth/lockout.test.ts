import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignInLockout } from './lockout.js';

const MIN = 60_000;

describe('SignInLockout', () => {
  it('locks a username at the 10th failure within 15 minutes, whatever its case, until the oldest ages out', () => {
    const lockout = new SignInLockout();
    for (let i = 0; i < 9; i++) lockout.recordFailure('Alice', i * MIN);
    assert.equal(lockout.lockedFor('alice', 9 * MIN), 0);
    lockout.recordFailure('ALICE', 9 * MIN);
    assert.equal(lockout.lockedFor('alice', 9 * MIN), 6 * MIN, 'the failure at 0 leaves the window at 15 min');
    assert.equal(lockout.lockedFor('bob', 9 * MIN), 0);
    assert.equal(lockout.lockedFor('alice', 15 * MIN), 0);
    // One more failure at once brings it back: nine are still in the window.
    lockout.recordFailure('alice', 15 * MIN);
    assert.equal(lockout.lockedFor('alice', 15 * MIN), 1 * MIN);
  });

  it('does not lock failures spread wider than the window', () => {
    const lockout = new SignInLockout();
    for (let i = 0; i < 30; i++) {
      lockout.recordFailure('alice', i * 2 * MIN);
      assert.equal(lockout.lockedFor('alice', i * 2 * MIN), 0, `failure ${i + 1}`);
    }
  });

  it('forgets the failures after a success', () => {
    const lockout = new SignInLockout();
    for (let i = 0; i < 9; i++) lockout.recordFailure('alice', 0);
    lockout.recordSuccess('Alice');
    lockout.recordFailure('alice', 0);
    assert.equal(lockout.lockedFor('alice', 0), 0);
  });

  it('tracks a bounded number of usernames, dropping the least recently failed', () => {
    const lockout = new SignInLockout({ maxFailures: 2, windowMs: 15 * MIN, maxTracked: 3 });
    for (const name of ['a', 'a', 'b', 'b', 'c', 'c']) lockout.recordFailure(name, 0);
    lockout.recordFailure('a', 1); // a is now the most recent
    lockout.recordFailure('d', 1);
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((n) => lockout.lockedFor(n, 1) > 0),
      [true, false, true, false],
    );
  });

  it('counts an attempt as it begins, so parallel guesses beyond the limit are refused before any is evaluated', () => {
    const lockout = new SignInLockout();
    const admitted = Array.from({ length: 40 }, () => lockout.beginAttempt('alice', 0)).filter((wait) => wait === 0).length;
    assert.equal(admitted, 10);
    lockout.recordSuccess('alice');
    assert.equal(lockout.beginAttempt('alice', 0), 0, 'a success (of an admitted attempt) clears the count');
  });
});
