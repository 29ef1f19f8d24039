// Windows programs as "Apps & features" lists them: the Uninstall keys of the 64-bit and 32-bit
// registry views, plus per-user installs in the hive of each signed-in user.
import type { Software } from '../../../shared/inventory.js';
import { cleanText } from '../../../shared/junk.js';
import { isMissing, type Host } from '../../host/host.js';
import { dateFromCompact } from './dates.js';
import { keepNewestPerKey } from './dedupe.js';
import { system32 } from './powershell.js';
import { canonicalKey, parseRegQuery, runRegQueries, type RegData, type RegKey, type RegQuery } from './reg-query.js';
import type { SoftwareCollector } from './types.js';

export const UNINSTALL = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
export const HKLM_UNINSTALL = `HKLM\\${UNINSTALL}`;
const PROFILE_LIST = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList';
/** Local and domain accounts (S-1-5-21-...) and Entra ID accounts (S-1-12-1-...); not SYSTEM, services or *_Classes. */
const USER_SID = /^S-1-(?:5-21|12-1)(?:-\d+){4}$/;
/** Entries Windows itself hides from "Apps & features": patches filed under their product. */
const UPDATE_RELEASE_TYPES = new Set(['update', 'hotfix', 'security update']);

export interface UninstallEntry {
  name: string;
  version?: string;
  publisher?: string;
  installDate?: string;
}

const text = (v: RegData | undefined) => (typeof v === 'string' ? cleanText(v) : undefined);

/**
 * The program an Uninstall key describes, or undefined for keys Windows does not list as a program:
 * no DisplayName, SystemComponent=1, a ParentKeyName (an update or part of another product), or a
 * ReleaseType of Update/Hotfix/Security Update (those are reported by the hotfix source).
 */
export function uninstallEntry(key: RegKey): UninstallEntry | undefined {
  const v = key.values;
  const name = text(v.get('displayname'));
  if (!name) return undefined;
  const systemComponent = v.get('systemcomponent');
  if (systemComponent === 1 || systemComponent === '1') return undefined;
  if (text(v.get('parentkeyname'))) return undefined;
  if (UPDATE_RELEASE_TYPES.has(text(v.get('releasetype'))?.toLowerCase() ?? '')) return undefined;
  const version = text(v.get('displayversion'));
  const publisher = text(v.get('publisher'));
  const date = v.get('installdate');
  const installDate = dateFromCompact(typeof date === 'string' ? date : undefined);
  return { name, ...(version ? { version } : {}), ...(publisher ? { publisher } : {}), ...(installDate ? { installDate } : {}) };
}

/** Direct subkeys of `root` only: an export or /s listing also holds nested keys such as {GUID}\CustomMessages. */
export function programKeys(keys: readonly RegKey[], root: string): RegKey[] {
  const strip = (p: string) => canonicalKey(p).replace(/\\WOW6432NODE(?=\\)/, '');
  const prefix = `${strip(root)}\\`;
  return keys.filter((k) => {
    const p = strip(k.path);
    return p.startsWith(prefix) && !p.slice(prefix.length).includes('\\') && p.length > prefix.length;
  });
}

export function uninstallEntries(keys: readonly RegKey[], root: string): UninstallEntry[] {
  return programKeys(keys, root).flatMap((k) => uninstallEntry(k) ?? []);
}

/** The 32-bit view repeats some products of the 64-bit one; the same name and version is listed once, as 64-bit. */
export function mergeViews(native: readonly UninstallEntry[], wow: readonly UninstallEntry[]): UninstallEntry[] {
  const seen = new Set(native.map((e) => `${e.name}\t${e.version ?? ''}`));
  return [...native, ...wow.filter((e) => !seen.has(`${e.name}\t${e.version ?? ''}`))];
}

/** SIDs of the user hives currently loaded (signed-in users), from `reg query HKU`. */
export function parseUserSids(text: string): string[] {
  return parseRegQuery(text)
    .map((k) => k.path.split('\\')[1] ?? '')
    .filter((sid) => USER_SID.test(sid));
}

/** SID -> account folder name (the last segment of ProfileImagePath), from a ProfileList listing. */
export function profileNames(keys: readonly RegKey[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const k of programKeys(keys, PROFILE_LIST)) {
    const path = text(k.values.get('profileimagepath'));
    const name = cleanText(path?.split('\\').pop());
    const sid = k.path.split('\\').pop()!;
    if (name && USER_SID.test(sid)) names.set(sid, name);
  }
  return names;
}

/** The OS architecture, from the environment Windows gives every process (a 32-bit agent sees PROCESSOR_ARCHITEW6432). */
export function nativeArch(host: Host): 'x64' | 'arm64' | 'x86' {
  const arch = (host.env('PROCESSOR_ARCHITEW6432') ?? host.env('PROCESSOR_ARCHITECTURE') ?? 'AMD64').toUpperCase();
  return arch === 'ARM64' ? 'arm64' : arch === 'X86' ? 'x86' : 'x64';
}

async function listUserSids(host: Host): Promise<string[] | undefined> {
  try {
    const r = await host.exec(system32(host, 'reg.exe'), ['query', 'HKU'], { timeoutMs: 30_000 });
    return parseUserSids(r.stdout);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

const toSoftware = (e: UninstallEntry, extra: Pick<Software, 'arch' | 'scope' | 'user'>): Software => ({
  ...e,
  ...(extra.arch ? { arch: extra.arch } : {}),
  source: 'windows-registry',
  scope: extra.scope,
  ...(extra.user ? { user: extra.user } : {}),
});

export async function collectWindowsRegistry(host: Host): Promise<Software[]> {
  const sids = await listUserSids(host);
  if (sids === undefined) return [];
  const arch = nativeArch(host);
  const machine: RegQuery[] =
    arch === 'x86'
      ? [{ key: HKLM_UNINSTALL }]
      : [
          { key: HKLM_UNINSTALL, view: 64 },
          { key: HKLM_UNINSTALL, view: 32 },
        ];
  const users: RegQuery[] = sids.map((sid) => ({ key: `HKU\\${sid}\\${UNINSTALL}` }));
  const profiles: RegQuery[] = sids.length > 0 ? [{ key: PROFILE_LIST }] : [];
  const outputs = await runRegQueries(host, [...machine, ...profiles, ...users]);
  if (outputs === undefined) return [];
  const [nativeText = '', wowText = ''] = outputs;
  const nativeKeys = parseRegQuery(nativeText);
  if (nativeKeys.length === 0) throw new Error(`${HKLM_UNINSTALL} could not be read`);

  const native = uninstallEntries(nativeKeys, HKLM_UNINSTALL);
  const items = native.map((e) => toSoftware(e, { arch, scope: 'machine' }));
  if (machine.length === 2) {
    const wow = uninstallEntries(parseRegQuery(wowText), HKLM_UNINSTALL);
    const extra = mergeViews(native, wow).slice(native.length);
    items.push(...extra.map((e) => toSoftware(e, { arch: 'x86', scope: 'machine' })));
  }
  const names = profileNames(parseRegQuery(outputs[machine.length] ?? ''));
  sids.forEach((sid, i) => {
    const root = `HKU\\${sid}\\${UNINSTALL}`;
    const entries = uninstallEntries(parseRegQuery(outputs[machine.length + profiles.length + i] ?? ''), root);
    items.push(...entries.map((e) => toSoftware(e, { scope: 'user', user: names.get(sid) ?? sid })));
  });
  return keepNewestPerKey(items);
}

export const windowsRegistryCollector: SoftwareCollector = {
  source: 'windows-registry',
  platforms: ['win32'],
  collect: collectWindowsRegistry,
};
