// The breadth sections on Windows, from one run of windows/breadth.ps1: the documented output of each
// cmdlet and WMI class as JSON, decoded here. ConvertTo-Json writes one object for a single result
// and an array for several; both are read. Security Center's productState is a bit field Microsoft
// does not document; the decoding every management tool uses (and this one): bits 12-15 = 1 when
// real-time protection is on, bits 4-7 = 0 when the signatures are up to date.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Antivirus, LocalAccount, LocalGroup, Monitor, Printer, SecurityPosture, Volume } from '../../../shared/inventory.js';
import { quantiseFree, SNAPSHOT_LIMITS } from '../../../shared/inventory-keys.js';
import type { Host } from '../../host/host.js';
import { runPowerShell } from '../software/powershell.js';
import { opt, type Breadth } from './types.js';

type Json = Record<string, unknown>;

/** The script's output split at its '#part' markers, each part's JSON read as a list of objects. */
export function splitParts(output: string): Map<string, Json[]> {
  const parts = new Map<string, Json[]>();
  let name: string | undefined;
  let body: string[] = [];
  const flush = () => {
    if (name === undefined) return;
    const text = body.join('\n').trim();
    let value: unknown = [];
    try {
      value = text ? JSON.parse(text) : [];
    } catch {
      value = undefined;
    }
    if (value !== undefined)
      parts.set(
        name,
        (Array.isArray(value) ? value : [value]).filter((v): v is Json => !!v && typeof v === 'object'),
      );
  };
  for (const line of output.split(/\r?\n/)) {
    const m = /^#([a-z]+)$/.exec(line.trim());
    if (m) {
      flush();
      name = m[1];
      body = [];
    } else body.push(line);
  }
  flush();
  return parts;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? opt(v) : typeof v === 'number' ? String(v) : undefined);
const int = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
};

/** WmiMonitorID's UInt16 arrays: one character per element, zero-padded. */
export function wmiString(v: unknown): string | undefined {
  if (!Array.isArray(v)) return undefined;
  return opt(String.fromCharCode(...v.filter((c): c is number => typeof c === 'number' && c > 0 && c < 0xffff)));
}

export function decodeProductState(state: number): { enabled: boolean; upToDate: boolean } {
  return { enabled: ((state >> 12) & 0xf) === 1, upToDate: ((state >> 4) & 0xf) === 0 };
}

// Administrators is known by its well-known SID, whatever the display language calls it.
const ADMINISTRATORS_SID = 'S-1-5-32-544';
const shortName = (n: string) => n.slice(n.lastIndexOf('\\') + 1);

export function parseWindowsBreadth(output: string): Breadth {
  const parts = splitParts(output);
  const b: Breadth = {};
  const protectedMounts = new Set(
    (parts.get('bitlocker') ?? [])
      .filter((v) => /^(On|1)$/.test(String(v.ProtectionStatus)))
      .map((v) => String(v.MountPoint).toUpperCase()),
  );
  const bitlockerKnown = parts.has('bitlocker') && (parts.get('bitlocker') ?? []).length > 0;
  const volumes = parts.get('volumes');
  if (volumes) b.volumes = volumes.flatMap((v) => toVolume(v, bitlockerKnown, protectedMounts)).slice(0, SNAPSHOT_LIMITS.volumes);
  const monitors = parts.get('monitors');
  if (monitors)
    b.monitors = monitors
      .map(toMonitor)
      .filter((m) => m.vendor || m.model || m.serial)
      .slice(0, SNAPSHOT_LIMITS.monitors);
  const printers = parts.get('printers');
  if (printers) b.printers = printers.flatMap(toPrinter).slice(0, SNAPSHOT_LIMITS.printers);
  const groups = parts.get('groups');
  const accounts = parts.get('accounts');
  if (accounts && groups) Object.assign(b, toAccounts(accounts, groups));
  b.security = toSecurity(parts, b.volumes);
  return b;
}

function toVolume(v: Json, bitlockerKnown: boolean, protectedMounts: Set<string>): Volume[] {
  const mount = str(v.DeviceID);
  if (!mount) return [];
  const out: Volume = { mount };
  const fs = str(v.FileSystem);
  if (fs) out.fs = fs;
  const label = str(v.VolumeName);
  if (label) out.label = label;
  const size = int(v.Size);
  const free = int(v.FreeSpace);
  if (size !== undefined) out.sizeBytes = size;
  if (size !== undefined && free !== undefined) Object.assign(out, quantiseFree(size, free));
  if (bitlockerKnown) {
    out.encrypted = protectedMounts.has(mount.toUpperCase());
    if (out.encrypted) out.encryption = 'BitLocker';
  }
  return [out];
}

