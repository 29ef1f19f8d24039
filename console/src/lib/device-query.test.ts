import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_VIEW, apiQueryFromView, searchFromView, toggleSort, viewFromSearch } from './device-query.js';

describe('device list view <-> URL', () => {
  it('round-trips every choice through the query string', () => {
    const view = {
      q: 'acct',
      os: 'windows',
      online: 'false',
      seen: '7d',
      lowDisk: '10',
      encryption: 'off',
      rebootRequired: 'true',
      firewall: 'off',
      sort: 'lastSeen',
      order: 'desc',
      page: 3,
    } as const;
    assert.deepEqual(viewFromSearch(searchFromView(view)), view);
  });

  it('turns the posture filters into the API’s query parameters and ignores unknown values', () => {
    const view = viewFromSearch('?lowDisk=10&encryption=off&rebootRequired=true&firewall=off');
    const q = apiQueryFromView(view, 0);
    assert.deepEqual([q.lowDisk, q.encryption, q.rebootRequired, q.firewall], [10, 'off', 'true', 'off']);
    const junk = viewFromSearch('?lowDisk=abc&encryption=maybe&rebootRequired=1&firewall=x');
    assert.deepEqual([junk.lowDisk, junk.encryption, junk.rebootRequired, junk.firewall], ['', '', '', '']);
  });

  it('leaves defaults out so a plain list has a plain URL', () => {
    assert.equal(searchFromView(DEFAULT_VIEW), '');
    assert.equal(searchFromView({ ...DEFAULT_VIEW, q: '  pc7 ' }), '?q=pc7');
  });

  it('ignores values it does not know instead of failing', () => {
    assert.deepEqual(viewFromSearch('?os=beos&online=maybe&seen=forever&sort=colour&order=up&page=-4'), DEFAULT_VIEW);
  });
});

describe('apiQueryFromView', () => {
  const now = Date.parse('2025-03-10T12:00:00Z');

  it('turns page numbers into offsets of 50', () => {
    const q = apiQueryFromView({ ...DEFAULT_VIEW, page: 3 }, now);
    assert.equal(q.offset, 100);
    assert.equal(q.limit, 50);
  });

  it('turns "last seen" choices into times relative to now', () => {
    assert.equal(apiQueryFromView({ ...DEFAULT_VIEW, seen: '24h' }, now).seenAfter, '2025-03-09T12:00:00.000Z');
    const older = apiQueryFromView({ ...DEFAULT_VIEW, seen: 'older30d' }, now);
    assert.equal(older.seenBefore, '2025-02-08T12:00:00.000Z');
    assert.equal(older.seenAfter, undefined);
  });

  it('sends only the filters that are set', () => {
    const q = apiQueryFromView({ ...DEFAULT_VIEW, q: 'alice', online: 'true' }, now);
    assert.deepEqual(q, { sort: 'hostname', order: 'asc', limit: 50, offset: 0, q: 'alice', online: 'true' });
  });
});

describe('toggleSort', () => {
  it('flips the order on the current column and starts other columns ascending, last seen newest first', () => {
    const byHost = toggleSort({ ...DEFAULT_VIEW, page: 4 }, 'hostname');
    assert.deepEqual([byHost.sort, byHost.order, byHost.page], ['hostname', 'desc', 1]);
    assert.equal(toggleSort(byHost, 'hostname').order, 'asc');
    assert.equal(toggleSort(DEFAULT_VIEW, 'ip').order, 'asc');
    assert.equal(toggleSort(DEFAULT_VIEW, 'lastSeen').order, 'desc');
  });
});
