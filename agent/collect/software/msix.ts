// Windows Store / MSIX / AppX packages, from `Get-AppxPackage -AllUsers` in PowerShell's list format
// (the format real captures exist for; see fixtures/README.md).
//
// Choices:
// - -AllUsers: the agent runs as a service (LocalSystem), whose own package list is nearly empty; the
//   machine-wide list needs -AllUsers, which needs the elevation the service has.
// - scope 'machine', one item per package: packages are stored once per machine and registered per
//   user. One row per (package, user) would multiply every inbox app by the number of profiles.
// - Left out: frameworks and resource packages (runtime pieces, not apps), and SignatureKind System
//   (parts of Windows itself, e.g. the Start menu and shell hosts; removing Windows is not an install).
import type { Software } from '../../../shared/inventory.js';
import { cleanText } from '../../../shared/junk.js';
import { isMissing, type Host } from '../../host/host.js';
import { keepNewestPerKey } from './dedupe.js';
import { runPowerShell } from './powershell.js';
import type { SoftwareCollector } from './types.js';

const PROPERTIES = 'Name,Publisher,Architecture,Version,IsFramework,IsResourcePackage,IsBundle,SignatureKind,NonRemovable';
/** Exit code the script uses for "this Windows has no Appx module" (Server Core, old releases). */
const NO_APPX = 3;
export const MSIX_SCRIPT = [
  `if (-not (Get-Command Get-AppxPackage -ErrorAction SilentlyContinue)) { exit ${NO_APPX} }`,
  // An error (e.g. access denied without elevation) must fail the run, not print an empty list.
  'try { $packages = @(Get-AppxPackage -AllUsers -ErrorAction Stop) }',
  'catch { [Console]::Error.WriteLine($_.Exception.Message); exit 4 }',
  // A wide Out-String keeps PowerShell from wrapping long values onto continuation lines.
  `$packages | Format-List ${PROPERTIES} | Out-String -Width 4096`,
].join('\n');

const ARCH: Record<string, string> = { x64: 'x64', x86: 'x86', arm64: 'arm64', arm: 'arm', neutral: 'neutral' };
const GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i;

/**
 * Records of PowerShell's Format-List output: "Name   : value" lines, one blank line between
 * records. Lines starting with whitespace continue the previous value (PowerShell wraps long values).
 */
export function parseFormatList(text: string): Record<string, string>[] {
  const records: Record<string, string>[] = [];
  let record: Record<string, string> | undefined;
  let last: string | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (raw.trim() === '') {
      record = undefined;
      last = undefined;
    } else if (/^\s/.test(raw)) {
      if (record && last !== undefined) record[last] = `${record[last]} ${raw.trim()}`.trim();
    } else {
      const m = /^([A-Za-z][\w.]*)\s*:(?:\s(.*))?$/.exec(raw);
      if (!m) continue;
      if (!record) records.push((record = Object.create(null) as Record<string, string>));
      last = m[1]!;
      record[last] = (m[2] ?? '').trim();
    }
  }
  return records;
}

/** "CN=Microsoft Corporation, O=..., C=US" -> "Microsoft Corporation"; a bare store GUID names nobody. */
export function publisherFromDn(dn: string | undefined): string | undefined {
  const m = /(?:^|,)\s*CN=("(?:[^"]|"")*"|[^,]*)/i.exec(dn ?? '');
  if (!m) return undefined;
  const cn = m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!;
  return GUID.test(cn.trim()) ? undefined : cleanText(cn);
}

const isTrue = (v: string | undefined) => v?.toLowerCase() === 'true';

export function packageToSoftware(p: Record<string, string>): Software | undefined {
  const name = cleanText(p.Name);
  if (!name || isTrue(p.IsFramework) || isTrue(p.IsResourcePackage)) return undefined;
  if (p.SignatureKind?.toLowerCase() === 'system') return undefined;
  const version = cleanText(p.Version);
  const publisher = publisherFromDn(p.Publisher);
  const arch = ARCH[p.Architecture?.toLowerCase() ?? ''];
  return {
    name,
    ...(version ? { version } : {}),
    ...(publisher ? { publisher } : {}),
    ...(arch ? { arch } : {}),
    source: 'msix',
    scope: 'machine',
  };
}

export async function collectMsix(host: Host): Promise<Software[]> {
  let stdout: string;
  try {
    const r = await runPowerShell(host, MSIX_SCRIPT, { timeoutMs: 180_000, maxBytes: 32 * 1024 * 1024 });
    if (r.code === NO_APPX) return [];
    stdout = r.stdout;
    if (r.code !== 0 && stdout.trim() === '') throw new Error(`Get-AppxPackage exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
  return keepNewestPerKey(parseFormatList(stdout).flatMap((p) => packageToSoftware(p) ?? []));
}

export const msixCollector: SoftwareCollector = {
  source: 'msix',
  platforms: ['win32'],
  collect: collectMsix,
};
