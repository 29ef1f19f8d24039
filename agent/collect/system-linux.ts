// On Linux, most systeminformation calls only shell out to `cat` the kernel's own files (DMI in
// sysfs, power_supply, os-release) and add dmidecode, dmesg and `ip` runs on top; users() runs who
// and w twice through a shell. Reading the files directly (and `who` once) gives the same values for
// a fraction of the time and memory; graphics come from sysfs and `lspci -vmm`
// (system-linux-graphics.ts). The calls that parse real tools' output (lscpu, dmidecode's memory
// devices, lsblk) stay with systeminformation.
import { isMissing, type Host } from '../host/host.js';
import { linuxGraphics } from './system-linux-graphics.js';
import type { SystemInfo } from './system.js';

export type LinuxSystemInfo = Pick<SystemInfo, 'system' | 'bios' | 'chassis' | 'battery' | 'mem' | 'osInfo' | 'users' | 'graphics'>;

/** What the node:os module says, injected so tests need no real machine. */
export interface NodeOsFacts {
  totalmem(): number;
  release(): string;
  arch(): string;
}

const DMI = '/sys/class/dmi/id';
const DEVICE_TREE = '/proc/device-tree';
const POWER_SUPPLY = '/sys/class/power_supply';
const OS_RELEASE = ['/etc/os-release', '/usr/lib/os-release'];

// SMBIOS chassis types 1..36, in the wording systeminformation uses on every platform.
const CHASSIS_TYPES = [
  'Other',
  'Unknown',
  'Desktop',
  'Low Profile Desktop',
  'Pizza Box',
  'Mini Tower',
  'Tower',
  'Portable',
  'Laptop',
  'Notebook',
  'Hand Held',
  'Docking Station',
  'All in One',
  'Sub Notebook',
  'Space-Saving',
  'Lunch Box',
  'Main System Chassis',
  'Expansion Chassis',
  'SubChassis',
  'Bus Expansion Chassis',
  'Peripheral Chassis',
  'Storage Chassis',
  'Rack Mount Chassis',
  'Sealed-Case PC',
  'Multi-System Chassis',
  'Compact PCI',
  'Advanced TCA',
  'Blade',
  'Blade Enclosure',
  'Tablet',
  'Convertible',
  'Detachable',
  'IoT Gateway',
  'Embedded PC',
  'Mini PC',
  'Stick PC',
];

export function linuxSystemInfo(host: Host, nodeOs: NodeOsFacts): LinuxSystemInfo {
  const read = (path: string) => readText(host, path);
  const dmi = (name: string) => read(`${DMI}/${name}`);
  return {
    system: async () => {
      const [manufacturer = '', model = '', serial = '', uuid = '', sku = ''] = await Promise.all(
        ['sys_vendor', 'product_name', 'product_serial', 'product_uuid', 'product_sku'].map(dmi),
      );
      // ARM boards (Raspberry Pi and the like) have no DMI; the device tree names the board instead.
      if (!manufacturer && !model) {
        const [board = '', boardSerial = ''] = await Promise.all([read(`${DEVICE_TREE}/model`), read(`${DEVICE_TREE}/serial-number`)]);
        return { manufacturer: '', model: board, serial: serial || boardSerial, uuid, sku };
      }
      return { manufacturer, model, serial, uuid, sku };
    },
    bios: async () => {
      const [vendor = '', version = '', date = ''] = await Promise.all(['bios_vendor', 'bios_version', 'bios_date'].map(dmi));
      return { vendor, version, releaseDate: smbiosDate(date) };
    },
    chassis: async () => {
      const [manufacturer = '', type = '', serial = '', assetTag = ''] = await Promise.all(
        ['chassis_vendor', 'chassis_type', 'chassis_serial', 'chassis_asset_tag'].map(dmi),
      );
      return { manufacturer, type: CHASSIS_TYPES[Number(type) - 1] ?? '', serial, assetTag };
    },
    battery: () => readBattery(host),
    mem: async () => ({ total: nodeOs.totalmem() }),
    osInfo: async () => {
      const [release, fqdn] = await Promise.all([readOsRelease(host), fullHostname(host)]);
      return { ...release, kernel: nodeOs.release(), arch: nodeOs.arch(), hostname: host.hostname(), fqdn };
    },
    users: () => whoSessions(host),
    graphics: () => linuxGraphics(host),
  };
}

/** `who`: one line per session, "alice    tty2    2024-05-02 09:12 (tty2)". No `who`, no sessions. */
async function whoSessions(host: Host): Promise<{ user: string; tty: string }[]> {
  const result = await host.exec('who', [], { timeoutMs: 5_000, maxBytes: 1024 * 1024 }).catch((err: unknown) => {
    if (isMissing(err)) return { stdout: '', code: 0 };
    throw err;
  });
  if (result.code !== 0) throw new Error(`who exited with ${result.code}`);
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[0])
    .map(([user = '', tty = '']) => ({ user, tty }));
}

