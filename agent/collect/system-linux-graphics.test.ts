import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeHost } from '../../test/fakes/host.js';
import { linuxGraphics } from './system-linux-graphics.js';

const PCI = '/sys/bus/pci/devices';

/** A laptop with Intel graphics and an NVIDIA GPU behind it, plus a NIC that is not graphics. */
function optimusLaptop(): FakeHost {
  return new FakeHost('linux')
    .file(`${PCI}/0000:00:02.0/class`, '0x030000\n')
    .file(`${PCI}/0000:00:02.0/vendor`, '0x8086\n')
    .file(`${PCI}/0000:00:02.0/device`, '0x9a49\n')
    .file(
      `${PCI}/0000:00:02.0/resource`,
      [
        '0x0000006052000000 0x0000006052ffffff 0x0000000000140204',
        '0x0000004000000000 0x000000400fffffff 0x000000000014220c',
        '0x0000000000003000 0x000000000000303f 0x0000000000040101',
      ].join('\n'),
    )
    .file(`${PCI}/0000:01:00.0/class`, '0x030200\n')
    .file(
      `${PCI}/0000:01:00.0/resource`,
      '0x00000000ee000000 0x00000000eeffffff 0x0000000000040200\n0x0000000c00000000 0x0000000dffffffff 0x000000000014220c\n',
    )
    .file(`${PCI}/0000:00:1f.6/class`, '0x020000\n')
    .command(
      'lspci -vmm',
      [
        'Slot:\t00:02.0\nClass:\tVGA compatible controller\nVendor:\tIntel Corporation\nDevice:\tTigerLake-LP GT2 [Iris Xe Graphics]\nRev:\t01',
        'Slot:\t00:1f.6\nClass:\tEthernet controller\nVendor:\tIntel Corporation\nDevice:\tEthernet Connection (13) I219-LM',
        'Slot:\t01:00.0\nClass:\t3D controller\nVendor:\tNVIDIA Corporation\nDevice:\tTU117M [GeForce MX450]\nRev:\ta1',
      ].join('\n\n'),
    );
}

describe('linuxGraphics', () => {
  it('lists VGA and 3D controllers with lspci names and their prefetchable aperture as VRAM', async () => {
    assert.deepEqual(await linuxGraphics(optimusLaptop()), {
      controllers: [
        { vendor: 'Intel Corporation', model: 'TigerLake-LP GT2 [Iris Xe Graphics]', vram: 256 },
        { vendor: 'NVIDIA Corporation', model: 'TU117M [GeForce MX450]', vram: 8192 },
      ],
    });
  });

  it('runs nothing at all on a machine without a display controller', async () => {
    const host = new FakeHost('linux').file(`${PCI}/0000:00:03.0/class`, '0x020000\n');
    assert.deepEqual(await linuxGraphics(host), { controllers: [] });
    assert.deepEqual(host.calls, []);
  });

  it('falls back to the numeric ids when lspci is not installed', async () => {
    const host = new FakeHost('linux')
      .file(`${PCI}/0000:00:02.0/class`, '0x030000\n')
      .file(`${PCI}/0000:00:02.0/vendor`, '0x8086\n')
      .file(`${PCI}/0000:00:02.0/device`, '0x9a49\n');
    assert.deepEqual(await linuxGraphics(host), { controllers: [{ vendor: '', model: '[8086:9a49]', vram: null }] });
  });
});
