// macOS applications as System Information lists them (`system_profiler SPApplicationsDataType`):
// JSON on macOS 10.15 and later, the XML plist form on older systems that reject -json.
import type { Software } from '../../../shared/inventory.js';
import { cleanText } from '../../../shared/junk.js';
import { isMissing, type ExecResult, type Host } from '../../host/host.js';
import { dateFromIso } from './dates.js';
import { keepNewestPerKey } from './dedupe.js';
import { asArray, asDict, parsePlist, type PlistValue } from './plist.js';
import type { SoftwareCollector } from './types.js';

const SYSTEM_PROFILER = '/usr/sbin/system_profiler';
const BASE_ARGS = ['-detailLevel', 'mini', 'SPApplicationsDataType'];
/** Spotlight-backed and slow: 10-60 s on a Mac with a few hundred bundles. */
const TIMEOUT_MS = 180_000;
const MAX_BYTES = 64 * 1024 * 1024;

/** One item as system_profiler prints it; every field is optional in practice. */
export interface AppRecord {
  _name?: unknown;
  path?: unknown;
  version?: unknown;
  arch_kind?: unknown;
  obtained_from?: unknown;
  signed_by?: unknown;
  lastModified?: unknown;
}

// arch_arm_i64 is a universal binary (arm64 + x86_64 slices): "universal" says that in one word, and
// keeps one key per app whichever Mac it runs on. arch_ios apps are iPhone/iPad builds, which only run
// on Apple silicon. arch_other (scripts, droplets) has no machine code to name.
const ARCH: Record<string, string> = {
  arch_arm_i64: 'universal',
  arch_arm: 'arm64',
  arch_i64: 'x64',
  arch_i32: 'x86',
  arch_ios: 'arm64',
};

/** Items of `system_profiler -json SPApplicationsDataType`; throws on text that is not that JSON. */
export function parseAppsJson(text: string): AppRecord[] {
  const data = JSON.parse(text) as { SPApplicationsDataType?: unknown } | null;
  const items = data?.SPApplicationsDataType;
  if (!Array.isArray(items)) throw new Error('system_profiler JSON has no SPApplicationsDataType list');
  return items.filter((i): i is AppRecord => typeof i === 'object' && i !== null);
}

/** Items of `system_profiler -xml SPApplicationsDataType`: an array holding one dict whose _items are the apps. */
export function parseAppsXml(text: string): AppRecord[] {
  const root: PlistValue = parsePlist(text);
  const items = asArray(root).flatMap((section) => asArray(asDict(section)?._items));
  return items.flatMap((item): AppRecord[] => {
    const dict = asDict(item);
    return dict ? [dict] : [];
  });
}

export function appToSoftware(app: AppRecord): Software | undefined {
  const path = nfc(app.path);
  if (!path || !isApplicationBundle(app, path)) return undefined;
  const name = cleanText(nfc(app._name)) ?? cleanText(bundleName(path));
  if (!name) return undefined;
  const version = cleanText(app.version);
  const arch = typeof app.arch_kind === 'string' ? ARCH[app.arch_kind] : undefined;
  const publisher = signerName(Array.isArray(app.signed_by) ? app.signed_by[0] : undefined);
  const installDate = dateFromIso(typeof app.lastModified === 'string' ? app.lastModified : undefined);
  const user = homeOwner(path);
  return {
    name,
    ...(version ? { version } : {}),
    ...(publisher ? { publisher } : {}),
    ...(arch ? { arch } : {}),
    source: 'macos-app',
    scope: user ? 'user' : 'machine',
    ...(user ? { user } : {}),
    ...(installDate ? { installDate } : {}),
  };
}

/**
 * system_profiler reports whatever LaunchServices registered, including folders that are not apps:
 * a node_modules package, a Firefox storage folder named "https+++site.netlify.app". Those are left out:
 * paths not ending in .app, anything inside node_modules, and unsigned "apps" with neither a version
 * nor machine code (real bundles, even AppleScript droplets, carry a version).
 */
