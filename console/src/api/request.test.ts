import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequest, isUnsafe } from './request.js';

describe('buildRequest', () => {
  it('fills path parameters, escaped', () => {
    const r = buildRequest('POST /api/devices/:id/scan', { path: { id: 'a/b c' } });
    assert.deepEqual(r, { method: 'POST', url: '/api/devices/a%2Fb%20c/scan', body: undefined });
  });

  it('puts the query in the URL, leaving out empty values', () => {
    const r = buildRequest('GET /api/devices', { query: { q: 'pc 7', os: undefined, limit: 50, offset: 0 } });
    assert.equal(r.url, '/api/devices?q=pc+7&limit=50&offset=0');
  });

  it('sends the body as JSON', () => {
    const r = buildRequest('POST /api/tickets/:id/notes', { path: { id: 12 }, body: { text: 'Hi', visibility: 'internal' } });
    assert.equal(r.url, '/api/tickets/12/notes');
    assert.deepEqual(JSON.parse(r.body!), { text: 'Hi', visibility: 'internal' });
  });

  it('refuses to build a URL with a missing path parameter rather than call the wrong route', () => {
    assert.throws(() => buildRequest('GET /api/devices/:id', { path: { id: '' } }), /missing path parameter id/);
  });
});

describe('isUnsafe', () => {
  it('needs the CSRF token for everything but reads', () => {
    assert.equal(isUnsafe('GET'), false);
    assert.equal(isUnsafe('POST'), true);
    assert.equal(isUnsafe('DELETE'), true);
    assert.equal(isUnsafe('PATCH'), true);
  });
});
