// A synthetic fleet, deterministic per device index: 60 % Windows, 25 % Linux, 15 % macOS, 325-976
// packages each (~100 KB snapshots), drawn from one catalogue per OS with a popular core every
// device has and a long tail, so that fleet-wide software counts look like a real estate's. A device
// keeps only package indices and versions; its snapshot is built when it is sent.
const dist = new URL('../../dist/', import.meta.url);
const { normaliseSnapshot } = await import(new URL('shared/normalise.js', dist).href);
const { sectionDigests, combineDigests, itemHash, adjustSum } = await import(new URL('shared/digest.js', dist).href);

/** mulberry32: a small seeded PRNG, so that device N looks the same in every run and process. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VENDORS = {
  windows: [
    'Microsoft Corporation',
    'Adobe Inc.',
    'Google LLC',
    'Mozilla',
    'Oracle Corporation',
    'Intel Corporation',
    'NVIDIA Corporation',
    'Dell Inc.',
    'Cisco Systems, Inc.',
    'Zoom Video Communications, Inc.',
    'Citrix Systems, Inc.',
    'Autodesk, Inc.',
  ],
  linux: [
    'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>',
    'Debian Python Team <team+python@tracker.debian.org>',
    'Debian X Strike Force <debian-x@lists.debian.org>',
    'Ubuntu Core Developers <ubuntu-devel-discuss@lists.ubuntu.com>',
    'GNOME Maintainers <pkg-gnome-maintainers@lists.alioth.debian.org>',
  ],
  macos: [
    'Apple Inc.',
    'Microsoft Corporation',
    'Google LLC',
    'Adobe Inc.',
    'Slack Technologies, LLC',
    'Zoom Video Communications, Inc.',
    'JetBrains s.r.o.',
  ],
};
const WORDS = [
  'Runtime',
  'Update',
  'Helper',
  'Driver',
  'Toolkit',
  'Client',
  'Service',
  'Library',
  'Framework',
  'Agent',
  'Plugin',
  'Viewer',
  'Studio',
  'Connector',
  'Redistributable',
  'Components',
  'Language Pack',
  'Codec',
  'Manager',
  'Assistant',
];
const CATALOGUE_SIZE = 4000;
/** Every device of the OS has these (the base system, the office suite, the browser). */
const CORE = 250;

export const PLATFORMS = ['windows', 'linux', 'macos'];
export function platformOf(index) {
  const r = rng(index * 7919 + 13)();
  return r < 0.6 ? 'windows' : r < 0.85 ? 'linux' : 'macos';
}

function catalogueName(platform, i) {
  if (platform === 'linux')
    return `lib${WORDS[i % WORDS.length].toLowerCase().replace(/ /g, '')}${Math.floor(i / WORDS.length)}-${['dev', 'common', 'data', 'bin', 'doc'][i % 5]}`;
  const vendor = VENDORS[platform][i % VENDORS[platform].length];
  return `${vendor.split(' ')[0]} ${WORDS[(i * 7) % WORDS.length]} ${Math.floor(i / 3)} (${i % 2 ? 'x64' : 'x86'})`;
}

function version(i, v) {
  return `${1 + (i % 9)}.${(i * 13) % 40}.${v}.${(i * 31 + v * 7) % 1000}`;
}

/** Package `i` of the OS catalogue at version step `v`, as a collector reports it. */
export function softwareItem(platform, i, v) {
  const vendors = VENDORS[platform];
  const item = {
    name: catalogueName(platform, i),
    version: version(i, v),
    publisher: vendors[(i * 5) % vendors.length],
    arch: platform === 'linux' ? (i % 4 ? 'amd64' : 'all') : platform === 'macos' ? 'arm64' : i % 2 ? 'x64' : 'x86',
    source: platform === 'linux' ? 'dpkg' : platform === 'macos' ? (i % 3 ? 'macos-app' : 'pkgutil') : i % 17 ? 'windows-registry' : 'msix',
    scope: 'machine',
    installDate: `20${20 + (i % 5)}-0${1 + (i % 9)}-1${i % 10}`,
  };
  return item;
}

/** The compact state of device `index`: its OS and which packages at which version steps. */
export function deviceModel(index) {
  const r = rng(index * 104729 + 7);
  const platform = platformOf(index);
  const count = 325 + Math.floor(r() * (976 - 325 + 1));
  const chosen = new Set();
  for (let i = 0; i < CORE; i++) chosen.add(i);
  // The tail: popularity falls with the index (squared uniform leans towards the front).
  while (chosen.size < count) chosen.add(CORE + Math.floor(r() ** 2 * (CATALOGUE_SIZE - CORE)));
  const packages = Uint16Array.from([...chosen]);
  const versions = new Uint8Array(packages.length);
  for (let k = 0; k < versions.length; k++) versions[k] = Math.floor(r() * 3);
  return { index, platform, packages, versions, rest: restOf(index, platform) };
}

