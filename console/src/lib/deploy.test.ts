import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countsText, presetFromSearch, targetsOf } from './deploy.js';

describe('the deploy form', () => {
  it('is preset by a device selection or by the devices list search it was opened from', () => {
    assert.deepEqual(presetFromSearch('?devices=a,b'), { mode: 'devices', devices: 'a\nb', q: '', os: '', online: '' });
    assert.deepEqual(presetFromSearch('?q=acct-&os=windows&online=true'), {
      mode: 'search',
      devices: '',
      q: 'acct-',
      os: 'windows',
      online: 'true',
    });
    assert.equal(presetFromSearch('?os=amiga').os, '');
    assert.equal(presetFromSearch('').mode, 'devices');
  });

  it('sends device ids once each, or a search, and refuses an empty one (it would reach every device)', () => {
    const base = presetFromSearch('');
    assert.deepEqual(targetsOf({ ...base, devices: 'a, b\nb  c' }), { targets: { deviceIds: ['a', 'b', 'c'] } });
    assert.ok('error' in targetsOf(base));
    assert.deepEqual(targetsOf({ ...base, mode: 'search', q: ' pc- ', os: 'linux' }), { targets: { search: { q: 'pc-', os: 'linux' } } });
    assert.ok('error' in targetsOf({ ...base, mode: 'search' }));
  });

  it('says where a deployment stands in a few words', () => {
    assert.equal(
      countsText({ pending: 2, queued: 0, downloading: 0, installing: 1, succeeded: 3, failed: 1 }),
      '3 installed, 1 failed, 1 installing, 2 waiting',
    );
    assert.equal(countsText({ pending: 0, queued: 0, downloading: 0, installing: 0, succeeded: 0, failed: 0 }), 'no devices');
  });
});
