import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointTicket } from '../../shared/tickets.js';
import { ticketMessages } from './ticket-replies.js';

const ticket = (n: number, description = 'd'): EndpointTicket => ({
  ref: `ref-split-${n}`,
  number: n,
  subject: `ticket ${n}`,
  description,
  priority: 'normal',
  status: 'open',
  createdAt: '2025-03-04T09:00:00.000Z',
  updatedAt: '2025-03-04T09:00:00.000Z',
  notes: [],
});

describe('ticket lists in frames', () => {
  it('splits a long list by size; only the first frame of a full list says full', () => {
    const tickets = Array.from({ length: 10 }, (_, i) => ticket(i + 1, 'x'.repeat(1000)));
    const each = Buffer.byteLength(JSON.stringify(tickets[0]));
    const messages = ticketMessages(tickets, true, 3 * each + 10);
    assert.deepEqual(
      messages.map((m) => [m.full, m.tickets.length]),
      [
        [true, 3],
        [false, 3],
        [false, 3],
        [false, 1],
      ],
    );
    assert.deepEqual(
      messages.flatMap((m) => m.tickets),
      tickets,
    );
  });

  it('sends a ticket larger than the frame budget alone rather than dropping it', () => {
    const messages = ticketMessages([ticket(1), ticket(2, 'y'.repeat(5000)), ticket(3)], false, 1000);
    assert.deepEqual(
      messages.map((m) => m.tickets.map((t) => t.number)),
      [[1], [2], [3]],
    );
  });

  it('says "you have no tickets" with one empty full list, and nothing for no changes', () => {
    assert.deepEqual(ticketMessages([], true), [{ type: 'tickets', full: true, tickets: [] }]);
    assert.deepEqual(ticketMessages([], false), []);
  });
});
