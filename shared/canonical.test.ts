// sameJson must agree with comparing canonical JSON, which the digests and diffs were built on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, sameJson } from './canonical.js';

/** The same value with every object's keys in another order (and undefined fields sprinkled in). */
function reordered(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => reordered(v, seed + i));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  const out: Record<string, unknown> = seed % 3 === 0 ? { extra: undefined } : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[(i + seed) % keys.length]!;
    // defineProperty: a key named __proto__ stays an own field, as JSON.parse makes it.
    Object.defineProperty(out, key, {
      value: reordered((value as Record<string, unknown>)[key], seed + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

describe('sameJson', () => {
  it('is true exactly when the canonical JSON is the same, for any two JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        assert.equal(sameJson(a, b), canonicalJson(a) === canonicalJson(b));
      }),
      { numRuns: 20_000 },
    );
  });

  it('ignores key order and undefined fields, and finds a change anywhere', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.jsonValue(), (a, seed, other) => {
        const b = reordered(a, seed);
        assert.equal(sameJson(a, b), true);
        const wrapped = { x: a, y: [a, 1] };
        const changed = { x: b, y: [b, other] };
        assert.equal(sameJson(wrapped, changed), canonicalJson(1) === canonicalJson(other));
      }),
      { numRuns: 10_000 },
    );
    assert.equal(sameJson({ a: 1 }, { a: 1, b: undefined }), true);
    assert.equal(sameJson({ a: 1 }, { a: 1, b: null }), false);
    assert.equal(sameJson([1, undefined], [1, null]), true);
    assert.equal(sameJson([1], { 0: 1 }), false);
    assert.equal(sameJson('1', 1), false);
  });
});