function toMonitor(m: Json): Monitor {
  const out: Monitor = {};
  const vendor = wmiString(m.ManufacturerName);
  const model = wmiString(m.UserFriendlyName);
  const serial = wmiString(m.SerialNumberID);
  if (vendor) out.vendor = vendor;
  if (model) out.model = model;
  if (serial && serial !== '0') out.serial = serial;
  return out;
}

function toPrinter(p: Json): Printer[] {
  const name = str(p.Name);
  if (!name) return [];
  const out: Printer = { name };
  const driver = str(p.DriverName);
  if (driver) out.driver = driver;
  const port = str(p.PortName);
  if (port) out.port = port;
  if (typeof p.Shared === 'boolean') out.shared = p.Shared;
  if (typeof p.Default === 'boolean') out.isDefault = p.Default;
  return [out];
}

function toAccounts(users: Json[], groupRows: Json[]): { accounts: LocalAccount[]; groups: LocalGroup[] } {
  const names = new Set(users.map((u) => str(u.Name)).filter((n): n is string => !!n));
  const groupsOf = new Map<string, string[]>([...names].map((n) => [n.toLowerCase(), []]));
  const admins = new Set<string>();
  const groups: LocalGroup[] = [];
  for (const g of groupRows) {
    const name = str(g.Name);
    if (!name) continue;
    const admin = g.SID === ADMINISTRATORS_SID;
    const members = (Array.isArray(g.Members) ? g.Members : []).map((m) => str(m)).filter((m): m is string => !!m);
    for (const m of members) {
      groupsOf.get(shortName(m).toLowerCase())?.push(name);
      if (admin) admins.add(shortName(m).toLowerCase());
    }
    if (!admin && members.length === 0) continue;
    groups.push({
      name,
      ...(str(g.SID) ? { gid: str(g.SID)! } : {}),
      admin,
      members: members.sort().slice(0, SNAPSHOT_LIMITS.groupMembers),
    });
  }
  const accounts = users.flatMap((u): LocalAccount[] => {
    const name = str(u.Name);
    if (!name) return [];
    const a: LocalAccount = {
      name,
      admin: admins.has(name.toLowerCase()),
      groups: (groupsOf.get(name.toLowerCase()) ?? []).sort().slice(0, SNAPSHOT_LIMITS.accountGroups),
    };
    const fullName = str(u.FullName);
    if (fullName) a.fullName = fullName;
    const sid = str(u.SID);
    if (sid) a.uid = sid;
    if (u.Enabled === false) a.disabled = true;
    return [a];
  });
  return { accounts: accounts.slice(0, SNAPSHOT_LIMITS.accounts), groups: groups.slice(0, SNAPSHOT_LIMITS.groups) };
}

function toSecurity(parts: Map<string, Json[]>, volumes: Volume[] | undefined): SecurityPosture {
  const s: SecurityPosture = {};
  const profiles = parts.get('firewall') ?? [];
  // On only when every profile (Domain, Private, Public) is: one open profile is an open machine.
  if (profiles.length) s.firewall = profiles.every((p) => p.Enabled === true) ? 'on' : 'off';
  const known = volumes?.filter((v) => v.encrypted !== undefined) ?? [];
  if (known.length) {
    const on = known.filter((v) => v.encrypted).length;
    s.diskEncryption = on === 0 ? 'off' : on === known.length ? 'on' : 'partial';
  }
  const av = parts.get('antivirus');
  if (av?.length) s.antivirus = av.flatMap(toAntivirus).slice(0, SNAPSHOT_LIMITS.antivirus);
  const reboot = parts.get('reboot')?.[0];
  if (reboot)
    s.rebootRequired = reboot.ComponentBasedServicing === true || reboot.WindowsUpdate === true || reboot.PendingFileRename === true;
  const updates = parts.get('updates')?.[0];
  const pending = int(updates?.Pending);
  if (pending !== undefined) s.pendingUpdates = pending;
  const last = str(updates?.LastInstall);
  if (last && !Number.isNaN(Date.parse(last))) s.lastUpdateAt = new Date(last).toISOString();
  return s;
}

function toAntivirus(a: Json): Antivirus[] {
  const product = str(a.displayName);
  if (!product) return [];
  const state = int(a.productState);
  return [state === undefined ? { product } : { product, ...decodeProductState(state) }];
}

let script: string | undefined;
function breadthScript(): string {
  script ??= readFileSync(fileURLToPath(new URL('../windows/breadth.ps1', import.meta.url)), 'utf8');
  return script;
}

export async function collectWindowsBreadth(host: Host): Promise<Breadth> {
  const result = await runPowerShell(host, breadthScript(), { timeoutMs: 60_000 });
  if (!result.stdout.includes('#updates'))
    throw new Error(`breadth script failed: ${result.stderr.trim().slice(0, 200) || `exit code ${result.code}`}`);
  return parseWindowsBreadth(result.stdout);
}
