import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDelta, diffSnapshots, emptySnapshot, isEmptyDelta } from './delta.js';
import { snapshotDigest } from './digest.js';
import type { Snapshot, Software } from './inventory.js';

const pkg = (name: string, version: string): Software => ({ name, version, source: 'dpkg', scope: 'machine', arch: 'amd64' });

function machine(software: Software[]): Snapshot {
  return {
    ...emptySnapshot('pc-1'),
    hardware: { manufacturer: 'Dell Inc.', serial: 'ABC123', memory: { totalBytes: 8, modules: [] }, disks: [], graphics: [] },
    os: { platform: 'linux', hostname: 'pc-1', distro: 'Debian' },
    software,
  };
}

describe('diff and apply', () => {
  it('gives an empty delta for the same machine collected in another order', () => {
    const a = machine([pkg('curl', '1'), pkg('bash', '5')]);
    const b = machine([pkg('bash', '5'), pkg('curl', '1')]);
    assert.ok(isEmptyDelta(diffSnapshots(a, b)));
    assert.equal(snapshotDigest(a), snapshotDigest(b));
  });

  it('carries one installed package as one added item and reproduces the digest', () => {
    const before = machine([pkg('bash', '5')]);
    const after = machine([pkg('bash', '5'), pkg('htop', '3.2')]);
    const delta = diffSnapshots(before, after);
    assert.deepEqual(delta, { software: { added: [pkg('htop', '3.2')] } });
    const { snapshot, changes } = applyDelta(before, delta);
    assert.equal(snapshotDigest(snapshot), snapshotDigest(after));
    assert.equal(changes[0]?.section, 'software');
    assert.deepEqual(changes[0]?.added, [pkg('htop', '3.2')]);
  });

  it('records an upgrade as a changed field with its old and new value', () => {
    const before = machine([pkg('bash', '5.1')]);
    const after = machine([pkg('bash', '5.2')]);
    const { snapshot, changes } = applyDelta(before, diffSnapshots(before, after));
    assert.equal(snapshotDigest(snapshot), snapshotDigest(after));
    assert.deepEqual(changes[0]?.changed[0]?.fields, { version: { from: '5.1', to: '5.2' } });
  });

  it('records removals with the removed item and field changes on hardware', () => {
    const before = machine([pkg('bash', '5'), pkg('vim', '9')]);
    const after = { ...machine([pkg('bash', '5')]), hardware: { ...before.hardware, serial: undefined, model: 'XPS' } };
    const { snapshot, changes } = applyDelta(before, diffSnapshots(before, after));
    assert.equal(snapshotDigest(snapshot), snapshotDigest(after));
    const hw = changes.find((c) => c.section === 'hardware');
    assert.deepEqual(hw?.changed[0]?.fields, { model: { from: null, to: 'XPS' }, serial: { from: 'ABC123', to: null } });
    assert.deepEqual(changes.find((c) => c.section === 'software')?.removed, [pkg('vim', '9')]);
  });

  it('gives different digests for different machines', () => {
    assert.notEqual(snapshotDigest(machine([pkg('a', '1')])), snapshotDigest(machine([pkg('a', '2')])));
  });
});
