import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { FakeHost } from '../../test/fakes/host.js';
import { collectNetwork, expandIpv6, type AddressTable } from './system-network.js';

const v4 = (address: string, mac: string): NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac,
  internal: false,
  cidr: `${address}/24`,
});
const v6 = (address: string, mac: string): NetworkInterfaceInfo => ({
  address,
  netmask: 'ffff:ffff:ffff:ffff::',
  family: 'IPv6',
  mac,
  internal: false,
  cidr: `${address}/64`,
  scopeid: 0,
});

/** A Linux desktop: wired NIC, Wi-Fi, loopback, Docker's bridge and a veth pair, an unplugged NIC. */
function desktop(): { host: FakeHost; addresses: AddressTable } {
  const host = new FakeHost('linux', 'ws-7');
  const link = (name: string, mac: string, opts: { device?: boolean; wireless?: boolean; type?: string } = {}) => {
    host.file(`/sys/class/net/${name}/address`, `${mac}\n`).file(`/sys/class/net/${name}/type`, `${opts.type ?? '1'}\n`);
    if (opts.device) host.dir(`/sys/class/net/${name}/device`);
    if (opts.wireless) host.dir(`/sys/class/net/${name}/wireless`);
  };
  link('lo', '00:00:00:00:00:00', { type: '772' });
  link('enp0s31f6', '48:2a:e3:10:20:30', { device: true });
  link('wlp2s0', 'a4:c3:f0:55:66:77', { device: true, wireless: true });
  link('enp5s0', '48:2a:e3:10:20:31', { device: true }); // unplugged: no address
  link('docker0', '02:42:6b:1c:9e:01');
  link('veth1a2b3c', '7a:11:22:33:44:55');
  host.file(
    '/proc/net/if_inet6',
    [
      'fe800000000000004a2ae3fffe102030 02 40 20 80 enp0s31f6',
      '2001067c12345678a1b2c3d4e5f60718 02 40 00 01 enp0s31f6', // temporary (privacy) address
      '2001067c123456784a2ae3fffe102030 02 40 00 00 enp0s31f6',
      '00000000000000000000000000000001 01 80 10 80 lo',
    ].join('\n'),
  );
  const wired = '48:2a:e3:10:20:30';
  const addresses: AddressTable = {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    enp0s31f6: [
      v4('10.0.0.12', wired),
      v4('10.0.0.200', wired),
      v6('fe80::4a2a:e3ff:fe10:2030', wired),
      v6('2001:67c:1234:5678:a1b2:c3d4:e5f6:718', wired),
      v6('2001:67c:1234:5678:4a2a:e3ff:fe10:2030', wired),
    ],
    wlp2s0: [v4('192.168.1.40', 'a4:c3:f0:55:66:77')],
    docker0: [v4('172.17.0.1', '02:42:6b:1c:9e:01')],
  };
  return { host, addresses };
}

describe('collectNetwork on Linux', () => {
  it('lists real and addressed links, skipping loopback and address-less virtual links', async () => {
    const { host, addresses } = desktop();
    const nics = await collectNetwork(host, addresses);
    assert.deepEqual(
      nics.map((n) => n.name),
      ['docker0', 'enp0s31f6', 'enp5s0', 'wlp2s0'],
    );
  });

  it('keeps an unplugged NIC and its MAC, so the identity does not change with the cable', async () => {
    const { host, addresses } = desktop();
    const unplugged = (await collectNetwork(host, addresses)).find((n) => n.name === 'enp5s0');
    assert.deepEqual(unplugged, { name: 'enp5s0', mac: '48:2a:e3:10:20:31', ipv4: [], ipv6: [], virtual: false, type: 'wired' });
  });

  it('lists every address but not the rotating IPv6 privacy addresses', async () => {
    const { host, addresses } = desktop();
    const wired = (await collectNetwork(host, addresses)).find((n) => n.name === 'enp0s31f6');
    assert.deepEqual(wired?.ipv4, ['10.0.0.12', '10.0.0.200']);
    assert.deepEqual(wired?.ipv6, ['fe80::4a2a:e3ff:fe10:2030', '2001:67c:1234:5678:4a2a:e3ff:fe10:2030']);
  });

  it('marks bridges and other device-less links virtual, and tells Wi-Fi from wired', async () => {
    const { host, addresses } = desktop();
    const byName = new Map((await collectNetwork(host, addresses)).map((n) => [n.name, n]));
    assert.equal(byName.get('docker0')?.virtual, true);
    assert.equal(byName.get('docker0')?.type, undefined);
    assert.equal(byName.get('enp0s31f6')?.virtual, false);
    assert.equal(byName.get('wlp2s0')?.type, 'wireless');
  });

  it('marks a hypervisor MAC virtual even on a device-backed link', async () => {
    const host = new FakeHost('linux');
    host
      .file('/sys/class/net/ens18/address', '52:54:00:12:34:56\n')
      .file('/sys/class/net/ens18/type', '1\n')
      .dir('/sys/class/net/ens18/device');
    const [nic] = await collectNetwork(host, { ens18: [v4('10.9.0.5', '52:54:00:12:34:56')] });
    assert.equal(nic?.virtual, true);
  });

  it('falls back to Node alone when sysfs cannot be read', async () => {
    const host = new FakeHost('linux');
    const nics = await collectNetwork(host, { eth0: [v4('10.0.0.5', '00:1a:2b:3c:4d:5e')], veth9: [v4('10.1.0.1', '7a:00:00:00:00:01')] });
    assert.deepEqual(nics, [
      { name: 'eth0', mac: '00:1a:2b:3c:4d:5e', ipv4: ['10.0.0.5'], ipv6: [], virtual: false },
      { name: 'veth9', mac: '7a:00:00:00:00:01', ipv4: ['10.1.0.1'], ipv6: [], virtual: true },
    ]);
  });
});

describe('collectNetwork on Windows and macOS', () => {
  it('judges adapters by name and MAC, and drops zero MACs', async () => {
    const nics = await collectNetwork(new FakeHost('win32'), {
      Ethernet: [v4('10.2.0.8', '00:1a:2b:3c:4d:5e')],
      'vEthernet (WSL)': [v4('172.22.0.1', '00:15:5d:01:02:03')],
      'VirtualBox Host-Only Network': [v4('192.168.56.1', '0a:00:27:00:00:0c')],
      'Loopback Pseudo-Interface 1': [{ ...v4('127.0.0.1', '00:00:00:00:00:00'), internal: true }],
      utun3: [v6('fd00::1', '00:00:00:00:00:00')],
    });
    assert.deepEqual(
      nics.map((n) => [n.name, n.mac ?? null, n.virtual]),
      [
        ['Ethernet', '00:1a:2b:3c:4d:5e', false],
        ['VirtualBox Host-Only Network', '0a:00:27:00:00:0c', true],
        ['utun3', null, true],
        ['vEthernet (WSL)', '00:15:5d:01:02:03', true],
      ],
    );
  });
});

describe('expandIpv6', () => {
  it('writes an address as 32 hex digits the way /proc/net/if_inet6 does', () => {
    assert.equal(expandIpv6('fe80::1'), 'fe800000000000000000000000000001');
    assert.equal(expandIpv6('::1'), '00000000000000000000000000000001');
    assert.equal(expandIpv6('2001:db8:0:0:1:0:0:1'), '20010db8000000000001000000000001');
    assert.equal(expandIpv6('fe80::1%eth0'), 'fe800000000000000000000000000001');
    assert.equal(expandIpv6('not an address'), '');
  });
});
