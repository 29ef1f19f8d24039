// systeminformation's hardware readings -> the Hardware section. Junk placeholders become absent;
// volatile readings (free memory, current clock speed, battery charge, wear that moves every charge
// cycle) are never copied, so a quiet machine produces the same section scan after scan.
import type { Hardware } from '../../shared/inventory.js';
import { cleanText, cleanUuid } from '../../shared/junk.js';
import type { SystemInfo } from './system.js';

type Reading<K extends keyof SystemInfo> = Awaited<ReturnType<SystemInfo[K]>>;

/** Whatever calls succeeded; a missing one leaves its fields out. */
export interface HardwareReadings {
  system?: Reading<'system'>;
  bios?: Reading<'bios'>;
  chassis?: Reading<'chassis'>;
  cpu?: Reading<'cpu'>;
  mem?: Reading<'mem'>;
  memLayout?: Reading<'memLayout'>;
  diskLayout?: Reading<'diskLayout'>;
  graphics?: Reading<'graphics'>;
  battery?: Reading<'battery'>;
}

type Memory = Hardware['memory'];
type MemoryModule = Memory['modules'][number];
type Disk = Hardware['disks'][number];
type Graphics = Hardware['graphics'][number];

const MAX_MODULES = 256;
const MAX_DISKS = 256;
const MAX_GRAPHICS = 64;
// zram and ram disks are memory, loop devices are files: none is a disk someone could pull out.
const NOT_A_DISK = /^\/dev\/(zram|ram|loop)\d/;

export function toHardware(r: HardwareReadings): Hardware {
  const s = r.system;
  return compact({
    manufacturer: cleanText(s?.manufacturer),
    model: cleanText(s?.model),
    serial: cleanText(s?.serial),
    uuid: cleanUuid(s?.uuid),
    sku: cleanText(s?.sku),
    bios:
      r.bios &&
      nonEmpty({ vendor: cleanText(r.bios.vendor), version: cleanText(r.bios.version), releaseDate: cleanText(r.bios.releaseDate) }),
    chassis:
      r.chassis &&
      nonEmpty({
        type: cleanText(r.chassis.type),
        manufacturer: cleanText(r.chassis.manufacturer),
        serial: cleanText(r.chassis.serial),
        assetTag: cleanText(r.chassis.assetTag),
      }),
    cpu: r.cpu && toCpu(r.cpu),
    memory: toMemory(r.mem, r.memLayout),
    disks: (r.diskLayout ?? []).flatMap(toDisk).slice(0, MAX_DISKS),
    graphics: (r.graphics?.controllers ?? []).flatMap(toGraphics).slice(0, MAX_GRAPHICS),
    battery: r.battery && toBattery(r.battery),
  });
}

function toCpu(c: Reading<'cpu'>): Hardware['cpu'] {
  // speedMax is the rated maximum; `speed` can fall back to the current clock, so it comes second.
  const ghz = c.speedMax > 0 ? c.speedMax : c.speed;
  return nonEmpty({
    manufacturer: cleanText(c.manufacturer),
    brand: cleanText(c.brand),
    cores: positiveInt(c.cores),
    physicalCores: positiveInt(c.physicalCores),
    sockets: positiveInt(c.processors),
    speedMHz: positiveInt(ghz * 1000),
  });
}

/**
 * Installed memory is the sum of the modules when firmware lists them: the kernel's MemTotal is a
 * little less and moves with kernel updates, which would read as a hardware change.
 */
function toMemory(mem: Reading<'mem'> | undefined, layout: Reading<'memLayout'> | undefined): Memory {
  const modules = (layout ?? []).flatMap(toModule).slice(0, MAX_MODULES);
  const fromModules = modules.reduce((sum, m) => sum + (m.sizeBytes ?? 0), 0);
  const totalBytes = fromModules > 0 ? fromModules : positiveInt(mem?.total);
  return compact({ totalBytes, modules });
}

// Empty slots, and the stand-in entry systeminformation makes when dmidecode says nothing (size
// only, e.g. in containers), describe no module.
function toModule(m: Reading<'memLayout'>[number]): MemoryModule[] {
  const described = {
    slot: cleanText(m.bank),
    type: cleanText(m.type),
    manufacturer: cleanText(m.manufacturer),
    serial: cleanText(m.serialNum),
    partNumber: cleanText(m.partNum),
  };
  const sizeBytes = positiveInt(m.size);
  if (!sizeBytes || Object.values(described).every((v) => v === undefined)) return [];
  return [compact({ ...described, sizeBytes, speedMHz: positiveInt(m.clockSpeed) })];
}

function toDisk(d: Reading<'diskLayout'>[number]): Disk[] {
  const device = cleanText(d.device);
  if (device && NOT_A_DISK.test(device)) return [];
  const disk = compact({
    device,
    type: cleanText(d.type),
    vendor: cleanText(d.vendor),
    model: cleanText(d.name),
    serial: cleanText(d.serialNum),
    sizeBytes: positiveInt(d.size),
    interface: cleanText(d.interfaceType),
  });
  return disk.sizeBytes || disk.model ? [disk] : [];
}

function toGraphics(g: Reading<'graphics'>['controllers'][number]): Graphics[] {
  const item = compact({ vendor: cleanText(g.vendor), model: cleanText(g.model), vramMB: positiveInt(g.vram) });
  return item.vendor || item.model ? [item] : [];
}

/**
 * Health is the only wear figure kept, as a whole percentage: the capacity in mWh and the cycle
 * count move with almost every charge and would make every laptop's snapshot change daily.
 */
function toBattery(b: Reading<'battery'>): Hardware['battery'] {
  if (!b.hasBattery) return undefined;
  const design = positiveInt(b.designedCapacity);
  const max = positiveInt(b.maxCapacity);
  return nonEmpty({
    manufacturer: cleanText(b.manufacturer),
    model: cleanText(b.model),
    serial: cleanText(b.serial),
    designCapacityMWh: b.capacityUnit.toLowerCase() === 'mwh' ? design : undefined,
    healthPercent: design && max ? Math.min(200, Math.round((max / design) * 100)) : undefined,
  });
}

function positiveInt(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.round(value) : undefined;
}

/** The object without its undefined fields, so equal readings give deep-equal sections. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The object without undefined fields, or undefined when nothing is left. */
function nonEmpty<T extends object>(value: T): T | undefined {
  const out = compact(value);
  return Object.keys(out).length > 0 ? out : undefined;
}
