// sameJson must agree with comparing canonical JSON, which the digests and diffs were built on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, sameJson } from './canonical.js';
import { firstCanonical } from '../test/support/first-canonical.js';

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

/** The first form canonicalJson had: its output is the contract. */
const firstForm = firstCanonical;

describe('canonicalJson', () => {
  it('writes exactly what the first form wrote, for any JSON value in any key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (a, seed) => {
        assert.equal(canonicalJson(a), firstForm(a));
        assert.equal(canonicalJson(reordered(a, seed)), firstForm(a));
      }),
      { numRuns: 20_000 },
    );
  });

  it('writes exactly what the first form wrote for keys and values JSON orders or drops its own way', () => {
    const keys = fc.constantFrom('a', 'b', '0', '10', '9', '01', '-1', '4294967295', '__proto__', 'toJSON', '', 'é', 'Z');
    const leaf = fc.oneof(
      fc.jsonValue({ maxDepth: 1 }),
      fc.constantFrom(undefined, NaN, -0, Infinity, () => 1, Symbol('s'), new Date(0), new Map([[1, 2]]), Object.create(null)),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(keys, tie('node'), { maxKeys: 5 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, fc.nat(), (a, seed) => {
        assert.equal(canonicalJson(a), firstForm(a));
        const b = reordered(a, seed);
        assert.equal(canonicalJson(b), firstForm(b));
      }),
      { numRuns: 20_000 },
    );
    assert.equal(
      canonicalJson({ b: 1, 10: 2, 9: 3, a: [undefined, { d: undefined, c: 'x' }] }),
      '{"9":3,"10":2,"a":[null,{"c":"x"}],"b":1}',
    );
    assert.equal(canonicalJson(undefined), undefined);
  });

  it('gives objects of the same keys the same output whichever order met them first', () => {
    const seen = [canonicalJson({ y: 1, x: 2 }), canonicalJson({ x: 2, y: 1 }), canonicalJson({ y: 1, x: 2 })];
    assert.deepEqual(seen, ['{"x":2,"y":1}', '{"x":2,"y":1}', '{"x":2,"y":1}']);
  });
});
