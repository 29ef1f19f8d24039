// RPM packages (Fedora, RHEL and clones, openSUSE, Mageia) through `rpm -qa` with a query format
// of our own: one tab-separated line per package, no descriptions, nothing to guess.
import type { Software } from '../../../shared/inventory.js';
import { cleanText } from '../../../shared/junk.js';
import { isMissing, type ExecOptions, type Host } from '../../host/host.js';
import { isoDate } from './dpkg.js';
import type { SoftwareCollector } from './types.js';

/** Newer systems keep the database under /usr (with /var/lib/rpm a symlink); older ones in /var. */
const RPM_DB_DIRS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'] as const;
const FIELDS = ['NAME', 'EPOCHNUM', 'VERSION', 'RELEASE', 'ARCH', 'VENDOR', 'INSTALLTIME'] as const;
// rpm expands the \t and \n escapes itself, as in its documentation.
export const RPM_QUERY_FORMAT = `${FIELDS.map((f) => `%{${f}}`).join('\\t')}\\n`;
/** rpm's word for an unset tag. */
const NONE = '(none)';

/** rpm's value, or undefined for an unset tag and the junk cleanText rejects. */
function rpmValue(value: string | undefined): string | undefined {
  return value === NONE ? undefined : cleanText(value);
}

/** [epoch:]version-release, the form `rpm -q` and dnf show; epoch 0 (or none) is left out. */
export function rpmVersion(epoch: string | undefined, version: string | undefined, release: string | undefined): string | undefined {
  const v = rpmValue(version);
  if (!v) return undefined;
  const r = rpmValue(release);
  const e = epoch !== undefined && /^[1-9]\d*$/.test(epoch) ? `${epoch}:` : '';
  return `${e}${v}${r ? `-${r}` : ''}`;
}

/** One package per line in RPM_QUERY_FORMAT; lines of another shape are skipped. */
export function parseRpmQuery(output: string): Software[] {
  const items: Software[] = [];
  for (const line of output.split('\n')) {
    const fields = line.replace(/\r$/, '').split('\t');
    if (fields.length !== FIELDS.length) continue;
    const [rawName, epoch, version, release, rawArch, rawVendor, installTime] = fields;
    const name = rpmValue(rawName);
    // gpg-pubkey "packages" are the signing keys rpm trusts, not software.
    if (!name || name === 'gpg-pubkey') continue;
    const fullVersion = rpmVersion(epoch, version, release);
    const arch = rpmValue(rawArch);
    const publisher = rpmValue(rawVendor);
    const installDate = installTime && /^\d+$/.test(installTime) ? isoDate(Number(installTime) * 1000) : undefined;
    items.push({
      name,
      ...(fullVersion ? { version: fullVersion } : {}),
      ...(publisher ? { publisher } : {}),
      ...(arch ? { arch } : {}),
      source: 'rpm',
      scope: 'machine',
      ...(installDate ? { installDate } : {}),
    });
  }
  return items;
}

/**
 * Runs a listing tool. Undefined when the tool is not installed; throws when it fails without
 * printing anything, so the runner keeps the source's last packages instead of dropping them.
 */
export async function runListing(host: Host, file: string, args: readonly string[], options?: ExecOptions): Promise<string | undefined> {
  let result;
  try {
    result = await host.exec(file, args, options);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  if (result.code !== 0 && result.stdout.trim() === '') {
    const reason = result.stderr.trim().slice(0, 300) || 'no output';
    throw new Error(`${file} ${args[0] ?? ''} exited with code ${result.code}: ${reason}`);
  }
  return result.stdout;
}

async function existingDbDirs(host: Host): Promise<string[]> {
  const found: string[] = [];
  for (const dir of RPM_DB_DIRS) if ((await host.mtimeMs(dir)) !== undefined) found.push(dir);
  return found;
}

export async function collectRpm(host: Host): Promise<Software[]> {
  // Without a system database there is nothing to list, and `rpm -qa` would create an empty one
  // (Debian's rpm even creates ~/.rpmdb): an inventory must not write to the machine.
  if ((await existingDbDirs(host)).length === 0) return [];
  const output = await runListing(host, 'rpm', ['-qa', '--queryformat', RPM_QUERY_FORMAT]);
  return output === undefined ? [] : parseRpmQuery(output);
}

export const rpmCollector: SoftwareCollector = {
  source: 'rpm',
  platforms: ['linux'],
  // One folder is enough: where both exist, /var/lib/rpm is a link to the /usr one.
  watchPaths: async (host) => (await existingDbDirs(host)).slice(0, 1),
  collect: collectRpm,
};
