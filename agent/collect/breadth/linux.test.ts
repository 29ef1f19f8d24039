import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FakeHost } from '../../../test/fakes/host.js';
import { unixAccounts } from './accounts-unix.js';
import { parseEdid } from './edid.js';
import { collectLinuxBreadth } from './linux.js';
import { encryptionOf, parseLsblk } from './lsblk.js';
import { parsePrintersConf } from './printers-cups.js';
import { lastAptUpdate, linuxFirewall, nftFiltersInput, parseDnfCheckUpdate, parseUpdateNotifier } from './security-linux.js';

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/breadth/${name}`, import.meta.url), 'utf8');

/** An EDID block built by the VESA E-EDID layout, as a monitor sends it. */
function edid(vendor: string, name: string, serial: string, cm: [number, number]): Buffer {
  const b = Buffer.alloc(128);
  Buffer.from([0, 255, 255, 255, 255, 255, 255, 0]).copy(b, 0);
  const code = (c: string) => c.charCodeAt(0) - 64;
  b.writeUInt16BE((code(vendor[0]!) << 10) | (code(vendor[1]!) << 5) | code(vendor[2]!), 8);
  b[21] = cm[0];
  b[22] = cm[1];
  b.writeUInt16LE(0x1234, 54); // a detailed timing descriptor first
  for (const [at, tag, text] of [
    [72, 0xfc, name],
    [90, 0xff, serial],
  ] as const) {
    b[at + 3] = tag;
    Buffer.from(`${text}\n`.padEnd(13, ' '), 'latin1').copy(b, at + 5);
  }
  return b;
}

describe('Linux breadth parsers', () => {
  it('reads the volumes and the virtual disk of this project’s VM from its recorded lsblk', () => {
    const { volumes, disks } = parseLsblk(fixture('linux-lsblk.debian12-vm.json'));
    assert.deepEqual(
      disks.map((d) => [d.device, d.sizeBytes]),
      [['/dev/vda', 274_877_906_944]],
    );
    assert.equal(volumes.length, 1);
    assert.equal(volumes[0]?.mount, '/');
    assert.ok(volumes[0].freePercent! >= 0 && volumes[0].freePercent! <= 100);
  });

  it('finds LUKS under LVM, leaves out swap, snaps and the EFI partition, and judges encryption partial', () => {
    const { volumes, disks } = parseLsblk(fixture('linux-lsblk.luks-lvm.json'));
    assert.deepEqual(
      volumes.map((v) => [v.mount, v.encrypted, v.encryption ?? null, v.freePercent]),
      [
        ['/boot', false, null, 68],
        ['/', true, 'LUKS', 9],
        ['/srv/data', false, null, 4],
      ],
    );
    assert.deepEqual(
      disks.map((d) => [d.device, d.model, d.serial, d.interface]),
      [
        ['/dev/nvme0n1', 'SAMSUNG MZVL2512HCJQ-00B07', 'S64ANS0T512345', 'nvme'],
        ['/dev/sda', 'WDC WD20EZBX-00A', 'WD-WX12A3456789', 'sata'],
      ],
    );
    assert.equal(encryptionOf(volumes), 'partial', '/srv/data is not encrypted; /boot never counts');
    assert.equal(encryptionOf(volumes.filter((v) => v.mount !== '/srv/data')), 'on');
  });

  it('reads a monitor’s vendor, name, serial and size from its EDID', () => {
    assert.deepEqual(parseEdid(edid('DEL', 'DELL U2720Q', 'CN0ABC123', [60, 34])), {
      vendor: 'DEL',
      model: 'DELL U2720Q',
      serial: 'CN0ABC123',
      sizeInches: 27.2,
    });
    assert.equal(parseEdid(Buffer.alloc(128)), undefined, 'not an EDID');
  });

  it('reports people’s accounts with admin from sudo, and never a service account', () => {
    const passwd = [
      'root:x:0:0:root:/root:/bin/bash',
      'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
      'ann:x:1000:1000:Ann Lee,,,:/home/ann:/bin/bash',
      'bob:x:1001:1001::/home/bob:/usr/sbin/nologin',
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    ].join('\n');
    const group = [
      'root:x:0:',
      'daemon:x:1:',
      'sudo:x:27:ann',
      'ann:x:1000:',
      'bob:x:1001:',
      'docker:x:999:bob,daemon',
      'wheel:x:10:',
    ].join('\n');
    const { accounts, groups } = unixAccounts(passwd, group);
    assert.deepEqual(accounts, [
      { name: 'root', uid: '0', admin: true, groups: ['root'], fullName: 'root' },
      { name: 'ann', uid: '1000', admin: true, groups: ['ann', 'sudo'], fullName: 'Ann Lee' },
      { name: 'bob', uid: '1001', admin: false, groups: ['bob', 'docker'], disabled: true },
    ]);
    assert.deepEqual(
      groups.map((g) => [g.name, g.admin, g.members]),
      [
        ['root', false, ['root']],
        ['sudo', true, ['ann']],
        ['ann', false, ['ann']],
        ['bob', false, ['bob']],
        ['docker', false, ['bob', 'daemon']],
        ['wheel', true, []],
      ],
    );
  });

  it('reads CUPS printers.conf and never keeps credentials from a device URI', () => {
    const conf = [
      '# Printer configuration file for CUPS v2.4.2',
      '<DefaultPrinter HP_LaserJet>',
      'Info HP LaserJet M404',
      'MakeModel HP LaserJet Pro M404-M405, hpcups 3.22.10',
      'DeviceURI ipp://scan:hunter2@10.1.20.50/ipp/print',
      'Shared No',
      '</DefaultPrinter>',
      '<Printer Office>',
      'DeviceURI socket://10.1.20.51',
      'Shared Yes',
      '</Printer>',
    ].join('\n');
    assert.deepEqual(parsePrintersConf(conf), [
      {
        name: 'HP_LaserJet',
        isDefault: true,
        driver: 'HP LaserJet Pro M404-M405, hpcups 3.22.10',
        port: 'ipp://10.1.20.50/ipp/print',
        shared: false,
      },
      { name: 'Office', isDefault: false, port: 'socket://10.1.20.51', shared: true },
    ]);
  });

  it('reads the security tools’ documented outputs', async () => {
    assert.equal(parseUpdateNotifier('\n12 updates can be applied immediately.\n7 of these updates are standard security updates.\n'), 12);
    assert.equal(parseUpdateNotifier('0 updates can be applied immediately.\n'), 0);
    assert.equal(parseDnfCheckUpdate('\nkernel.x86_64   5.14.0-427.el9   baseos\nopenssl.x86_64  1:3.0.7-27.el9   baseos\n'), 2);
    const iso = lastAptUpdate(
      'Start-Date: 2024-05-01  10:22:01\nEnd-Date: 2024-05-01  10:22:31\n\nStart-Date: 2024-06-02  08:00:00\nEnd-Date: 2024-06-02  08:01:00\n',
    );
    assert.equal(iso, new Date('2024-06-02T08:01:00').toISOString());
    const ruleset = (policy: string, rules: boolean) =>
      JSON.stringify({
        nftables: [
          { metainfo: { version: '1.0.6' } },
          { table: { family: 'inet', name: 'filter' } },
          { chain: { family: 'inet', table: 'filter', name: 'input', type: 'filter', hook: 'input', prio: 0, policy } },
          ...(rules ? [{ rule: { family: 'inet', table: 'filter', chain: 'input', expr: [] } }] : []),
        ],
      });
    assert.equal(nftFiltersInput(ruleset('drop', false)), true);
    assert.equal(nftFiltersInput(ruleset('accept', true)), true);
    assert.equal(nftFiltersInput(ruleset('accept', false)), false);
    assert.equal(await linuxFirewall(new FakeHost().file('/etc/ufw/ufw.conf', 'ENABLED=yes\nLOGLEVEL=low\n')), 'on');
    const off = new FakeHost()
      .file('/etc/ufw/ufw.conf', 'ENABLED=no\n')
      .command('nft', { stdout: ruleset('accept', false), stderr: '', code: 0 });
    assert.equal(await linuxFirewall(off), 'off');
    assert.equal(await linuxFirewall(new FakeHost()), undefined, 'no firewall tool at all is unknown, not off');
  });

  it('collects every section through the host and keeps going when one source fails', async () => {
    const host = new FakeHost('linux')
      .command('lsblk', { stdout: fixture('linux-lsblk.luks-lvm.json'), stderr: '', code: 0 })
      .file('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\n')
      .file('/etc/group', 'root:x:0:\n')
      .file('/var/lib/update-notifier/updates-available', '3 updates can be applied immediately.\n')
      .file('/var/run/reboot-required', '*** System restart required ***\n');
    const warned: string[] = [];
    const b = await collectLinuxBreadth(host, (part) => warned.push(part));
    assert.deepEqual(b.security, { pendingUpdates: 3, rebootRequired: true, diskEncryption: 'partial' });
    assert.equal(b.volumes?.length, 3);
    assert.equal(b.blockDisks?.length, 2);
    assert.deepEqual(b.printers, [], 'no CUPS: no printers');
    assert.deepEqual(b.monitors, []);
    assert.equal(b.accounts?.[0]?.name, 'root');
    assert.equal(warned.length, 0);
    const broken = await collectLinuxBreadth(new FakeHost('linux'), (part) => warned.push(part));
    assert.equal(broken.volumes, undefined, 'lsblk missing: volumes unknown, kept from before');
    assert.deepEqual(warned.sort(), ['accounts', 'storage']);
  });
});
