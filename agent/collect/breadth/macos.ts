// The breadth sections on macOS, each from the tool Apple documents for it: `df -kP -l` (POSIX
// output) for volumes, `fdesetup status` ("FileVault is On." / "FileVault is Off.") for encryption,
// `system_profiler -json SPDisplaysDataType` for monitors, lpstat for printers, dscl for accounts
// and the admin group, `socketfilterfw --getglobalstate` ("Firewall is enabled. (State = 1)") for the
// firewall, and the software update preferences (LastRecommendedUpdatesAvailable,
// LastFullSuccessfulDate) for updates: `softwareupdate -l` asks Apple's servers and takes minutes.
import type { LocalAccount, LocalGroup, Monitor, SecurityPosture, Volume } from '../../../shared/inventory.js';
import { quantiseFree, SNAPSHOT_LIMITS } from '../../../shared/inventory-keys.js';
import type { Host } from '../../host/host.js';
import { parseLpstat } from './printers-cups.js';
import { runParts } from './run-parts.js';
import { ADMIN_GROUPS, opt, type Breadth } from './types.js';

// APFS system-internal volumes (VM, Preboot, Update, xarts, ...): only / and Data matter there.
const INTERNAL = /^\/System\/Volumes\/(?!Data$)/;

/** `df -kP -l`: "Filesystem 1024-blocks Used Available Capacity Mounted on"; mount points may hold spaces. */
export function parseDfPosix(text: string): Volume[] {
  const out: Volume[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+(\/.*)$/.exec(line.trim());
    if (!m || !m[1]!.startsWith('/dev/')) continue;
    const mount = m[5]!;
    if (INTERNAL.test(mount)) continue;
    const size = Number(m[2]) * 1024;
    out.push({ mount, device: m[1]!, sizeBytes: size, ...quantiseFree(size, Number(m[4]) * 1024) });
  }
  return out.slice(0, SNAPSHOT_LIMITS.volumes);
}

/** `fdesetup status`: On, Off, or encryption/decryption in progress (partial). */
export function parseFdesetup(text: string): 'on' | 'off' | 'partial' | undefined {
  if (/FileVault is On\./.test(text)) return /in progress/i.test(text) ? 'partial' : 'on';
  if (/FileVault is Off\./.test(text)) return /in progress/i.test(text) ? 'partial' : 'off';
  return undefined;
}

export function parseSocketFilterFw(text: string): 'on' | 'off' | undefined {
  if (/Firewall is enabled|State = [12]/.test(text)) return 'on';
  if (/Firewall is disabled|State = 0/.test(text)) return 'off';
  return undefined;
}

const textOf = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? opt(String(v)) : undefined);

/** system_profiler SPDisplaysDataType -json: each GPU's spdisplays_ndrvs lists its displays. */
export function parseDisplays(json: string): Monitor[] {
  const root = JSON.parse(json) as { SPDisplaysDataType?: { spdisplays_ndrvs?: Record<string, unknown>[] }[] };
  const out: Monitor[] = [];
  for (const gpu of root.SPDisplaysDataType ?? []) {
    for (const d of gpu.spdisplays_ndrvs ?? []) {
      const m: Monitor = {};
      const vendor = textOf(d['_spdisplays_display-vendor-id']);
      const model = textOf(d._name);
      const serial = textOf(d['_spdisplays_display-serial-number']) ?? textOf(d['spdisplays_display-serial-number']);
      if (vendor) m.vendor = vendor;
      if (model) m.model = model;
      if (serial) m.serial = serial;
      if (vendor || model || serial) out.push(m);
    }
  }
  return out.slice(0, SNAPSHOT_LIMITS.monitors);
}

/**
 * `dscl . -list /Users UniqueID` ("name   uid" lines) and `dscl . -read /Groups/admin GroupMembership`
 * ("GroupMembership: root alice"): people's accounts (uid 501 and up, or root's 0 is left out as on
 * every Mac it exists disabled) and the admin group.
 */
export function macAccounts(usersList: string, adminRead: string): { accounts: LocalAccount[]; groups: LocalGroup[] } {
  const admins = (/GroupMembership:\s*(.*)/.exec(adminRead)?.[1] ?? '').split(/\s+/).filter(Boolean);
  const accounts: LocalAccount[] = [];
  for (const line of usersList.split('\n')) {
    const m = /^(\S+)\s+(-?\d+)\s*$/.exec(line.trim());
    if (!m || m[1]!.startsWith('_') || Number(m[2]) < 501) continue;
    const admin = admins.includes(m[1]!);
    accounts.push({ name: m[1]!, uid: m[2]!, admin, groups: admin ? ['admin'] : [] });
  }
  const group: LocalGroup = { name: 'admin', gid: '80', admin: ADMIN_GROUPS.has('admin'), members: admins.sort() };
  return { accounts: accounts.slice(0, SNAPSHOT_LIMITS.accounts), groups: [group] };
}

const text = async (host: Host, file: string, args: string[]) => (await host.exec(file, args, { timeoutMs: 20_000 })).stdout;

export async function collectMacBreadth(host: Host, warn: (part: string, err: unknown) => void): Promise<Breadth> {
  const prefs = '/Library/Preferences/com.apple.SoftwareUpdate';
  const r = await runParts(warn, {
    volumes: async () => parseDfPosix(await text(host, 'df', ['-kP', '-l'])),
    fileVault: async () => parseFdesetup(await text(host, 'fdesetup', ['status'])),
    monitors: async () => parseDisplays(await text(host, 'system_profiler', ['-json', 'SPDisplaysDataType'])),
    printers: async () => {
      const [v, d] = await Promise.all([host.exec('lpstat', ['-v']), host.exec('lpstat', ['-d'])]);
      return parseLpstat(v.stdout, d.stdout);
    },
    accounts: async () =>
      macAccounts(
        await text(host, 'dscl', ['.', '-list', '/Users', 'UniqueID']),
        await text(host, 'dscl', ['.', '-read', '/Groups/admin', 'GroupMembership']),
      ),
    firewall: async () => parseSocketFilterFw(await text(host, '/usr/libexec/ApplicationFirewall/socketfilterfw', ['--getglobalstate'])),
    pending: async () => Number((await host.exec('defaults', ['read', prefs, 'LastRecommendedUpdatesAvailable'])).stdout.trim()),
    lastUpdate: async () => (await host.exec('defaults', ['read', prefs, 'LastFullSuccessfulDate'])).stdout.trim(),
  });
  const b: Breadth = {};
  if (r.volumes) {
    const encrypted = r.fileVault === 'on';
    b.volumes = r.volumes.map((v) =>
      r.fileVault && (v.mount === '/' || v.mount === '/System/Volumes/Data')
        ? { ...v, encrypted, ...(encrypted ? { encryption: 'FileVault' } : {}) }
        : v,
    );
  }
  if (r.monitors) b.monitors = r.monitors;
  if (r.printers) b.printers = r.printers;
  if (r.accounts) Object.assign(b, r.accounts);
  const s: SecurityPosture = {};
  if (r.firewall) s.firewall = r.firewall;
  if (r.fileVault) s.diskEncryption = r.fileVault;
  if (r.pending !== undefined && Number.isInteger(r.pending) && r.pending >= 0) s.pendingUpdates = r.pending;
  // `defaults read` prints dates as "2024-05-01 10:22:31 +0000".
  const last = r.lastUpdate ? Date.parse(r.lastUpdate.replace(' ', 'T').replace(' +0000', 'Z')) : NaN;
  if (!Number.isNaN(last)) s.lastUpdateAt = new Date(last).toISOString();
  b.security = s;
  return b;
}
