import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PreAuthLimiter } from './pre-auth.js';

describe('unauthenticated connection caps', () => {
  it('refuses an address at its cap first, then anyone at the total, and gives slots back once', () => {
    const limiter = new PreAuthLimiter({ perAddress: 2, total: 3 });
    const a1 = limiter.admit('10.0.0.1');
    const a2 = limiter.admit('10.0.0.1');
    assert.ok(a1.ok && a2.ok);
    assert.deepEqual(limiter.admit('10.0.0.1'), { ok: false, refusal: 'address' });
    const b1 = limiter.admit('10.0.0.2');
    assert.ok(b1.ok);
    assert.deepEqual(limiter.admit('10.0.0.3'), { ok: false, refusal: 'total' });
    // Released twice (authenticated, then closed): counted once.
    a1.release();
    a1.release();
    assert.equal(limiter.size, 2);
    assert.ok(limiter.admit('10.0.0.3').ok);
    assert.deepEqual(limiter.admit('10.0.0.1'), { ok: false, refusal: 'total' });
  });
});
