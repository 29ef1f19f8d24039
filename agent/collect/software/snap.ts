// Snap packages through `snap list`. The table is padded to columns, and cells can be empty
// (a try-mode snap has no Tracking and no Publisher), so rows are cut at the header's offsets
// rather than split on whitespace.
import type { Software } from '../../../shared/inventory.js';
import { cleanText } from '../../../shared/junk.js';
import type { Host } from '../../host/host.js';
import { runListing } from './rpm.js';
import type { SoftwareCollector } from './types.js';

const SNAP_STATE = '/var/lib/snapd/state.json';
/** snapd's API socket; without it snapd is not running here and `snap list` can only fail. */
const SNAPD_SOCKET = '/run/snapd.socket';
const SNAP_TITLES = ['Name', 'Version', 'Rev', 'Tracking', 'Publisher', 'Notes'] as const;
// Colour codes and terminal control sequences, in case a tool prints them despite being asked not to.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g; // eslint-disable-line no-control-regex

export interface TableColumn {
  title: string;
  start: number;
  /** Where the next column starts; the last column runs to the end of the line. */
  end: number;
}

/**
 * The columns of a padded table, found by their titles in the header line. Titles are matched
 * as whole words, so a title with a space ("Application ID") works and unknown ones are ignored.
 */
export function tableColumns(header: string, titles: readonly string[]): TableColumn[] {
  const found: { title: string; start: number }[] = [];
  for (const title of titles) {
    for (let at = header.indexOf(title); at !== -1; at = header.indexOf(title, at + 1)) {
      const before = at === 0 ? ' ' : header[at - 1];
      const after = header[at + title.length] ?? ' ';
      if (before === ' ' && after === ' ') {
        found.push({ title, start: at });
        break;
      }
    }
  }
  found.sort((a, b) => a.start - b.start);
  return found.map((c, i) => ({ ...c, end: found[i + 1]?.start ?? Number.POSITIVE_INFINITY }));
}

/** The trimmed cells of one row, by column title. */
export function tableRow(line: string, columns: readonly TableColumn[]): Record<string, string> {
  const row: Record<string, string> = {};
  for (const c of columns) row[c.title] = line.slice(c.start, c.end).trim();
  return row;
}

/** Output lines without colour codes and carriage returns (a pseudo-terminal ends lines with CRLF). */
export function plainLines(output: string): string[] {
  return output
    .replace(ANSI, '')
    .split('\n')
    .map((line) => line.replace(/\r$/, ''));
}

/** "canonical**", "kde*" or "canonical✓" -> the account name; the marks mean verified or starred. */
export function snapPublisher(cell: string | undefined): string | undefined {
  return cleanText(cell?.replace(/[*✓✪]+$/u, ''));
}

export function parseSnapList(output: string): Software[] {
  const lines = plainLines(output);
  const headerAt = lines.findIndex((line) => /^Name\s+Version\b/.test(line));
  if (headerAt === -1) return [];
  const columns = tableColumns(lines[headerAt]!, SNAP_TITLES);
  const items: Software[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    const row = tableRow(line, columns);
    const name = cleanText(row.Name);
    // Every snap has a revision and a name without spaces; anything else is not a package row.
    if (!name || /\s/.test(name) || !row.Rev) continue;
    // A disabled snap is on disk but cannot run, and `snap enable` is needed to use it again.
    if ((row.Notes ?? '').split(',').includes('disabled')) continue;
    const version = cleanText(row.Version);
    const publisher = snapPublisher(row.Publisher);
    items.push({
      name,
      ...(version ? { version } : {}),
      ...(publisher ? { publisher } : {}),
      source: 'snap',
      scope: 'machine',
    });
  }
  return items;
}

export async function collectSnaps(host: Host): Promise<Software[]> {
  if ((await host.mtimeMs(SNAPD_SOCKET)) === undefined) return [];
  // Plain ASCII whatever the locale, so the verified mark is "*"/"**" and column widths are bytes.
  const output = await runListing(host, 'snap', ['list', '--color=never', '--unicode=never']);
  return output === undefined ? [] : parseSnapList(output);
}

export const snapCollector: SoftwareCollector = {
  source: 'snap',
  platforms: ['linux'],
  watchPaths: async (host) => ((await host.mtimeMs(SNAP_STATE)) === undefined ? [] : [SNAP_STATE]),
  collect: collectSnaps,
};
