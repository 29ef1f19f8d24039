import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, BACKOFF_CAP_MS, backoffCeiling, backoffDelay } from './backoff.js';

describe('backoff with full jitter', () => {
  it('doubles the ceiling from one second up to five minutes', () => {
    const ceilings = Array.from({ length: 11 }, (_, n) => backoffCeiling(n));
    assert.deepEqual(ceilings, [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000]);
    assert.equal(backoffCeiling(10_000), BACKOFF_CAP_MS);
  });

  it('waits anywhere from zero up to the ceiling, never beyond', () => {
    for (const attempt of [0, 3, 12]) {
      assert.equal(
        backoffDelay(attempt, () => 0),
        0,
      );
      assert.equal(
        backoffDelay(attempt, () => 0.5),
        backoffCeiling(attempt) / 2,
      );
      assert.ok(backoffDelay(attempt, () => 0.999999) < backoffCeiling(attempt));
      assert.ok(backoffDelay(attempt, () => 1) < backoffCeiling(attempt));
      assert.equal(
        backoffDelay(attempt, () => NaN),
        0,
      );
    }
  });

  it('spreads a fleet over the whole window rather than at its edges', () => {
    const delays = Array.from({ length: 10_000 }, () => backoffDelay(5, Math.random));
    const ceiling = backoffCeiling(5);
    assert.ok(delays.every((d) => d >= 0 && d < ceiling));
    // Each tenth of the window gets roughly a tenth of the agents.
    const buckets = new Array<number>(10).fill(0);
    for (const d of delays) buckets[Math.floor((d / ceiling) * 10)]!++;
    assert.ok(
      buckets.every((b) => b > 800 && b < 1200),
      `uneven spread: ${buckets.join(',')}`,
    );
  });

  it('counts attempts until reset, and can be pushed to a wider window', () => {
    const b = new Backoff(() => 0.5);
    assert.deepEqual([b.next(), b.next(), b.next()], [500, 1000, 2000]);
    b.reset();
    assert.equal(b.next(), 500);
    b.atLeast(5);
    assert.equal(b.next(), 16000);
    b.atLeast(2);
    assert.equal(b.attempt, 6);
  });

  it('never draws from a window narrower than the spread the server announced', () => {
    const backoff = new Backoff(() => 0.5);
    backoff.spreadOver(60_000);
    assert.deepEqual([backoff.next(), backoff.next()], [30_000, 30_000]);
    for (let i = 0; i < 10; i++) backoff.next();
    assert.equal(backoff.next(), BACKOFF_CAP_MS / 2, 'a wider backoff ceiling still wins');
    backoff.reset();
    backoff.spreadOver(0);
    assert.equal(backoff.next(), 500);
  });
});