/** A sysfs or procfs value without its trailing newline or NUL; '' when it is missing or unreadable. */
async function readText(host: Host, path: string): Promise<string> {
  try {
    return (await host.readFile(path)).replace(/\0+$/, '').trim();
  } catch {
    return ''; // product_serial and product_uuid are root-only: absent for other users, as with dmidecode
  }
}

/** SMBIOS writes BIOS dates as mm/dd/yyyy (or mm/dd/yy); the inventory keeps YYYY-MM-DD. */
export function smbiosDate(value: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(value.trim());
  if (!m) return value;
  const year = m[3]!.length === 2 ? `${Number(m[3]) < 70 ? '20' : '19'}${m[3]}` : m[3]!;
  return `${year}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
}

/** os-release as systeminformation reads it: release from PRETTY_NAME, e.g. "22.04.3 LTS". */
export function parseOsRelease(text: string): { distro: string; release: string; codename: string; build: string } {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0)
      fields.set(
        line.slice(0, eq).trim(),
        line
          .slice(eq + 1)
          .trim()
          .replace(/^["']|["']$/g, ''),
      );
  }
  const distro = fields.get('NAME') ?? '';
  const pretty = fields.get('PRETTY_NAME') ?? '';
  let release = distro && pretty.startsWith(`${distro} `) ? pretty.slice(distro.length + 1) : (fields.get('VERSION') ?? '');
  let codename = fields.get('VERSION_CODENAME') ?? '';
  const paren = /^(.*?)\s*\((.+)\)\s*$/.exec(release);
  if (paren) {
    release = paren[1]!;
    codename ||= paren[2]!;
  }
  return { distro, release: release.trim() || (fields.get('VERSION_ID') ?? ''), codename, build: fields.get('BUILD_ID') ?? '' };
}

async function readOsRelease(host: Host): Promise<ReturnType<typeof parseOsRelease>> {
  for (const path of OS_RELEASE) {
    const text = await readText(host, path);
    if (text) return parseOsRelease(text);
  }
  return { distro: '', release: '', codename: '', build: '' };
}

// `hostname -f` asks the resolver, which can hang on a broken DNS setup: bounded, and the plain
// hostname stands in when it fails.
async function fullHostname(host: Host): Promise<string> {
  try {
    const result = await host.exec('hostname', ['-f'], { timeoutMs: 2_000, maxBytes: 4_096 });
    const name = result.code === 0 ? result.stdout.split('\n')[0]!.trim() : '';
    return name || host.hostname();
  } catch {
    return host.hostname();
  }
}

/** The first system battery; a wireless mouse's battery (scope Device) is not the machine's. */
async function readBattery(host: Host): ReturnType<LinuxSystemInfo['battery']> {
  const none = {
    hasBattery: false,
    manufacturer: '',
    model: '',
    serial: '',
    designedCapacity: 0,
    maxCapacity: 0,
    capacityUnit: '',
    cycleCount: 0,
  };
  let names: string[];
  try {
    names = (await host.readdir(POWER_SUPPLY)).sort();
  } catch {
    return none;
  }
  for (const name of names) {
    const props = parseUevent(await readText(host, `${POWER_SUPPLY}/${name}/uevent`));
    if (props.get('TYPE') !== 'Battery' || props.get('SCOPE') === 'Device') continue;
    // energy_* are in uWh, charge_* in uAh; systeminformation reports mWh or mAh.
    const energy = props.has('ENERGY_FULL_DESIGN');
    const design = Number(props.get(energy ? 'ENERGY_FULL_DESIGN' : 'CHARGE_FULL_DESIGN') ?? 0) / 1000;
    const max = Number(props.get(energy ? 'ENERGY_FULL' : 'CHARGE_FULL') ?? 0) / 1000;
    return {
      hasBattery: true,
      manufacturer: props.get('MANUFACTURER') ?? '',
      model: props.get('MODEL_NAME') ?? '',
      serial: props.get('SERIAL_NUMBER') ?? '',
      designedCapacity: Number.isFinite(design) ? design : 0,
      maxCapacity: Number.isFinite(max) ? max : 0,
      capacityUnit: energy ? 'mWh' : 'mAh',
      cycleCount: Number(props.get('CYCLE_COUNT') ?? 0) || 0,
    };
  }
  return none;
}

function parseUevent(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (line.startsWith('POWER_SUPPLY_') && eq > 0) out.set(line.slice(13, eq), line.slice(eq + 1).trim());
  }
  return out;
}