function restOf(index, platform) {
  const host = `${platform === 'windows' ? 'WS' : platform === 'linux' ? 'lnx' : 'mac'}-${String(index).padStart(6, '0')}`;
  const mac = (n) =>
    `02:00:${[index >> 16, (index >> 8) & 255, index & 255, n].map((b) => (b & 255).toString(16).padStart(2, '0')).join(':')}`;
  const os =
    platform === 'windows'
      ? {
          platform: 'win32',
          distro: 'Microsoft Windows 11 Enterprise',
          release: '10.0.22631',
          build: '22631',
          arch: 'x64',
          hostname: host,
          domain: 'CORP',
        }
      : platform === 'linux'
        ? {
            platform: 'linux',
            distro: 'Ubuntu',
            release: '24.04',
            codename: 'noble',
            kernel: '6.8.0-45-generic',
            arch: 'x64',
            hostname: host,
          }
        : { platform: 'darwin', distro: 'macOS', release: '14.6.1', build: '23G93', kernel: '23.6.0', arch: 'arm64', hostname: host };
  return {
    hardware: {
      manufacturer: platform === 'macos' ? 'Apple Inc.' : 'Dell Inc.',
      model: platform === 'macos' ? 'MacBookPro18,3' : 'Latitude 7440',
      serial: `SN${String(index).padStart(8, '0')}`,
      uuid: `4c4c4544-0000-4000-8000-${String(index).padStart(12, '0')}`,
      bios: { vendor: 'Dell Inc.', version: '1.14.1', releaseDate: '2024-05-02' },
      cpu: { manufacturer: 'Intel', brand: 'Intel(R) Core(TM) i7-1365U', cores: 12, physicalCores: 10, sockets: 1, speedMHz: 1800 },
      memory: {
        totalBytes: 16 * 2 ** 30,
        modules: [
          { slot: 'DIMM A', sizeBytes: 8 * 2 ** 30, type: 'LPDDR5', speedMHz: 6000 },
          { slot: 'DIMM B', sizeBytes: 8 * 2 ** 30, type: 'LPDDR5', speedMHz: 6000 },
        ],
      },
      disks: [
        {
          device: 'disk0',
          type: 'SSD',
          vendor: 'Samsung',
          model: 'PM9A1 512GB',
          serial: `S6${index}`,
          sizeBytes: 512110190592,
          interface: 'NVMe',
        },
      ],
      graphics: [{ vendor: 'Intel', model: 'Iris Xe Graphics', vramMB: 128 }],
      battery: {
        manufacturer: 'SMP',
        model: 'DELL 9JRV0',
        designCapacityMWh: 57000,
        maxCapacityMWh: 52000,
        healthPercent: 91,
        cycleCount: 211,
      },
    },
    os,
    network: [
      {
        name: 'eth0',
        mac: mac(1),
        ipv4: [`10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`],
        ipv6: [],
        virtual: false,
        type: 'wired',
        speedMbps: 1000,
      },
      { name: 'wlan0', mac: mac(2), ipv4: [], ipv6: [], virtual: false, type: 'wireless' },
    ],
    users: [{ name: `user${index}`, domain: 'CORP' }],
    volumes: [
      {
        mount: platform === 'windows' ? 'C:' : '/',
        fs: platform === 'windows' ? 'NTFS' : platform === 'linux' ? 'ext4' : 'apfs',
        sizeBytes: 511000000000,
        freePercent: 40 + (index % 50),
        freeBytes: Math.floor((511000000000 * (40 + (index % 50))) / 100),
        encrypted: true,
        encryption: platform === 'windows' ? 'BitLocker' : platform === 'linux' ? 'LUKS' : 'FileVault',
      },
    ],
    monitors: [{ vendor: 'DEL', model: 'DELL U2723QE', serial: `MON${index}`, sizeInches: 27 }],
    printers: [{ name: 'Floor 3 MFP', driver: 'Generic PCL 6', port: 'IP_10.0.3.50', isDefault: true }],
    accounts: [
      { name: 'Administrator', admin: true, disabled: true, groups: ['Administrators'] },
      { name: `user${index}`, fullName: `User ${index}`, admin: false, groups: ['Users'] },
    ],
    groups: [{ name: 'Administrators', admin: true, members: ['Administrator'] }],
    security: {
      firewall: 'on',
      diskEncryption: 'on',
      antivirus: [{ product: 'Microsoft Defender', enabled: true, upToDate: true }],
      pendingUpdates: index % 7,
      rebootRequired: index % 11 === 0,
    },
  };
}

/** The device's snapshot now, normalised as the agent sends it. */
export function snapshotOf(model) {
  const software = [];
  for (let k = 0; k < model.packages.length; k++) software.push(softwareItem(model.platform, model.packages[k], model.versions[k]));
  return normaliseSnapshot({ ...model.rest, software });
}

/** Section digests and the digest of the device's snapshot (computed once, then kept up to date). */
export function digestsOf(model) {
  const digests = sectionDigests(snapshotOf(model));
  return { digests, digest: combineDigests(digests) };
}

const asBig = (h) => BigInt(`0x${Buffer.from(h, 'latin1').toString('hex')}`);

/**
 * One package upgraded: the delta the agent would send and the digest after it, updated from the
 * two items' hashes as the agent's own digest code does (shared/digest.ts).
 */
export function upgradeOne(model, state, random) {
  const k = Math.floor(random() * model.packages.length);
  const before = softwareItem(model.platform, model.packages[k], model.versions[k]);
  model.versions[k] = (model.versions[k] + 1) % 250;
  const after = softwareItem(model.platform, model.packages[k], model.versions[k]);
  const digests = {
    ...state.digests,
    software: adjustSum(state.digests.software, asBig(itemHash('software', after)), asBig(itemHash('software', before))),
  };
  return { delta: { software: { changed: [after] } }, digests, digest: combineDigests(digests) };
}
