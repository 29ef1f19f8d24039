// The breadth sections on Linux: one lsblk for volumes, their encryption and the disks as block
// devices, with the file system from the kernel's mount table where lsblk has none
// (./proc-mounts.ts); EDID files for monitors; CUPS for printers; passwd and group for accounts;
// files and a few tools for the security posture (security-linux.ts).
import type { Monitor } from '../../../shared/inventory.js';
import { isMissing, type Host } from '../../host/host.js';
import { unixAccounts, uidMinOf } from './accounts-unix.js';
import { parseEdid } from './edid.js';
import { encryptionOf, LSBLK_ARGS, parseLsblk } from './lsblk.js';
import { parseLpstat, parsePrintersConf } from './printers-cups.js';
import { parseProcMounts, withMountTableFs } from './proc-mounts.js';
import { linuxSecurity, type UpdateOptions } from './security-linux.js';
import type { Breadth } from './types.js';
import { runParts } from './run-parts.js';

const optionalFile = async (host: Host, path: string, encoding?: 'latin1') => {
  try {
    return await host.readFile(path, encoding);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
};

export async function linuxMonitors(host: Host): Promise<Monitor[]> {
  let entries: string[];
  try {
    entries = await host.readdir('/sys/class/drm');
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
  const out: Monitor[] = [];
  for (const entry of entries.filter((e) => e.includes('-')).sort()) {
    const edid = await optionalFile(host, `/sys/class/drm/${entry}/edid`, 'latin1');
    const m = edid ? parseEdid(Buffer.from(edid, 'latin1')) : undefined;
    if (m) out.push(m);
  }
  return out;
}

export async function linuxPrinters(host: Host) {
  const conf = await optionalFile(host, '/etc/cups/printers.conf');
  if (conf !== undefined) return parsePrintersConf(conf);
  try {
    const [v, d] = await Promise.all([
      host.exec('lpstat', ['-v'], { timeoutMs: 10_000 }),
      host.exec('lpstat', ['-d'], { timeoutMs: 10_000 }),
    ]);
    return parseLpstat(v.stdout, d.stdout);
  } catch (err) {
    if (isMissing(err)) return []; // no CUPS: no printers
    throw err;
  }
}

export async function collectLinuxBreadth(
  host: Host,
  warn: (part: string, err: unknown) => void,
  updates?: UpdateOptions,
): Promise<Breadth> {
  return runParts(warn, {
    storage: async () => {
      const [out, mounts] = await Promise.all([
        host.exec('lsblk', LSBLK_ARGS, { timeoutMs: 15_000 }),
        optionalFile(host, '/proc/self/mounts'),
      ]);
      const storage = parseLsblk(out.stdout);
      return mounts === undefined ? storage : { ...storage, volumes: withMountTableFs(storage.volumes, parseProcMounts(mounts)) };
    },
    monitors: () => linuxMonitors(host),
    printers: () => linuxPrinters(host),
    accounts: async () => {
      const [passwd, group, defs] = await Promise.all([
        host.readFile('/etc/passwd'),
        host.readFile('/etc/group'),
        optionalFile(host, '/etc/login.defs'),
      ]);
      return unixAccounts(passwd, group, uidMinOf(defs));
    },
    security: () => linuxSecurity(host, updates),
  }).then(({ storage, monitors, printers, accounts, security }) => {
    const b: Breadth = {};
    if (storage) Object.assign(b, { volumes: storage.volumes, blockDisks: storage.disks });
    if (monitors) b.monitors = monitors;
    if (printers) b.printers = printers;
    if (accounts) Object.assign(b, accounts);
    if (security) {
      const encryption = storage && encryptionOf(storage.volumes);
      b.security = { ...security, ...(encryption ? { diskEncryption: encryption } : {}) };
    }
    return b;
  });
}
