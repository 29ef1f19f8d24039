import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { itemKey } from '../../../shared/inventory-keys.js';
import { summariseChange, triggerName } from './changes.js';

const hello = { name: 'hello', version: '2.10-3', source: 'dpkg', arch: 'amd64', scope: 'machine' };

describe('summariseChange', () => {
  it('reads an installed package as a sentence with version and source', () => {
    const s = summariseChange({ section: 'software', added: [hello], removed: [], changed: [] });
    assert.equal(s.headline, 'Software: 1 installed');
    assert.deepEqual(s.lines, ['Installed hello 2.10-3 (dpkg)']);
  });

  it('shows an upgrade as old → new version, taking name and source from the item key', () => {
    const s = summariseChange({
      section: 'software',
      added: [],
      removed: [{ ...hello, name: 'cowsay', version: '3.03' }],
      changed: [{ key: 'dpkg\tbash\tamd64\tmachine\t', fields: { version: { from: '5.2.15-2', to: '5.2.21-2' } } }],
    });
    assert.equal(s.headline, 'Software: 1 updated, 1 removed');
    assert.deepEqual(s.lines, ['Updated bash 5.2.15-2 → 5.2.21-2 (dpkg)', 'Removed cowsay 3.03 (dpkg)']);
  });

  it('reads back the item keys shared/inventory-keys.ts makes for changed software', () => {
    const key = itemKey.software({ name: 'Firefox', version: '128.0', source: 'windows-registry', scope: 'user', user: 'alice' });
    const s = summariseChange({
      section: 'software',
      added: [],
      removed: [],
      changed: [{ key, fields: { version: { from: '128.0', to: '129.0' } } }],
    });
    assert.deepEqual(s.lines, ['Updated Firefox 128.0 → 129.0 (windows-registry, user alice)']);
  });

  it('names the account of a per-user install', () => {
    const s = summariseChange({
      section: 'software',
      added: [{ name: 'Firefox', version: '128.0', source: 'windows-registry', scope: 'user', user: 'alice' }],
      removed: [],
      changed: [],
    });
    assert.deepEqual(s.lines, ['Installed Firefox 128.0 (windows-registry, user alice)']);
  });

  it('says who logged on and off', () => {
    const s = summariseChange({
      section: 'users',
      added: [{ name: 'alice', domain: 'ACME' }],
      removed: [{ name: 'bob', terminal: 'tty2' }],
      changed: [],
    });
    assert.deepEqual(s.lines, ['ACME\\alice logged on', 'bob on tty2 logged off']);
  });

  it('describes hardware fields by meaning: memory in GB, not raw objects', () => {
    const s = summariseChange({
      section: 'hardware',
      added: [],
      removed: [],
      changed: [
        {
          key: 'hardware',
          fields: { memory: { from: { totalBytes: 8 * 1024 ** 3, modules: [] }, to: { totalBytes: 16 * 1024 ** 3, modules: [] } } },
        },
      ],
    });
    assert.equal(s.headline, 'Hardware: Memory: 8 GB → 16 GB');
  });

  it('counts several OS fields in the headline and lists each', () => {
    const s = summariseChange({
      section: 'os',
      added: [],
      removed: [],
      changed: [{ key: 'os', fields: { release: { from: '11', to: '12' }, kernel: { from: null, to: '6.1.0-18-amd64' } } }],
    });
    assert.equal(s.headline, 'OS: 2 fields changed');
    assert.deepEqual(s.lines, ['Release: 11 → 12', 'Kernel: 6.1.0-18-amd64']);
  });

  it('lists a new network interface with its MAC and addresses', () => {
    const s = summariseChange({
      section: 'network',
      added: [{ name: 'eth1', mac: 'aa:bb:cc:dd:ee:ff', ipv4: ['10.0.0.9'], ipv6: [], virtual: false }],
      removed: [],
      changed: [],
    });
    assert.deepEqual(s.lines, ['Interface eth1 (aa:bb:cc:dd:ee:ff, 10.0.0.9) added']);
  });
});

describe('triggerName', () => {
  it('names what made the agent look, and passes unknown triggers through', () => {
    assert.equal(triggerName('software-change'), 'Software change');
    assert.equal(triggerName('server'), 'Scan from console');
    assert.equal(triggerName('something-new'), 'something-new');
  });
});
