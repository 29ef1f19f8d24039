// The real SystemInfo: systeminformation's modules required one by one, on first use. Its index
// loads every module (docker, wifi, bluetooth, printers, ...); the handful used here cost about half
// the time and memory, and a users-only refresh loads users.js alone. On Linux every call but cpu,
// memLayout and diskLayout comes from system-linux.ts (kernel files, `who`, `lspci -vmm`) instead.
import { createRequire } from 'node:module';
import * as nodeOs from 'node:os';
import type * as Si from 'systeminformation';
import type { Host } from '../host/host.js';
import { linuxSystemInfo } from './system-linux.js';
import { macosUsers } from './users-macos.js';
import { windowsUsers } from './users-windows.js';
import type { SystemInfo } from './system.js';

const require = createRequire(import.meta.url);

function lib<T>(name: string): T {
  try {
    return require(`systeminformation/lib/${name}.js`) as T;
  } catch {
    // A future release may close its deep paths with an "exports" map; the index still works.
    return require('systeminformation') as T;
  }
}

type Pick1<K extends keyof typeof Si> = Pick<typeof Si, K>;

export function loadSystemInfo(host: Host): SystemInfo {
  const portable = systeminformation();
  if (host.platform === 'linux') return { ...portable, ...linuxSystemInfo(host, nodeOs) };
  // systeminformation sees one Windows user (the first explorer.exe) and only `who` on macOS.
  if (host.platform === 'win32') return { ...portable, users: () => windowsUsers(host) };
  if (host.platform === 'darwin') return { ...portable, users: () => macosUsers(host, () => portable.users()) };
  return portable;
}

function systeminformation(): SystemInfo {
  const system = () => lib<Pick1<'system' | 'bios' | 'chassis'>>('system');
  const memory = () => lib<Pick1<'mem' | 'memLayout'>>('memory');
  return {
    system: () => system().system(),
    bios: () => system().bios(),
    chassis: () => system().chassis(),
    cpu: () => lib<Pick1<'cpu'>>('cpu').cpu(),
    mem: () => memory().mem(),
    memLayout: () => memory().memLayout(),
    diskLayout: () => lib<Pick1<'diskLayout'>>('filesystem').diskLayout(),
    graphics: () => lib<Pick1<'graphics'>>('graphics').graphics(),
    battery: () => batteryOf(lib('battery')).battery(),
    osInfo: () => lib<Pick1<'osInfo'>>('osinfo').osInfo(),
    users: () => lib<Pick1<'users'>>('users').users(),
    addresses: () => nodeOs.networkInterfaces(),
  };
}

// battery.js exports the function itself; the index exports it as a property.
function batteryOf(mod: unknown): Pick1<'battery'> {
  return typeof mod === 'function' ? { battery: mod as (typeof Si)['battery'] } : (mod as Pick1<'battery'>);
}
