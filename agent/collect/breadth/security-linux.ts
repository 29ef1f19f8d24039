// Security posture on Linux, read from files wherever the tool keeps its state, so a scan spawns as
// little as possible. Firewall: ufw's own switch (/etc/ufw/ufw.conf ENABLED=yes), else firewalld
// (`firewall-cmd --state`: "running"), else the nftables ruleset (`nft -j list ruleset`: a base chain
// on the input hook that drops by policy or holds rules). Pending updates: Ubuntu's update-notifier
// file, else `apt-get -s upgrade` ("Inst " lines), else `dnf -q --cacheonly check-update` (exit 100,
// one line per update). Last update: the last End-Date in /var/log/apt/history.log. Reboot required:
// /var/run/reboot-required (Debian, Ubuntu), else `needs-restarting -r` (exit 1: needed, 0: not).
import type { SecurityPosture } from '../../../shared/inventory.js';
import { isMissing, type Host } from '../../host/host.js';

const EXEC = { timeoutMs: 20_000, maxBytes: 8 * 1024 * 1024 };

async function read(host: Host, path: string): Promise<string | undefined> {
  try {
    return await host.readFile(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

async function run(host: Host, file: string, args: readonly string[]) {
  try {
    return await host.exec(file, args, EXEC);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

export async function linuxFirewall(host: Host): Promise<'on' | 'off' | undefined> {
  const ufw = await read(host, '/etc/ufw/ufw.conf');
  if (ufw && /^\s*ENABLED\s*=\s*yes\s*$/im.test(ufw)) return 'on';
  const firewalld = await run(host, 'firewall-cmd', ['--state']);
  if (firewalld && firewalld.stdout.trim() === 'running') return 'on';
  const nft = await run(host, 'nft', ['-j', 'list', 'ruleset']);
  if (nft && nft.code === 0) return nftFiltersInput(nft.stdout) ? 'on' : 'off';
  if (ufw) return 'off';
  return undefined;
}

/** nft's JSON ruleset (libnftables-json(5)): does any input-hook chain drop by policy or hold rules? */
export function nftFiltersInput(json: string): boolean {
  const items = (JSON.parse(json) as { nftables?: Record<string, Record<string, unknown>>[] }).nftables ?? [];
  const inputChains = new Set<string>();
  for (const item of items) {
    const c = item.chain;
    if (c && c.hook === 'input') {
      if (c.policy === 'drop') return true;
      inputChains.add(`${String(c.family)}\t${String(c.table)}\t${String(c.name)}`);
    }
  }
  return items.some((i) => i.rule && inputChains.has(`${String(i.rule.family)}\t${String(i.rule.table)}\t${String(i.rule.chain)}`));
}

/** Ubuntu's update-notifier text: "12 updates can be applied immediately." (or "12 packages can be updated."). */
export function parseUpdateNotifier(text: string): number | undefined {
  const m = /^(\d+) (?:updates?|packages?) can be (?:applied|updated|installed)/m.exec(text);
  if (m) return Number(m[1]);
  return /^0 updates|No updates|^\s*$/m.test(text) ? 0 : undefined;
}

export interface UpdateOptions {
  /**
   * Whether apt's and dnf's own answer may be asked for when no cheap file has it. `apt-get -s
   * upgrade` costs seconds of CPU; the agent asks once and again only when the package lists or the
   * installed set change (memo below); the one-shot `outpost scan` does not ask.
   */
  simulate: boolean;
}

// The last simulated answer and the state it was computed from (dpkg status and apt lists mtimes).
const memo = { key: '', value: undefined as number | undefined };

export async function linuxPendingUpdates(host: Host, options: UpdateOptions = { simulate: true }): Promise<number | undefined> {
  const notifier = await read(host, '/var/lib/update-notifier/updates-available');
  if (notifier !== undefined) {
    const n = parseUpdateNotifier(notifier);
    if (n !== undefined) return n;
  }
  if (!options.simulate) return undefined;
  const key = `${await host.mtimeMs('/var/lib/dpkg/status')}:${await host.mtimeMs('/var/lib/apt/lists')}:${await host.mtimeMs('/var/cache/dnf')}`;
  if (memo.key === key) return memo.value;
  memo.value = await simulatedUpdates(host);
  memo.key = key;
  return memo.value;
}

async function simulatedUpdates(host: Host): Promise<number | undefined> {
  const apt = await run(host, 'apt-get', ['-s', '-o', 'Debug::NoLocking=1', 'upgrade']);
  if (apt && apt.code === 0) return apt.stdout.split('\n').filter((l) => l.startsWith('Inst ')).length;
  const dnf = await run(host, 'dnf', ['-q', '--cacheonly', 'check-update']);
  if (dnf && (dnf.code === 0 || dnf.code === 100)) return parseDnfCheckUpdate(dnf.stdout);
  return undefined;
}

/** `dnf check-update` (exit 100 when updates exist): "name.arch  version  repo" lines, then maybe "Obsoleting Packages". */
export function parseDnfCheckUpdate(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) {
    if (/^Obsoleting Packages/i.test(line)) break;
    if (/^\S+\.\S+\s+\S+\s+\S+\s*$/.test(line)) n++;
  }
  return n;
}

/** The last "End-Date: 2024-05-01  10:22:31" of apt's history log (the machine's local time) as an ISO date-time. */
export function lastAptUpdate(history: string): string | undefined {
  const all = [...history.matchAll(/^End-Date:\s*(\d{4}-\d{2}-\d{2})\s+(\d{2}:\d{2}:\d{2})/gm)];
  const last = all.at(-1);
  const at = last ? new Date(`${last[1]}T${last[2]}`) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at.toISOString() : undefined;
}

export async function linuxRebootRequired(host: Host): Promise<boolean | undefined> {
  if ((await host.mtimeMs('/var/run/reboot-required')) !== undefined) return true;
  const dpkg = await host.mtimeMs('/var/lib/dpkg/status');
  if (dpkg !== undefined) return false;
  const nr = await run(host, 'needs-restarting', ['-r']);
  if (nr && (nr.code === 0 || nr.code === 1)) return nr.code === 1;
  return undefined;
}

export async function linuxSecurity(host: Host, options?: UpdateOptions): Promise<SecurityPosture> {
  const [firewall, pendingUpdates, history, rebootRequired] = await Promise.all([
    linuxFirewall(host),
    linuxPendingUpdates(host, options),
    read(host, '/var/log/apt/history.log'),
    linuxRebootRequired(host),
  ]);
  const s: SecurityPosture = {};
  if (firewall) s.firewall = firewall;
  if (pendingUpdates !== undefined) s.pendingUpdates = pendingUpdates;
  const last = history && lastAptUpdate(history);
  if (last) s.lastUpdateAt = last;
  if (rebootRequired !== undefined) s.rebootRequired = rebootRequired;
  return s;
}
