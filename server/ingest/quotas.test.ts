import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_QUOTAS, QuotaSettingsSchema, TicketQuotas } from './quotas.js';

const MIN = 60_000;
const MB = 1024 * 1024;

describe('ticket quotas', () => {
  it('refuses the 21st ticket of one account in an hour, then the device total, and frees them as the window slides', () => {
    const q = new TicketQuotas({ ...DEFAULT_QUOTAS, ticketsPerRequester: 20, ticketsPerDevice: 30 });
    for (let i = 0; i < 20; i++) assert.equal(q.take('d1', 'alice', 'tickets', 1, i * MIN), null);
    const refused = q.take('d1', 'Alice', 'tickets', 1, 20 * MIN);
    assert.equal(refused?.code, 'E_RATE_LIMITED');
    assert.match(refused?.message ?? '', /at most 20 tickets from this account at this device in 60 minutes; nothing was stored/);
    for (let i = 0; i < 10; i++) assert.equal(q.take('d1', 'bob', 'tickets', 1, 20 * MIN), null);
    assert.match(q.take('d1', 'carol', 'tickets', 1, 20 * MIN)?.message ?? '', /at most 30 tickets from this device/);
    assert.equal(q.take('d2', 'alice', 'tickets', 1, 20 * MIN), null, 'another device has its own count');
    assert.equal(q.take('d1', 'alice', 'tickets', 1, 62 * MIN), null, 'an hour later the first ones have left the window');
  });

  it('counts attachment bytes and notes, and a refused amount counts for nothing', () => {
    const q = new TicketQuotas({ ...DEFAULT_QUOTAS, attachmentMBPerRequester: 10, attachmentMBPerDevice: 0 });
    assert.equal(q.take('d1', 'alice', 'attachmentBytes', 8 * MB, 0), null);
    assert.equal(q.take('d1', 'alice', 'attachmentBytes', 3 * MB, 0)?.code, 'E_RATE_LIMITED');
    assert.equal(
      q.take('d1', 'alice', 'attachmentBytes', 2 * MB, 0),
      null,
      'the refused 3 MB were not counted; 0 turns the device quota off',
    );
    const notes = new TicketQuotas({ ...DEFAULT_QUOTAS, notesPerRequester: 1 });
    assert.equal(notes.take('d1', 'alice', 'notes', 1, 0), null);
    assert.match(notes.take('d1', 'alice', 'notes', 1, 0)?.message ?? '', /at most 1 notes/);
  });

  it('accepts the documented settings and refuses unknown keys or negative numbers', () => {
    assert.ok(QuotaSettingsSchema.safeParse(DEFAULT_QUOTAS).success);
    assert.equal(QuotaSettingsSchema.safeParse({ ...DEFAULT_QUOTAS, ticketsPerDevce: 3 }).success, false);
    assert.equal(QuotaSettingsSchema.safeParse({ ...DEFAULT_QUOTAS, ticketsPerDevice: -1 }).success, false);
  });
});
