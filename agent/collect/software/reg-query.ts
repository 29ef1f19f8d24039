// `reg query <key> /s`: its text format, and how the collectors run it with output that survives
// non-ASCII names (see powershell.ts for why reg.exe is run inside PowerShell).
import { randomBytes } from 'node:crypto';
import { isMissing, type Host } from '../../host/host.js';
import { psQuote, runPowerShell, system32 } from './powershell.js';

/** REG_SZ / REG_EXPAND_SZ / REG_MULTI_SZ as text, REG_DWORD / REG_QWORD as numbers. */
export type RegData = string | number;

export interface RegKey {
  /** Full path as the tool prints it, e.g. HKEY_LOCAL_MACHINE\SOFTWARE\...\Uninstall\{GUID}. */
  path: string;
  /** Value names lower-cased: the registry compares them case-insensitively. */
  values: Map<string, RegData>;
}

const VALUE_LINE =
  /^ {4}(.*?) {4}(REG_(?:SZ|EXPAND_SZ|MULTI_SZ|DWORD|QWORD|BINARY|NONE|DWORD_BIG_ENDIAN|LINK|RESOURCE_LIST|FULL_RESOURCE_DESCRIPTOR|RESOURCE_REQUIREMENTS_LIST))(?: {4}(.*))?$/;

/**
 * Keys and values of `reg query ... /s` output. Key lines start with the hive name; value lines are
 * "    name    TYPE    data" (empty strings end after the type, with or without a trailing separator).
 * Lines of any other shape ("End of search", errors) are ignored.
 */
export function parseRegQuery(text: string): RegKey[] {
  const keys: RegKey[] = [];
  let current: RegKey | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('HKEY_')) {
      current = { path: line.trimEnd(), values: new Map() };
      keys.push(current);
      continue;
    }
    const m = current ? VALUE_LINE.exec(line) : null;
    if (!m || !current) continue;
    const data = regData(m[2]!, m[3] ?? '');
    if (data !== undefined) current.values.set(m[1]!.toLowerCase(), data);
  }
  return keys;
}

function regData(type: string, text: string): RegData | undefined {
  switch (type) {
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
    case 'REG_MULTI_SZ':
      return text;
    case 'REG_DWORD':
    case 'REG_QWORD': {
      const n = Number(text.trim()); // "0x1c" - Number() reads the 0x prefix
      return Number.isFinite(n) ? n : undefined;
    }
    default:
      return undefined; // binary data: nothing the collectors read
  }
}

/** "HKLM\..." and "HKEY_LOCAL_MACHINE\..." name the same key; so do paths that differ only by case. */
export function sameKeyPath(a: string, b: string): boolean {
  return canonicalKey(a) === canonicalKey(b);
}

const HIVES: Record<string, string> = { HKLM: 'HKEY_LOCAL_MACHINE', HKU: 'HKEY_USERS', HKCU: 'HKEY_CURRENT_USER' };

export function canonicalKey(path: string): string {
  const [hive = '', ...rest] = path.replace(/\\+$/, '').split('\\');
  return [HIVES[hive.toUpperCase()] ?? hive, ...rest].join('\\').toUpperCase();
}

export interface RegQuery {
  key: string;
  /** Registry view on 64-bit Windows: 64 = native, 32 = WOW6432Node. Absent = the tool's default. */
  view?: 32 | 64;
}

// Section markers carry a random tag per run: a registry value with an embedded line break, written
// by an unprivileged user into their own hive, must not be able to open another section (HKLM's).
const MARKER = '#outpost-query';
const END = '#outpost-end';
/** Queries per PowerShell run: keeps the encoded command far below Windows' 32,767-character limit. */
const BATCH = 20;
const TIMEOUT_MS = 120_000;
const MAX_BYTES = 64 * 1024 * 1024;

/** Keys reach a PowerShell script, so only the characters registry paths here use are allowed. */
const SAFE_KEY = /^(?:HKLM|HKU|HKCU|HKEY_[A-Z_]+)(?:\\[\w .{}()-]+)+$/;

const queryArgs = (q: RegQuery) => ['query', q.key, '/s', ...(q.view ? [`/reg:${q.view}`] : [])];

/**
 * The `reg query <key> /s` output of each query ("" for a key that does not exist), or undefined when
 * reg.exe is not on this machine. Without PowerShell, reg.exe runs directly: ASCII stays right,
 * other characters may not (there is no better channel left).
 */
export async function runRegQueries(host: Host, queries: readonly RegQuery[]): Promise<string[] | undefined> {
  for (const q of queries) if (!SAFE_KEY.test(q.key)) throw new Error(`refusing to query registry key ${q.key}`);
  const out: string[] = [];
  for (let i = 0; i < queries.length; i += BATCH) {
    const batch = queries.slice(i, i + BATCH);
    const texts = await runBatch(host, batch);
    if (texts === undefined) return undefined;
    out.push(...texts);
  }
  return out;
}

async function runBatch(host: Host, batch: readonly RegQuery[]): Promise<string[] | undefined> {
  const reg = psQuote(system32(host, 'reg.exe'));
  const tag = randomBytes(8).toString('hex');
  const script = batch
    .map(
      (q, i) =>
        `'${MARKER}-${tag} ${i}'\n& ${reg} ${queryArgs(q)
          .map((a) => (a === q.key ? psQuote(a) : a))
          .join(' ')} 2>$null`,
    )
    .concat(`'${END}-${tag}'`)
    .join('\n');
  try {
    const r = await runPowerShell(host, script, { timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES });
    return splitSections(r.stdout, batch.length, tag, r.stderr);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  return runDirect(host, batch);
}

/** The text after each "#outpost-query-<tag> <i>" line; throws when the run stopped before its end marker. */
export function splitSections(stdout: string, count: number, tag: string, stderr = ''): string[] {
  const sections: string[][] = Array.from({ length: count }, () => []);
  const start = `${MARKER}-${tag} `;
  let current: string[] | undefined;
  let ended = false;
  for (const line of stdout.split(/\r?\n/)) {
    if (line.startsWith(start)) current = sections[Number(line.slice(start.length))];
    else if (line === `${END}-${tag}`) {
      ended = true;
      current = undefined;
    } else current?.push(line);
  }
  if (!ended) throw new Error(`reg query run stopped early: ${stderr.trim().slice(0, 200)}`);
  return sections.map((lines) => lines.join('\n'));
}

async function runDirect(host: Host, batch: readonly RegQuery[]): Promise<string[] | undefined> {
  const out: string[] = [];
  for (const q of batch) {
    try {
      const r = await host.exec(system32(host, 'reg.exe'), queryArgs(q), { timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES });
      out.push(r.code === 0 ? r.stdout : ''); // exit 1 = no such key, which is data
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }
  return out;
}
