// Graphics controllers on Linux from sysfs plus one `lspci -vmm` for their names. systeminformation's
// graphics() runs `lspci -vvv`, `clinfo` (which initialises every OpenCL driver), `xdpyinfo` and
// `xrandr --verbose`: the most expensive call of a scan (+80 ms CPU on a machine with no GPU at
// all) for displays and compute details the inventory does not keep.
import { isMissing, type Host } from '../host/host.js';

type Controller = { vendor: string; model: string; vram: number | null };

const PCI_DEVICES = '/sys/bus/pci/devices';
const DISPLAY_CLASS = /^0x03/; // PCI base class 03: VGA, 3D and other display controllers
const IORESOURCE_MEM = 0x200;
const IORESOURCE_PREFETCH = 0x2000;
const MAX_CONTROLLERS = 64;

export async function linuxGraphics(host: Host): Promise<{ controllers: Controller[] }> {
  let slots: string[];
  try {
    slots = await host.readdir(PCI_DEVICES);
  } catch {
    return { controllers: [] };
  }
  const classes = await Promise.all(slots.map((s) => host.readFile(`${PCI_DEVICES}/${s}/class`).catch(() => '')));
  const display = slots.filter((_, i) => DISPLAY_CLASS.test(classes[i]!.trim())).slice(0, MAX_CONTROLLERS);
  if (display.length === 0) return { controllers: [] };
  const names = await lspciNames(host);
  const controllers = await Promise.all(
    display.map(async (slot): Promise<Controller> => {
      const named = names.get(slot.replace(/^0000:/, '')) ?? names.get(slot);
      const [vendor = '', model = ''] = named ?? (await pciIds(host, slot));
      return { vendor, model, vram: await apertureMB(host, slot) };
    }),
  );
  return { controllers };
}

/** Slot -> [vendor, device] from `lspci -vmm`; empty when lspci is not installed. */
async function lspciNames(host: Host): Promise<Map<string, [string, string]>> {
  const out = new Map<string, [string, string]>();
  let stdout: string;
  try {
    ({ stdout } = await host.exec('lspci', ['-vmm'], { timeoutMs: 5_000, maxBytes: 4 * 1024 * 1024 }));
  } catch (err) {
    if (isMissing(err)) return out;
    throw err;
  }
  for (const record of stdout.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(record)?.[1]?.trim() ?? '';
    const slot = field('Slot');
    if (slot) out.set(slot, [field('Vendor'), field('Device')]);
  }
  return out;
}

/** Without lspci's name database the numeric ids are all there is: "[8086:9a49]". */
async function pciIds(host: Host, slot: string): Promise<[string, string]> {
  const read = (f: string) =>
    host.readFile(`${PCI_DEVICES}/${slot}/${f}`).then(
      (t) => t.trim().replace(/^0x/, ''),
      () => '',
    );
  const [vendor, device] = await Promise.all([read('vendor'), read('device')]);
  return ['', vendor && device ? `[${vendor}:${device}]` : ''];
}

/**
 * The largest prefetchable memory window, in MB: what `lspci` shows as "[size=256M]" and what
 * systeminformation reports as vram on Linux. It is fixed by the card, so it does not drift.
 */
async function apertureMB(host: Host, slot: string): Promise<number | null> {
  let text: string;
  try {
    text = await host.readFile(`${PCI_DEVICES}/${slot}/resource`);
  } catch {
    return null;
  }
  let largest = 0n;
  for (const line of text.split('\n')) {
    const [start, end, flags] = line
      .trim()
      .split(/\s+/)
      .map((v) => (/^0x[0-9a-f]+$/i.test(v) ? BigInt(v) : undefined));
    if (start === undefined || end === undefined || flags === undefined || end <= start) continue;
    const prefetchableMemory = (flags & BigInt(IORESOURCE_MEM | IORESOURCE_PREFETCH)) === BigInt(IORESOURCE_MEM | IORESOURCE_PREFETCH);
    if (prefetchableMemory && end - start + 1n > largest) largest = end - start + 1n;
  }
  return largest > 0n ? Number(largest / (1024n * 1024n)) : null;
}
