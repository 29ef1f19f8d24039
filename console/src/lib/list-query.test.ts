import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  searchFromSoftwareView,
  searchFromTicketView,
  softwareViewFromSearch,
  ticketStatusQuery,
  ticketViewFromSearch,
} from './list-query.js';

describe('software list view <-> URL', () => {
  it('round-trips search, prohibited-only and page', () => {
    const view = { q: 'fire', prohibited: true, page: 2 };
    assert.deepEqual(softwareViewFromSearch(searchFromSoftwareView(view)), view);
    assert.equal(searchFromSoftwareView({ q: '', prohibited: false, page: 1 }), '');
  });
});

describe('ticket list view <-> URL', () => {
  it('shows active tickets by default and keeps "all" distinct from the default', () => {
    assert.deepEqual(ticketViewFromSearch(''), { q: '', status: 'active' });
    assert.equal(ticketStatusQuery(ticketViewFromSearch('')), 'new,open,pending');
    const all = ticketViewFromSearch(searchFromTicketView({ q: '', status: '' }));
    assert.equal(all.status, '');
    assert.equal(ticketStatusQuery(all), undefined);
  });

  it('round-trips one status and a search', () => {
    const view = { q: 'printer', status: 'pending' } as const;
    assert.deepEqual(ticketViewFromSearch(searchFromTicketView(view)), view);
    assert.equal(ticketStatusQuery(view), 'pending');
  });

  it('falls back to active tickets for a status it does not know', () => {
    assert.equal(ticketViewFromSearch('?status=burning').status, 'active');
  });
});
