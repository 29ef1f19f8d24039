// `lsblk -J -b -o NAME,TYPE,FSTYPE,MOUNTPOINT,LABEL,FSSIZE,FSAVAIL,SIZE,MODEL,SERIAL,VENDOR,TRAN`
// (util-linux >= 2.33; JSON since 2.27): the mounted volumes with their size and free space, which of
// them sit on dm-crypt (a 'crypt' device or a crypto_LUKS parent anywhere above them), and the disks
// as block devices. Format: util-linux lsblk(8), https://man7.org/linux/man-pages/man8/lsblk.8.html
import type { Hardware, Volume } from '../../../shared/inventory.js';
import { quantiseFree } from '../../../shared/inventory-keys.js';
import { opt } from './types.js';

export const LSBLK_ARGS = ['-J', '-b', '-o', 'NAME,TYPE,FSTYPE,MOUNTPOINT,LABEL,FSSIZE,FSAVAIL,SIZE,MODEL,SERIAL,VENDOR,TRAN'];

interface Node {
  name?: string;
  type?: string;
  fstype?: string | null;
  mountpoint?: string | null;
  label?: string | null;
  fssize?: number | string | null;
  fsavail?: number | string | null;
  size?: number | string | null;
  model?: string | null;
  serial?: string | null;
  vendor?: string | null;
  tran?: string | null;
  children?: Node[];
}

// Pseudo and memory devices: never a disk someone could pull out, never a volume worth a ticket.
const NOT_DISK = /^(loop|ram|zram|sr|fd)\d*/;
const HIDDEN_MOUNT = /^(\[SWAP\]|\/snap\/|\/boot\/efi$)/;

const num = (v: number | string | null | undefined): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
};

export function parseLsblk(json: string): { volumes: Volume[]; disks: Hardware['disks'] } {
  const root = JSON.parse(json) as { blockdevices?: Node[] };
  const volumes: Volume[] = [];
  const disks: Hardware['disks'] = [];
  const walk = (node: Node, encrypted: boolean) => {
    const crypt = encrypted || node.type === 'crypt' || node.fstype === 'crypto_LUKS';
    const mount = node.mountpoint ?? undefined;
    if (mount && !HIDDEN_MOUNT.test(mount) && mount.startsWith('/'))
      volumes.push(toVolume(node, mount, node.type === 'crypt' || encrypted));
    for (const child of node.children ?? []) walk(child, crypt);
  };
  for (const node of root.blockdevices ?? []) {
    if (node.type === 'disk' && !NOT_DISK.test(node.name ?? '')) disks.push(toDisk(node));
    walk(node, false);
  }
  return { volumes, disks };
}

function toVolume(node: Node, mount: string, encrypted: boolean): Volume {
  const size = num(node.fssize) ?? num(node.size);
  const avail = num(node.fsavail);
  const v: Volume = { mount };
  const fs = opt(node.fstype);
  if (fs) v.fs = fs;
  const label = opt(node.label);
  if (label) v.label = label;
  if (node.name) v.device = `/dev/${node.name}`;
  if (size !== undefined) v.sizeBytes = size;
  if (size !== undefined && avail !== undefined) Object.assign(v, quantiseFree(size, avail));
  v.encrypted = encrypted;
  if (encrypted) v.encryption = 'LUKS';
  return v;
}

function toDisk(node: Node): Hardware['disks'][number] {
  const d: Hardware['disks'][number] = { device: `/dev/${node.name ?? ''}` };
  const size = num(node.size);
  if (size) d.sizeBytes = size;
  const model = opt(node.model);
  if (model) d.model = model;
  const serial = opt(node.serial);
  if (serial) d.serial = serial;
  const vendor = opt(node.vendor);
  if (vendor) d.vendor = vendor;
  const tran = opt(node.tran);
  if (tran) d.interface = tran;
  return d;
}

/** Encryption over the fixed volumes: root and other volumes on real disks, not removable media or /boot. */
export function encryptionOf(volumes: readonly Volume[]): 'on' | 'partial' | 'off' | undefined {
  const fixed = volumes.filter((v) => !/^\/boot(\/|$)/.test(v.mount) && !/^\/dev\/loop/.test(v.device ?? ''));
  if (fixed.length === 0) return undefined;
  const on = fixed.filter((v) => v.encrypted).length;
  return on === 0 ? 'off' : on === fixed.length ? 'on' : 'partial';
}
