import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanMac, cleanText, cleanUuid, isMatchableMac } from './junk.js';

describe('junk values', () => {
  it('treats firmware placeholders as absent and keeps real values', () => {
    for (const junk of ['', '-', ' To Be Filled By O.E.M. ', 'System Serial Number', 'Default string', '0000000', 'No Asset Information']) {
      assert.equal(cleanText(junk), undefined, JSON.stringify(junk));
    }
    assert.equal(cleanText('  5CG1234XYZ '), '5CG1234XYZ');
  });

  it('drops all-zero and all-F UUIDs', () => {
    assert.equal(cleanUuid('00000000-0000-0000-0000-000000000000'), undefined);
    assert.equal(cleanUuid('FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'), undefined);
    assert.equal(cleanUuid('4C4C4544-0042-3510-8052-B4C04F4D4E32'), '4c4c4544-0042-3510-8052-b4c04f4d4e32');
  });

  it('matches devices only on MACs of physical adapters', () => {
    assert.equal(cleanMac('00-00-00-00-00-00'), undefined);
    assert.equal(cleanMac('3C:52:82:11:22:33'), '3c:52:82:11:22:33');
    assert.ok(isMatchableMac('3c:52:82:11:22:33'));
    assert.ok(!isMatchableMac('00:50:56:aa:bb:cc'), 'VMware');
    assert.ok(!isMatchableMac('02:fc:00:00:00:01'), 'locally administered (Firecracker, Wi-Fi privacy)');
  });
});
