// Flatpak apps and runtimes: the system installation (scope 'machine') and each account's own
// installation under ~/.local/share/flatpak (scope 'user').
import type { Software } from '../../../shared/inventory.js';
import { cleanText } from '../../../shared/junk.js';
import { isMissing, type Host } from '../../host/host.js';
import { runListing } from './rpm.js';
import { plainLines, tableColumns, tableRow } from './snap.js';
import type { SoftwareCollector } from './types.js';

const SYSTEM_DIR = '/var/lib/flatpak';
const USER_DIR = '.local/share/flatpak';
/** Accounts with their own installation that are listed; each costs one flatpak run. */
export const MAX_FLATPAK_USERS = 100;
/** Accounts below this uid are system accounts (login.defs UID_MIN); root is checked as well. */
const FIRST_HUMAN_UID = 1000;
const NOBODY_UIDS = new Set([65534, 4294967294]);

/** The columns asked for, with the titles flatpak prints for them on a terminal. */
export const FLATPAK_COLUMNS = {
  application: 'Application ID',
  name: 'Name',
  version: 'Version',
  branch: 'Branch',
  arch: 'Arch',
  origin: 'Origin',
  installation: 'Installation',
} as const;
export type FlatpakColumn = keyof typeof FLATPAK_COLUMNS;
export type FlatpakRef = Partial<Record<FlatpakColumn, string>> & { application: string };
const ALL_COLUMNS = Object.keys(FLATPAK_COLUMNS) as FlatpakColumn[];

/**
 * `flatpak list --columns=...` output. Not on a terminal (how the agent runs it) flatpak prints
 * tab-separated cells and no header; on a terminal it prints a header and pads cells with spaces.
 * `columns` is the order asked for, needed only for the tab form.
 */
export function parseFlatpakList(output: string, columns: readonly FlatpakColumn[] = ALL_COLUMNS): FlatpakRef[] {
  const lines = plainLines(output).filter((line) => line.trim() !== '');
  if (lines.length === 0) return [];
  const rows = lines.some((line) => line.includes('\t')) ? tabRows(lines, columns) : paddedRows(lines);
  return rows.flatMap((row) => {
    const application = cleanText(row.application);
    // An application id is a reverse-DNS name: dots, no spaces.
    if (!application || !application.includes('.') || /\s/.test(application)) return [];
    const ref: FlatpakRef = { application };
    for (const column of ALL_COLUMNS) {
      const value = column === 'application' ? undefined : cleanText(row[column]);
      if (value) ref[column] = value;
    }
    return [ref];
  });
}

function tabRows(lines: string[], columns: readonly FlatpakColumn[]): Partial<Record<FlatpakColumn, string>>[] {
  return lines.flatMap((line) => {
    const cells = line.split('\t');
    if (cells.length !== columns.length) return [];
    return [Object.fromEntries(columns.map((c, i) => [c, cells[i]]))];
  });
}

function paddedRows(lines: string[]): Partial<Record<FlatpakColumn, string>>[] {
  const titles = Object.values(FLATPAK_COLUMNS);
  const columns = tableColumns(lines[0]!, titles);
  if (!columns.some((c) => c.title === FLATPAK_COLUMNS.application)) return [];
  const byTitle = new Map(Object.entries(FLATPAK_COLUMNS).map(([key, title]) => [title as string, key as FlatpakColumn]));
  return lines.slice(1).map((line) => {
    const cells = tableRow(line, columns);
    return Object.fromEntries(Object.entries(cells).map(([title, value]) => [byTitle.get(title)!, value]));
  });
}

/**
 * The item for one installed ref. Its name is the application id, which never changes with the
 * language or a rename. One id can be installed in several branches at once (runtimes such as
 * org.gnome.Platform 45 and 46 side by side), and an inventory item is identified by name, arch
 * and scope only, so a branch other than the usual "stable" is added the way flatpak writes refs:
 * "org.gnome.Platform//46". Runtimes often have no version of their own: the branch stands in.
 */
export function flatpakSoftware(ref: FlatpakRef, account?: string): Software {
  const branch = ref.branch;
  const name = branch && branch !== 'stable' ? `${ref.application}//${branch}` : ref.application;
  const version = ref.version ?? branch;
  return {
    name,
    ...(version ? { version } : {}),
    ...(ref.arch ? { arch: ref.arch } : {}),
    source: 'flatpak',
    ...(account ? { scope: 'user' as const, user: account } : { scope: 'machine' as const }),
  };
}

interface Account {
  name: string;
  home: string;
}

/** Accounts from /etc/passwd that may own a per-user installation: root and people, not daemons. */
export function passwdAccounts(passwd: string): Account[] {
  const accounts: Account[] = [];
  const homes = new Set<string>();
  for (const line of passwd.split('\n')) {
    const [name, , uidText, , , home] = line.split(':');
    const uid = Number(uidText);
    if (!name || !home || !Number.isInteger(uid) || !home.startsWith('/') || home === '/') continue;
    if ((uid !== 0 && uid < FIRST_HUMAN_UID) || NOBODY_UIDS.has(uid) || homes.has(home)) continue;
    homes.add(home);
    accounts.push({ name, home });
  }
  return accounts;
}

async function accountsWithFlatpaks(host: Host): Promise<Account[]> {
  let passwd: string;
  try {
    passwd = await host.readFile('/etc/passwd', 'utf8');
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
  const found: Account[] = [];
  for (const account of passwdAccounts(passwd)) {
    if (found.length >= MAX_FLATPAK_USERS) break;
    // Only an installation that already has its repo: `flatpak list --user` on a home without one
    // creates ~/.local/share/flatpak/repo, which, run as root, would leave root-owned files there.
    if ((await host.mtimeMs(`${account.home}/${USER_DIR}/repo`)) !== undefined) found.push(account);
  }
  return found;
}

const listArgs = (installation: '--system' | '--user') => ['list', installation, `--columns=${ALL_COLUMNS.join(',')}`];

export async function collectFlatpaks(host: Host): Promise<Software[]> {
  const items: Software[] = [];
  // Like the user case: listing a system installation that does not exist yet would create it.
  if ((await host.mtimeMs(`${SYSTEM_DIR}/repo`)) !== undefined) {
    const output = await runListing(host, 'flatpak', listArgs('--system'));
    if (output === undefined) return [];
    items.push(...parseFlatpakList(output).map((ref) => flatpakSoftware(ref)));
  }
  for (const account of await accountsWithFlatpaks(host)) {
    const home = account.home;
    const env = { HOME: home, XDG_DATA_HOME: `${home}/.local/share` };
    const output = await runListing(host, 'flatpak', listArgs('--user'), { env });
    if (output === undefined) return [];
    items.push(...parseFlatpakList(output).map((ref) => flatpakSoftware(ref, account.name)));
  }
  return items;
}

export const flatpakCollector: SoftwareCollector = {
  source: 'flatpak',
  platforms: ['linux'],
  // flatpak touches .changed in an installation after every install, update and removal.
  watchPaths: async (host) => {
    const dirs = [SYSTEM_DIR, ...(await accountsWithFlatpaks(host)).map((a) => `${a.home}/${USER_DIR}`)];
    const found: string[] = [];
    for (const dir of dirs) if ((await host.mtimeMs(`${dir}/.changed`)) !== undefined) found.push(`${dir}/.changed`);
    return found;
  },
  collect: collectFlatpaks,
};
