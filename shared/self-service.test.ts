import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packagePlatformOf, selfServiceCatalog } from './self-service.js';

const pkg = (
  id: string,
  name: string,
  installer: 'deb' | 'apt' | 'msi' | 'pkg',
  selfService = true,
  platforms: ('linux' | 'windows' | 'darwin')[] = [],
) => ({
  id,
  name,
  version: '1.0',
  installer,
  platforms,
  selfService,
});

describe('the self-service catalog a device gets', () => {
  it('holds only self-service packages that install on the device platform, by name', () => {
    const store = [
      pkg('p1', 'Zoom', 'deb'),
      pkg('p2', 'firefox', 'apt'),
      pkg('p3', 'Office', 'msi'),
      pkg('p4', 'Secret tool', 'deb', false),
      pkg('p5', 'Xcode tools', 'pkg'),
      pkg('p6', 'Other distro only', 'apt', true, ['windows']),
    ];
    assert.deepEqual(
      selfServiceCatalog(store, 'linux').map((p) => p.id),
      ['p2', 'p1'],
    );
    assert.deepEqual(
      selfServiceCatalog(store, 'win32').map((p) => p.name),
      ['Office'],
    );
    assert.deepEqual(
      selfServiceCatalog(store, 'darwin').map((p) => p.name),
      ['Xcode tools'],
    );
    assert.deepEqual(selfServiceCatalog(store, 'freebsd'), []);
    assert.deepEqual(selfServiceCatalog(store, undefined), []);
    assert.deepEqual(selfServiceCatalog(store, 'linux')[0], { id: 'p2', name: 'firefox', version: '1.0', installer: 'apt' });
    assert.equal(packagePlatformOf('win32'), 'windows');
  });
});
