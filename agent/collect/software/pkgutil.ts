// macOS installer packages (`pkgutil --pkgs`), with version and date from each receipt file.
// `pkgutil --pkg-info` per package costs one process per receipt; reading /var/db/receipts/<id>.plist
// costs a file read, plus one `plutil` only for receipts stored as binary plists.
//
// Apple's own receipts (com.apple.pkg.* OS components, XProtect/MRT data, CLTools; com.apple.cdm.pkg.*
// App Store receipts) are left out: they are part of macOS or already listed as apps, and would bury
// the few dozen third-party packages an IT admin looks for under a hundred internal ones.
import type { Software } from '../../../shared/inventory.js';
import { cleanText } from '../../../shared/junk.js';
import { isMissing, type Host } from '../../host/host.js';
import { dateFromIso } from './dates.js';
import { asDict, asString, parsePlist, PlistError } from './plist.js';
import type { SoftwareCollector } from './types.js';

const PKGUTIL = '/usr/sbin/pkgutil';
const PLUTIL = '/usr/bin/plutil';
export const RECEIPTS_DIR = '/var/db/receipts';
/** Receipts are a few KiB; anything far larger is not a receipt. */
const MAX_RECEIPT_CHARS = 1024 * 1024;
const PARALLEL_READS = 8;

/** Package ids become file names, so only the characters reverse-DNS ids use are accepted. */
const PACKAGE_ID = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

export function parsePkgIds(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((id) => id !== '' && PACKAGE_ID.test(id) && !id.includes('..'));
}

export function isThirdPartyPackage(id: string): boolean {
  return !id.toLowerCase().startsWith('com.apple.');
}

export interface Receipt {
  version?: string;
  installDate?: string;
}

/** PackageVersion and InstallDate of a receipt in XML form; throws PlistError on a malformed file. */
export function parseReceipt(xml: string): Receipt {
  const dict = asDict(parsePlist(xml));
  const version = cleanText(asString(dict?.PackageVersion));
  const installDate = dateFromIso(asString(dict?.InstallDate));
  return { ...(version ? { version } : {}), ...(installDate ? { installDate } : {}) };
}

/**
 * The receipt of one package, or {} when it cannot be read: the package is still installed, it just
 * has no version to report (pre-10.5 style receipts live elsewhere).
 */
async function readReceipt(host: Host, id: string): Promise<Receipt> {
  const path = `${RECEIPTS_DIR}/${id}.plist`;
  try {
    const text = await host.readFile(path, 'utf8');
    if (text.length > MAX_RECEIPT_CHARS) return {};
    // A binary plist's magic is ASCII, so the UTF-8 read still recognises it; plutil reads the bytes itself.
    if (text.startsWith('bplist')) {
      const r = await host.exec(PLUTIL, ['-convert', 'xml1', '-o', '-', path], { timeoutMs: 10_000 });
      return r.code === 0 ? parseReceipt(r.stdout) : {};
    }
    return parseReceipt(text);
  } catch (err) {
    if (isMissing(err) || err instanceof PlistError) return {};
    throw err;
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function collectPkgutil(host: Host): Promise<Software[]> {
  let stdout: string;
  try {
    const r = await host.exec(PKGUTIL, ['--pkgs'], { timeoutMs: 30_000 });
    if (r.code !== 0 && r.stdout.trim() === '') throw new Error(`pkgutil --pkgs exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
    stdout = r.stdout;
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
  const ids = [...new Set(parsePkgIds(stdout).filter(isThirdPartyPackage))];
  const receipts = await mapLimit(ids, PARALLEL_READS, (id) => readReceipt(host, id));
  return ids.map((name, i): Software => ({ name, ...receipts[i], source: 'pkgutil', scope: 'machine' }));
}

export const pkgutilCollector: SoftwareCollector = {
  source: 'pkgutil',
  platforms: ['darwin'],
  watchPaths: async (host) => ((await host.mtimeMs(RECEIPTS_DIR)) === undefined ? [] : [RECEIPTS_DIR]),
  collect: collectPkgutil,
};
