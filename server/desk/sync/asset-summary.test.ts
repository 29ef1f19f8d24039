// The texts a desk asset shows for a snapshot: what help-desk staff read, and what stays absent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptySnapshot } from '../../../shared/delta.js';
import type { Snapshot } from '../../../shared/inventory.js';
import { pkg } from '../../../test/support/server/fixtures.js';
import { assetSummary, biosLine, MAX_ASSET_SOFTWARE } from './asset-summary.js';

const bare = (): Snapshot => emptySnapshot('pc-1');

describe('assetSummary', () => {
  it('leaves out every field the snapshot has nothing for (an older agent, a first scan)', () => {
    assert.deepEqual(assetSummary(bare()), {});
  });

  it('names the encryption methods the volumes report, but not for "off"', () => {
    const s: Snapshot = {
      ...bare(),
      volumes: [
        { mount: 'C:', sizeBytes: 255e9, freePercent: 42, encrypted: true, encryption: 'BitLocker' },
        { mount: 'D:', sizeBytes: 1e12, freePercent: 9, encrypted: false },
      ],
      security: { diskEncryption: 'partial' },
    };
    const out = assetSummary(s);
    assert.equal(out.encryption, 'partial (BitLocker)');
    assert.deepEqual(out.volumes, ['C: 42 % free of 255.0 GB', 'D: 9 % free of 1.0 TB']);
    assert.equal(assetSummary({ ...s, security: { diskEncryption: 'off' } }).encryption, 'off');
  });

  it('shows memory in binary GB, the kernel as a Linux build, and a disk without repeating its vendor', () => {
    const s = bare();
    s.hardware.memory.totalBytes = 7.8 * 2 ** 30;
    s.hardware.disks = [
      { vendor: 'Samsung', model: 'Samsung SSD 980', sizeBytes: 1e12 },
      { vendor: 'WDC', model: 'Blue', sizeBytes: 2e12, serial: 'W1' },
      // A virtual machine's disk as block devices report it: a PCI vendor id and no model.
      { vendor: '0x1af4', device: '/dev/vda', sizeBytes: 274.9e9 },
    ];
    s.os = { ...s.os, platform: 'linux', kernel: '6.1.0-27-amd64' };
    const out = assetSummary(s);
    assert.equal(out.memory, '7.8 GB');
    assert.equal(out.osBuild, '6.1.0-27-amd64');
    assert.deepEqual(out.disks, ['Samsung SSD 980 1.0 TB', 'WDC Blue 2.0 TB (serial W1)', '/dev/vda 274.9 GB']);
  });

  it('lists software sorted and once per name and version, and counts what is beyond the limit', () => {
    const s = bare();
    s.software = [pkg('zsh', '5.9'), pkg('bash', '5.2'), pkg('bash', '5.2', { arch: 'i386' })];
    assert.deepEqual(assetSummary(s).software, ['bash 5.2', 'zsh 5.9']);
    s.software = Array.from({ length: MAX_ASSET_SOFTWARE + 5 }, (_, i) => pkg(`p${String(i).padStart(5, '0')}`, '1'));
    const list = assetSummary(s).software!;
    assert.equal(list.length, MAX_ASSET_SOFTWARE + 1);
    assert.equal(list.at(-1), '... and 5 more');
  });

  it('writes the BIOS on one line from whatever parts are known', () => {
    assert.equal(biosLine({ vendor: 'Dell Inc.', version: '1.21.0', releaseDate: '2023-05-10' }), 'Dell Inc. 1.21.0 (2023-05-10)');
    assert.equal(biosLine({ version: '1.0' }), '1.0');
    assert.equal(biosLine(undefined), undefined);
  });
});
