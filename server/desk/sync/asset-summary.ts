// A device's hardware, security and software as short texts a desk asset can hold: what help-desk
// staff look at first (CPU, memory, disks, OS build, BIOS, encryption, free space, software).
// Values change only when the machine does: free space is the snapshot's whole-percent figure,
// never bytes, so an asset is not rewritten for every file saved.
import type { Snapshot } from '../../../shared/inventory.js';
import type { DeskAssetFields } from '../types.js';
import { decimalSize as size } from '../rules/describe.js';

/** Lines of software an asset carries at most; the rest is counted in a last line. */
export const MAX_ASSET_SOFTWARE = 2000;

type Summary = Pick<DeskAssetFields, 'cpu' | 'memory' | 'disks' | 'osBuild' | 'bios' | 'encryption' | 'volumes' | 'software'>;

/** The sections added with issue 18; a snapshot from an older agent has none. */
type Breadth = Pick<Snapshot, 'volumes' | 'security'>;

/** Memory in binary gigabytes, as the OS reports installed RAM: 16 GB, 7.8 GB. */
function memory(bytes: number | undefined): string | undefined {
  if (!bytes || bytes <= 0) return undefined;
  const gib = bytes / 2 ** 30;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GB`;
}

const words = (...parts: (string | number | undefined)[]): string =>
  parts
    .filter((p) => p !== undefined && p !== '')
    .join(' ')
    .trim();

function cpu(h: Snapshot['hardware']): string | undefined {
  const c = h.cpu;
  if (!c) return undefined;
  const name = c.brand ?? c.manufacturer;
  if (!name) return undefined;
  const cores = c.physicalCores ?? c.cores;
  return cores ? `${name} (${cores} core${cores === 1 ? '' : 's'})` : name;
}

/** A vendor worth showing: not a bare PCI id (virtio disks report "0x1af4"), not repeated by the model. */
const shownVendor = (vendor: string | undefined, model: string | undefined): string | undefined =>
  vendor && !/^0x[0-9a-f]+$/i.test(vendor) && !model?.startsWith(vendor) ? vendor : undefined;

function disks(h: Snapshot['hardware']): string[] {
  return h.disks
    .map((d) =>
      words(shownVendor(d.vendor, d.model), d.model ?? d.device, size(d.sizeBytes), d.serial ? `(serial ${d.serial})` : undefined),
    )
    .filter(Boolean);
}

function volumes(b: Breadth): string[] {
  return (b.volumes ?? [])
    .filter((v) => v.freePercent !== undefined || v.sizeBytes !== undefined)
    .map((v) =>
      words(
        v.mount,
        v.freePercent === undefined ? undefined : `${v.freePercent} % free`,
        v.sizeBytes ? `of ${size(v.sizeBytes)}` : undefined,
      ),
    );
}

function encryption(b: Breadth): string | undefined {
  const state = b.security?.diskEncryption;
  if (!state) return undefined;
  const methods = [...new Set((b.volumes ?? []).filter((v) => v.encrypted && v.encryption).map((v) => v.encryption!))].sort();
  return methods.length && state !== 'off' ? `${state} (${methods.join(', ')})` : state;
}

function software(s: Snapshot): string[] {
  const lines = [...new Set(s.software.map((p) => words(p.name, p.version)))].sort((a, b) => a.localeCompare(b, 'en'));
  if (lines.length <= MAX_ASSET_SOFTWARE) return lines;
  return [...lines.slice(0, MAX_ASSET_SOFTWARE), `... and ${lines.length - MAX_ASSET_SOFTWARE} more`];
}

/** Everything the snapshot says for the summary fields; a field the snapshot has nothing for is absent. */
export function assetSummary(snap: Snapshot): Summary {
  const b: Breadth = snap;
  const out: Summary = {};
  const set = <K extends keyof Summary>(key: K, value: Summary[K] | undefined) => {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) return;
    out[key] = value;
  };
  set('cpu', cpu(snap.hardware));
  set('memory', memory(snap.hardware.memory.totalBytes));
  set('disks', disks(snap.hardware));
  set('osBuild', snap.os.build ?? (snap.os.platform === 'linux' ? snap.os.kernel : undefined));
  const bios = snap.hardware.bios;
  if (bios && (bios.vendor || bios.version || bios.releaseDate)) {
    set('bios', {
      ...(bios.vendor ? { vendor: bios.vendor } : {}),
      ...(bios.version ? { version: bios.version } : {}),
      ...(bios.releaseDate ? { releaseDate: bios.releaseDate } : {}),
    });
  }
  set('encryption', encryption(b));
  set('volumes', volumes(b));
  set('software', software(snap));
  return out;
}

/** The BIOS as one line: "Dell Inc. 1.21.0 (2023-05-10)". */
export function biosLine(b: DeskAssetFields['bios']): string | undefined {
  if (!b) return undefined;
  return words(b.vendor, b.version, b.releaseDate ? `(${b.releaseDate})` : undefined) || undefined;
}
