import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { href, parseRoute, sectionOf } from './routes.js';

function roundTrip(link: string) {
  const url = new URL(link, 'http://console.test');
  return parseRoute(url.pathname, url.search);
}

describe('routes', () => {
  it('opens the devices list at the root', () => {
    assert.deepEqual(parseRoute('/', ''), { page: 'devices' });
  });

  it('reads back every link it makes, including ids and package names that need escaping', () => {
    assert.deepEqual(roundTrip(href.device('5b0c/6c1e')), { page: 'device', id: '5b0c/6c1e' });
    assert.deepEqual(roundTrip(href.package('C++ Redistributable & tools')), { page: 'package', name: 'C++ Redistributable & tools' });
    assert.deepEqual(roundTrip(href.ticket(1042)), { page: 'ticket', id: 1042 });
    assert.deepEqual(roundTrip(href.prohibited()), { page: 'prohibited' });
    assert.deepEqual(roundTrip(href.tokens()), { page: 'tokens' });
    assert.deepEqual(roundTrip(href.users()), { page: 'users' });
    assert.deepEqual(roundTrip(href.deploy('?devices=a,b')), { page: 'deploy' });
    assert.deepEqual(roundTrip(href.deployment('3f2a-9')), { page: 'deployment', id: '3f2a-9' });
    assert.equal(sectionOf(roundTrip(href.deployment('x'))), 'deploy');
  });

  it('answers not-found for unknown paths and non-numeric ticket numbers', () => {
    assert.deepEqual(parseRoute('/tickets/abc', ''), { page: 'not-found' });
    assert.deepEqual(parseRoute('/nowhere', ''), { page: 'not-found' });
    assert.equal(sectionOf({ page: 'not-found' }), null);
  });

  it('highlights the section a detail page belongs to', () => {
    assert.equal(sectionOf(roundTrip(href.package('htop'))), 'software');
    assert.equal(sectionOf(roundTrip(href.device('x'))), 'devices');
  });
});
