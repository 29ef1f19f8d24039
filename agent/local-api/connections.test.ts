import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionBook, type Tracked } from './connections.js';

const alice = { account: 'alice', admin: false };
const admin = { account: 'root', admin: true };
const root = { account: 'root', admin: false };

describe('who holds the local API connections', () => {
  it('drops the oldest unauthenticated connection for a new one beyond the cap', () => {
    const book = new ConnectionBook<Tracked>({ maxUnauthenticated: 2, maxPerAccount: 2 });
    const [a, b, c] = [{}, {}, {}];
    assert.equal(book.open(a), undefined);
    assert.equal(book.open(b), undefined);
    assert.equal(book.open(c), a);
    assert.equal(book.counts().unauthenticated, 2);
  });

  it('moves a connection to its account at its first valid token, caps each account, and keeps the admin token apart', () => {
    const book = new ConnectionBook<Tracked>({ maxUnauthenticated: 8, maxPerAccount: 2 });
    const conns = Array.from({ length: 6 }, () => ({}));
    for (const c of conns) book.open(c);
    assert.equal(book.authenticate(conns[0]!, alice), true);
    assert.equal(book.authenticate(conns[1]!, alice), true);
    assert.equal(book.authenticate(conns[2]!, alice), false, 'a third for alice is refused');
    assert.equal(book.authenticate(conns[3]!, root), true);
    assert.equal(book.authenticate(conns[4]!, root), true);
    assert.equal(book.authenticate(conns[5]!, admin), true, 'an account named root does not use up the admin token');
    assert.deepEqual(book.counts(), { unauthenticated: 1, accounts: { 'user:alice': 2, 'user:root': 2, '(admin token)': 1 } });
    book.close(conns[0]!);
    assert.equal(book.authenticate(conns[2]!, alice), true, 'a closed one frees its slot');
  });
});
