// Installed Windows updates (KB articles) from Win32_QuickFixEngineering: `wmic qfe` where wmic
// exists, PowerShell's Get-HotFix where it does not (Windows 11 removed wmic).
//
// Choices: name is the KB id; version, publisher and arch stay absent. Description ("Update",
// "Security Update", "Hotfix") is a kind, not a version: stored as a version it would compare and
// diff like one. The KB id alone is what admins search for.
import type { Software } from '../../../shared/inventory.js';
import { cleanText } from '../../../shared/junk.js';
import { isMissing, type Host } from '../../host/host.js';
import { dateFromFiletimeHex, dateFromMonthDayYear } from './dates.js';
import { keepNewestPerKey } from './dedupe.js';
import { runPowerShell, system32 } from './powershell.js';
import type { SoftwareCollector } from './types.js';

// Only ASCII columns: wmic writes a pipe in the console code page, and a non-ASCII InstalledBy
// ("TEST_dc\Администратор") decoded as UTF-8 would shift every column after it.
const WMIC_ARGS = ['qfe', 'get', 'Description,HotFixID,InstalledOn,ServicePackInEffect'];
const WMIC_TIMEOUT_MS = 60_000;

// The raw WMI InstalledOn string (M/D/YYYY), not Get-HotFix's DateTime, whose text depends on the locale.
export const HOTFIX_SCRIPT = [
  'try { $fixes = @(Get-HotFix -ErrorAction Stop) }',
  'catch { [Console]::Error.WriteLine($_.Exception.Message); exit 4 }',
  "$fixes | ForEach-Object { ''; 'HotFixID=' + $_.HotFixID; 'Description=' + $_.Description;",
  "  'ServicePackInEffect=' + $_.ServicePackInEffect; 'InstalledOn=' + $_.psbase.Properties['InstalledOn'].Value }",
].join('\n');

export type QfeRecord = Record<string, string>;

/** wmic output that arrived as UTF-16LE but was read as UTF-8: the ASCII survives once NULs are dropped. */
function cleanWmicText(text: string): string {
  return text.replace(/^[\uFEFF\uFFFD]+/, '').replace(/\0/g, '');
}

/**
 * Rows of wmic's fixed-width table. Columns start where the header's names start; values contain
 * spaces ("Security Update", "NT AUTHORITY\SYSTEM"), and the column set varies by Windows version.
 */
export function parseWmicTable(text: string): QfeRecord[] {
  const lines = cleanWmicText(text)
    .split('\n')
    .map((l) => l.replace(/\r+$/, ''));
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt === -1) return [];
  const columns = [...lines[headerAt]!.matchAll(/\S+/g)].map((m) => ({ name: m[0], start: m.index }));
  return lines.slice(headerAt + 1).flatMap((line) => (line.trim() === '' ? [] : [sliceRow(line, columns)]));
}

/**
 * One row cut at the header's offsets. wmic pads a value with non-ASCII characters short of its column
 * (the recorded 2012 R2 row "TEST_dc\Администратор" is 19 characters short), so when such a cell runs
 * into the next value after a gap of 2+ spaces, the rest of the row is cut that much further left.
 */
function sliceRow(line: string, columns: readonly { name: string; start: number }[]): QfeRecord {
  const row = Object.create(null) as QfeRecord;
  let shift = 0;
  columns.forEach((c, i) => {
    const next = columns[i + 1];
    const start = Math.max(0, c.start - shift);
    let cell = line.slice(start, next ? next.start - shift : line.length);
    const gap = next && /[\u0080-\uffff]/.test(cell) ? /\S( {2,})(?=\S)/.exec(cell) : null;
    if (next && gap) {
      shift = next.start - (start + gap.index + 1 + gap[1]!.length);
      cell = cell.slice(0, gap.index + 1);
    }
    row[c.name] = cell.trim();
  });
  return row;
}

/** Records of `wmic ... /format:list` (and of HOTFIX_SCRIPT): Name=value lines, blank lines between records. */
export function parseWmicList(text: string): QfeRecord[] {
  const records: QfeRecord[] = [];
  let record: QfeRecord | undefined;
  for (const raw of cleanWmicText(text).split('\n')) {
    const line = raw.replace(/\r+$/, '');
    const eq = line.indexOf('=');
    if (line.trim() === '' || eq <= 0) {
      record = undefined;
      continue;
    }
    if (!record) records.push((record = Object.create(null) as QfeRecord));
    record[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return records;
}

const KB = /^KB\d+$/i;

/**
 * One update. Windows XP lists some as HotFixID "File 1" with the KB in ServicePackInEffect; an
 * id that is neither a KB nor a name of its own ("File 1" without a KB) is left out.
 */
export function qfeToSoftware(r: QfeRecord): Software | undefined {
  let id = cleanText(r.HotFixID);
  const spKb = cleanText(r.ServicePackInEffect);
  if ((!id || !KB.test(id)) && spKb && KB.test(spKb)) id = spKb;
  if (!id || /^File \d+$/i.test(id)) return undefined;
  if (KB.test(id)) id = `KB${id.slice(2)}`;
  const installDate = dateFromMonthDayYear(r.InstalledOn) ?? dateFromFiletimeHex(r.InstalledOn);
  return { name: id, source: 'hotfix', scope: 'machine', ...(installDate ? { installDate } : {}) };
}

/** wmic's table, or undefined when wmic is absent, hangs or fails (the caller then asks PowerShell). */
async function viaWmic(host: Host): Promise<QfeRecord[] | undefined> {
  try {
    const r = await host.exec(system32(host, 'wbem\\WMIC.exe'), WMIC_ARGS, { timeoutMs: WMIC_TIMEOUT_MS });
    if (r.code !== 0 && r.stdout.trim() === '') return undefined;
    return parseWmicTable(r.stdout); // "No Instance(s) Available." goes to stderr: no rows
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (isMissing(err) || code === 'ETIMEDOUT') return undefined;
    throw err;
  }
}

async function viaPowerShell(host: Host): Promise<QfeRecord[] | undefined> {
  try {
    const r = await runPowerShell(host, HOTFIX_SCRIPT, { timeoutMs: 120_000 });
    if (r.code !== 0 && r.stdout.trim() === '') throw new Error(`Get-HotFix exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
    return parseWmicList(r.stdout);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

export async function collectHotfixes(host: Host): Promise<Software[]> {
  const records = (await viaWmic(host)) ?? (await viaPowerShell(host));
  if (!records) return [];
  return keepNewestPerKey(records.flatMap((r) => qfeToSoftware(r) ?? []));
}

export const hotfixCollector: SoftwareCollector = {
  source: 'hotfix',
  platforms: ['win32'],
  collect: collectHotfixes,
};
