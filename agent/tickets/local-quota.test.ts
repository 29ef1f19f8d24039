import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalTicketQuota } from './local-quota.js';

const alice = { account: 'alice', admin: false };
const MIN = 60_000;

describe("the agent's per-person quota", () => {
  it('refuses the 21st ticket in an hour with E_RATE_LIMITED and a message a person understands, never the admin', () => {
    const q = new LocalTicketQuota();
    for (let i = 0; i < 20; i++) q.take(alice, { tickets: 1 }, i * MIN);
    assert.throws(() => q.take(alice, { tickets: 1 }, 30 * MIN), {
      code: 'E_RATE_LIMITED',
      message: /^You can raise at most 20 tickets in an hour from this computer/,
    });
    assert.doesNotThrow(() => q.take({ account: 'bob', admin: false }, { tickets: 1 }, 30 * MIN));
    for (let i = 0; i < 50; i++) q.take({ account: 'root', admin: true }, { tickets: 1 }, 30 * MIN);
    assert.doesNotThrow(() => q.take(alice, { tickets: 1 }, 61 * MIN), 'the window slides');
  });

  it('counts nothing of a ticket it refuses for its files', () => {
    const q = new LocalTicketQuota({ windowMinutes: 60, tickets: 5, notes: 5, attachmentBytes: 100 });
    assert.throws(() => q.take(alice, { tickets: 1, attachmentBytes: 101 }, 0), {
      code: 'E_RATE_LIMITED',
      message: /at most 0 MB of files|files/,
    });
    for (let i = 0; i < 5; i++) q.take(alice, { tickets: 1 }, 0);
    assert.throws(() => q.take(alice, { tickets: 1 }, 0), { code: 'E_RATE_LIMITED' });
  });
});
