import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shownNumber, ticketLabel, worklogTicketLabel } from './ticket-label.js';
import { TicketIdSchema } from './tickets.js';

describe('ticket numbers as people see and type them', () => {
  it("labels a ticket with the desk's number, Outpost's own OP- form while the desk lacks it, or Outpost's number without a desk", () => {
    assert.equal(ticketLabel(17, '4', true), '#4');
    assert.equal(ticketLabel(17, null, true), 'OP-17');
    assert.equal(ticketLabel(17, null, false), '#17');
    assert.equal(shownNumber({ number: 17, label: 'OP-17' }), 'OP-17');
    assert.equal(shownNumber({ number: 17 }), '#17', 'a ticket from an older server');
    assert.equal(shownNumber({ number: null }), null);
    assert.deepEqual(['4', 'OP-17'].map(worklogTicketLabel), ['#4', 'OP-17']);
  });

  it('takes a desk number (up to 20 digits, for long SDP ids) or an OP- number, and nothing that could be both', () => {
    const ok = (v: unknown) => TicketIdSchema.parse(v);
    assert.deepEqual(
      [ok('#1042'), ok(' 1042 '), ok(1042), ok('op-17'), ok('OP-17'), ok('12345678901234567890')],
      ['1042', '1042', '1042', 'OP-17', 'OP-17', '12345678901234567890'],
    );
    for (const bad of ['', '#', 'OP-', 'OP-x', '#OP-17', '17-OP', '123456789012345678901', 'T20240101.0001', '1e3', '-4'])
      assert.equal(TicketIdSchema.safeParse(bad).success, false, bad);
  });
});