function isApplicationBundle(app: AppRecord, path: string): boolean {
  if (!/\.app\/?$/i.test(path)) return false;
  if (path.includes('/node_modules/')) return false;
  const unknownOrigin = app.obtained_from === undefined || app.obtained_from === 'unknown';
  return !(unknownOrigin && cleanText(app.version) === undefined && (app.arch_kind ?? 'arch_other') === 'arch_other');
}

/** Names and paths come NFD-decomposed from the file system; NFC keeps one key per visible name. */
function nfc(value: unknown): string | undefined {
  return typeof value === 'string' ? value.normalize('NFC') : undefined;
}

function bundleName(path: string): string {
  return path
    .replace(/\/$/, '')
    .split('/')
    .pop()!
    .replace(/\.app$/i, '');
}

/** Bundles under /Users/<name>/ belong to that user; /Users/Shared is everyone's. */
function homeOwner(path: string): string | undefined {
  const m = /^\/Users\/([^/]+)\//.exec(path);
  return m && m[1] !== 'Shared' ? cleanText(m[1]) : undefined;
}

const SIGNER_PREFIXES =
  /^(?:Developer ID Application|Apple Development|Apple Distribution|3rd Party Mac Developer Application|Mac Developer|Mac App Distribution): /;

/**
 * The developer from the leaf signing certificate: "Developer ID Application: Foo, Inc. (TEAMID)" ->
 * "Foo, Inc.". Apple's own apps are signed "Software Signing". App Store apps are re-signed by Apple
 * ("Apple Mac OS Application Signing"), which names the store, not the developer, so they get none.
 */
export function signerName(leaf: unknown): string | undefined {
  if (typeof leaf !== 'string') return undefined;
  if (leaf === 'Software Signing') return 'Apple Inc.';
  if (!SIGNER_PREFIXES.test(leaf)) return undefined;
  return cleanText(
    leaf
      .replace(SIGNER_PREFIXES, '')
      .replace(/\s*\([A-Z0-9]{10}\)$/, '')
      .normalize('NFC'),
  );
}

/** The command's output, or null when system_profiler is not on this machine. */
async function runSystemProfiler(host: Host, format: '-json' | '-xml'): Promise<ExecResult | null> {
  try {
    return await host.exec(SYSTEM_PROFILER, [format, ...BASE_ARGS], { timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES });
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** JSON first; macOS before 10.15 rejects -json (usage text or an error), which means "ask for XML". */
async function readApps(host: Host): Promise<AppRecord[] | undefined> {
  const json = await runSystemProfiler(host, '-json');
  if (json === null) return undefined;
  if (json.stdout.trimStart().startsWith('{')) return parseAppsJson(json.stdout);
  const xml = await runSystemProfiler(host, '-xml');
  if (xml === null) return undefined;
  if (!xml.stdout.trimStart().startsWith('<')) {
    throw new Error(`system_profiler printed no application list (exit ${xml.code}): ${xml.stderr.trim().slice(0, 200)}`);
  }
  return parseAppsXml(xml.stdout);
}

export async function collectMacosApps(host: Host): Promise<Software[]> {
  const apps = await readApps(host);
  if (!apps) return [];
  return keepNewestPerKey(apps.flatMap((a) => appToSoftware(a) ?? []));
}

export const macosAppsCollector: SoftwareCollector = {
  source: 'macos-app',
  timeoutMs: TIMEOUT_MS + 5_000,
  platforms: ['darwin'],
  watchPaths: async (host) => {
    const paths = ['/Applications'];
    for (const user of await host.readdir('/Users').catch(() => [] as string[])) {
      if (!user.startsWith('.') && user !== 'Shared') paths.push(`/Users/${user}/Applications`);
    }
    const exists = await Promise.all(paths.map((p) => host.mtimeMs(p)));
    return paths.filter((_, i) => exists[i] !== undefined);
  },
  collect: collectMacosApps,
};
