import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEntry } from './logbook.js';

const at = '2026-01-02T03:04:05.000Z';

describe('describeEntry', () => {
  it('names what an inventory change added and removed, counting the rest', () => {
    const line = describeEntry({
      kind: 'inventory',
      id: 1,
      at,
      ticketId: null,
      ticketLabel: null,
      detail: { section: 'software', added: { count: 5, names: ['bash 5.2', 'curl 7.88', 'vim 9'] }, removed: { count: 0, names: [] } },
    });
    assert.equal(line, 'Software: added bash 5.2, curl 7.88, vim 9 and 2 more');
  });

  it('says who raised a ticket and how a status changed', () => {
    assert.equal(
      describeEntry({
        kind: 'ticket',
        id: 3,
        at,
        ticketId: 3,
        ticketLabel: '#3',
        detail: { subject: 'Battery', raisedBy: 'tom', requester: 'bob' },
      }),
      'Ticket raised by tom in the console: Battery',
    );
    assert.equal(
      describeEntry({
        kind: 'ticket',
        id: 4,
        at,
        ticketId: 4,
        ticketLabel: 'OP-4',
        detail: { subject: 'Printer', raisedBy: null, requester: 'alice' },
      }),
      'Ticket raised by alice: Printer',
    );
    assert.equal(
      describeEntry({ kind: 'status', id: 1, at, ticketId: 3, ticketLabel: '#3', detail: { from: 'new', to: 'resolved' } }),
      'Status New → Resolved',
    );
  });

  it('shows a failed desk job with its error, and a note with its visibility', () => {
    assert.equal(
      describeEntry({
        kind: 'desk',
        id: 9,
        at,
        ticketId: 3,
        ticketLabel: '#3',
        detail: { job: 'ticket.create', state: 'failed', error: 'E_DESK_AUTH: no right' },
      }),
      'Desk ticket failed: E_DESK_AUTH: no right',
    );
    assert.equal(
      describeEntry({
        kind: 'note',
        id: 2,
        at,
        ticketId: 3,
        ticketLabel: '#3',
        detail: { author: 'IT', visibility: 'internal', fromEndpoint: false, text: 'Done.' },
      }),
      'Internal note by IT: Done.',
    );
  });
});
