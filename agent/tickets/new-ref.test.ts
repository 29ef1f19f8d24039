import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRef } from './ticket-desk.js';

describe('newRef', () => {
  it('never starts with "-", so the CLI never reads a reference as an option', () => {
    // 0xf8... encodes to "-" first in base64url: the first draw must be refused.
    const draws = [Buffer.alloc(12, 0xf8), Buffer.alloc(12, 0x41)];
    const ref = newRef(() => draws.shift()!);
    assert.equal(draws.length, 0, 'drew again');
    assert.match(ref, /^[A-Za-z0-9_][A-Za-z0-9_-]{15}$/);
    for (let i = 0; i < 2_000; i++) assert.doesNotMatch(newRef(), /^-/);
  });
});
