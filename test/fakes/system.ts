// SystemInfo fakes for tests: a laptop as systeminformation 5 reports one, and the container this
// project is built in (recorded here: serial '-', empty UUID, no users, dmidecode unavailable).
import type { AddressTable } from '../../agent/collect/system-network.js';
import type { SystemInfo } from '../../agent/collect/system.js';

type Readings = { [K in keyof SystemInfo]: Awaited<ReturnType<SystemInfo[K]>> };

export const LAPTOP: Readings = {
  system: {
    manufacturer: 'Dell Inc.',
    model: 'Latitude 7420',
    serial: '4XK9QF3',
    uuid: '4C4C4544-0058-4B10-8039-B4C04F514633',
    sku: '0A91',
  },
  bios: { vendor: 'Dell Inc.', version: '1.31.0', releaseDate: '2023-09-06' },
  chassis: { manufacturer: 'Dell Inc.', type: 'Notebook', serial: '4XK9QF3', assetTag: '' },
  cpu: { manufacturer: 'Intel', brand: 'Core™ i7-1185G7', cores: 8, physicalCores: 4, processors: 1, speed: 3, speedMax: 4.8 },
  mem: { total: 16_482_533_376 },
  memLayout: [
    {
      size: 8_589_934_592,
      bank: 'BANK 0',
      type: 'LPDDR4',
      clockSpeed: 4267,
      manufacturer: 'Micron Technology',
      partNum: 'MT53E1G32D2NP-046 WT:A',
      serialNum: '00000000',
    },
    {
      size: 8_589_934_592,
      bank: 'BANK 2',
      type: 'LPDDR4',
      clockSpeed: 4267,
      manufacturer: 'Micron Technology',
      partNum: 'MT53E1G32D2NP-046 WT:A',
      serialNum: '00000000',
    },
  ],
  diskLayout: [
    {
      device: '/dev/nvme0n1',
      type: 'NVMe',
      name: 'PM9A1 NVMe Samsung 512GB',
      vendor: 'Samsung',
      size: 512_110_190_592,
      serialNum: 'S64ANS0T512345',
      interfaceType: 'PCIe',
    },
    { device: '/dev/zram0', type: 'SSD', name: '', vendor: '', size: 8_589_934_592, serialNum: '', interfaceType: '' },
  ],
  graphics: { controllers: [{ vendor: 'Intel Corporation', model: 'TigerLake-LP GT2 [Iris Xe Graphics]', vram: 256 }] },
  battery: {
    hasBattery: true,
    manufacturer: 'BYD',
    model: 'DELL 7FMXV1A',
    serial: '2201',
    designedCapacity: 63_000,
    maxCapacity: 54_810,
    capacityUnit: 'mWh',
    cycleCount: 187,
  },
  osInfo: {
    distro: 'Ubuntu',
    release: '22.04.4 LTS',
    build: '',
    codename: 'jammy',
    kernel: '6.5.0-41-generic',
    arch: 'x64',
    hostname: 'lt-0042',
    fqdn: 'lt-0042.corp.example.com',
  },
  users: [
    { user: 'alice', tty: 'tty2' },
    { user: 'alice', tty: 'pts/0' },
  ],
  addresses: {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    wlp0s20f3: [
      { address: '10.1.20.31', netmask: '255.255.255.0', family: 'IPv4', mac: '8c:8d:28:4a:11:02', internal: false, cidr: '10.1.20.31/24' },
      {
        address: 'fe80::8e8d:28ff:fe4a:1102',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: '8c:8d:28:4a:11:02',
        internal: false,
        cidr: 'fe80::8e8d:28ff:fe4a:1102/64',
        scopeid: 3,
      },
    ],
  } satisfies AddressTable,
};

/** This project's build container, as systeminformation and Node really reported it. */
export const CONTAINER: Readings = {
  system: { manufacturer: '', model: 'Docker Container', serial: '-', uuid: '', sku: '-' },
  bios: { vendor: '', version: '', releaseDate: '' },
  chassis: { manufacturer: '', type: '', serial: '', assetTag: '' },
  cpu: { manufacturer: 'AMD', brand: 'EPYC', cores: 2, physicalCores: 2, processors: 1, speed: 0, speedMax: 0 },
  mem: { total: 25_276_063_744 },
  // dmidecode has nothing to say in a container; systeminformation then invents one module of the total.
  memLayout: [{ size: 25_276_063_744, bank: '', type: '', clockSpeed: 0, partNum: '', serialNum: '' }],
  diskLayout: [],
  graphics: { controllers: [] },
  battery: {
    hasBattery: false,
    manufacturer: '',
    model: '',
    serial: '',
    designedCapacity: 0,
    maxCapacity: 0,
    capacityUnit: '',
    cycleCount: 0,
  },
  osInfo: {
    distro: 'Debian GNU/Linux',
    release: '12',
    build: '',
    codename: 'bookworm',
    kernel: '6.18.44-fc-v782',
    arch: 'x64',
    hostname: 'vm',
    fqdn: 'vm',
  },
  users: [],
  addresses: {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [
      { address: '192.0.2.2', netmask: '255.255.255.0', family: 'IPv4', mac: '02:fc:00:00:00:01', internal: false, cidr: '192.0.2.2/24' },
    ],
  } satisfies AddressTable,
};

/**
 * A SystemInfo answering with `readings`; `overrides` replace single calls (to make one fail or
 * hang). `calls` records which were made.
 */
export function fakeSystemInfo(readings: Readings, overrides: Partial<SystemInfo> = {}): SystemInfo & { calls: string[] } {
  const calls: string[] = [];
  const answer =
    <K extends keyof Readings>(key: K) =>
    async () => {
      calls.push(key);
      return structuredClone(readings[key]);
    };
  const si: SystemInfo = {
    system: answer('system'),
    bios: answer('bios'),
    chassis: answer('chassis'),
    cpu: answer('cpu'),
    mem: answer('mem'),
    memLayout: answer('memLayout'),
    diskLayout: answer('diskLayout'),
    graphics: answer('graphics'),
    battery: answer('battery'),
    osInfo: answer('osInfo'),
    users: answer('users'),
    addresses: () => {
      calls.push('addresses');
      return structuredClone(readings.addresses);
    },
    ...overrides,
  };
  return Object.assign(si, { calls });
}
