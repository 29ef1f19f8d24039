// The kernel's mount table, /proc/self/mounts (proc_pid_mounts(5); fields as in fstab(5): device,
// mount point, file system type, options, 0, 0; a space, tab, newline or backslash in a field is
// written as an octal escape such as \040). lsblk takes FSTYPE from udev's database (or from blkid,
// as root), so where udev does not run (containers, minimal VMs) it reports none; the kernel always
// knows what it mounted, so the volumes get their file system from here when lsblk left it out.
import type { Volume } from '../../../shared/inventory.js';

const unescape = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** Mount point -> file system type; where a mount point is mounted over, the last (visible) one wins. */
export function parseProcMounts(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [, mount, fs] = line.trim().split(/\s+/);
    if (mount?.startsWith('/') && fs) out.set(unescape(mount), unescape(fs));
  }
  return out;
}

/** The volumes with `fs` filled in from the mount table where lsblk had none; a type lsblk gave is kept. */
export function withMountTableFs(volumes: Volume[], table: ReadonlyMap<string, string>): Volume[] {
  return volumes.map((v) => {
    const fs = v.fs ? undefined : table.get(v.mount);
    return fs ? { ...v, fs } : v;
  });
}
