// New hardware read from the hardware section's field changes. The hardware object diffs as a whole
// field (disks: { from: [...], to: [...] }), so the parts added are found here by identity: the
// serial when the part has a real one, otherwise its describing fields plus an occurrence number
// (two identical unserialised DIMMs are "#0" and "#1"; a third one added becomes "#2").
import { canonicalJson } from '../../../shared/canonical.js';
import type { SectionChange } from '../../../shared/delta.js';
import { cleanText } from '../../../shared/junk.js';
import { decimalSize, show } from './describe.js';

export interface NewHardware {
  /** Identity of the part, unique within the device; becomes part of the event key. */
  identity: string;
  /** What a person calls it: "Disk Samsung SSD 980 (1.0 TB)". */
  label: string;
  /** Why it counts as new: "added", or "changed from X". */
  reason: string;
  fields: Record<string, unknown>;
}

type Fields = Record<string, { from: unknown; to: unknown }>;
type Rec = Record<string, unknown>;

const asRecord = (v: unknown): Rec | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined);
const asList = (v: unknown): Rec[] => (Array.isArray(v) ? v.map(asRecord).filter((r): r is Rec => r !== undefined) : []);
const text = (v: unknown): string | undefined => cleanText(v);
const joined = (...parts: unknown[]): string => parts.map(show).filter(Boolean).join(' ');

/** A size in parentheses after the label's words, or nothing. */
function size(bytes: unknown): string {
  const shown = decimalSize(bytes);
  return shown ? `(${shown})` : '';
}

interface PartKind {
  name: string;
  label: (part: Rec) => string;
  /** The fields that describe an unserialised part; volatile ones (health, cycles) stay out. */
  describing: (part: Rec) => unknown[];
}

const DISK: PartKind = {
  name: 'disk',
  label: (d) => joined('Disk', d.vendor, d.model, size(d.sizeBytes)),
  describing: (d) => [d.vendor, d.model, d.sizeBytes, d.type, d.interface],
};
const MEMORY: PartKind = {
  name: 'memory',
  label: (m) => joined('Memory module', m.manufacturer, m.partNumber, size(m.sizeBytes), m.slot ? `in ${show(m.slot)}` : ''),
  describing: (m) => [m.slot, m.sizeBytes, m.type, m.manufacturer, m.partNumber],
};
const GRAPHICS: PartKind = {
  name: 'graphics',
  label: (g) => joined('Graphics', g.vendor, g.model),
  describing: (g) => [g.vendor, g.model, g.vramMB],
};
const BATTERY: PartKind = {
  name: 'battery',
  label: (b) => joined('Battery', b.manufacturer, b.model),
  describing: (b) => [b.manufacturer, b.model, b.designCapacityMWh],
};

/** Identities of a list of parts, in order; the same list always gives the same identities. */
function identities(kind: PartKind, parts: readonly Rec[]): string[] {
  const seen = new Map<string, number>();
  return parts.map((part) => {
    const serial = text(part.serial);
    if (serial) return `${kind.name}:serial:${serial}`;
    const base = `${kind.name}:${canonicalJson(kind.describing(part))}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return `${base}#${n}`;
  });
}

/**
 * Parts in `to` whose identity is not in `from`. A list that was empty before is a collector that
 * saw nothing last time (a VM without DIMM data, a failed probe), not a machine without disks:
 * everything in it would look new, so it raises nothing.
 */
function addedParts(kind: PartKind, from: unknown, to: unknown): NewHardware[] {
  const before = asList(from);
  const after = asList(to);
  if (before.length === 0) return [];
  const known = new Set(identities(kind, before));
  const ids = identities(kind, after);
  return after.flatMap((part, i) =>
    known.has(ids[i]!) ? [] : [{ identity: ids[i]!, label: kind.label(part), reason: 'added', fields: part }],
  );
}

function cpuIdentity(cpu: Rec | undefined): string | undefined {
  if (!cpu) return undefined;
  const describing = [cpu.manufacturer, cpu.brand, cpu.cores, cpu.physicalCores, cpu.sockets];
  return describing.every((v) => v === undefined || v === null) ? undefined : canonicalJson(describing);
}

/** A processor replaced by another; a first-time reading or a changed clock speed is not a new CPU. */
function changedCpu(field: { from: unknown; to: unknown } | undefined): NewHardware[] {
  if (!field) return [];
  const from = asRecord(field.from);
  const to = asRecord(field.to);
  const before = cpuIdentity(from);
  const after = cpuIdentity(to);
  if (!before || !after || before === after || !to) return [];
  const label = joined('CPU', to.brand ?? to.manufacturer);
  return [
    { identity: `cpu:${after}`, label, reason: `changed from ${joined(from?.brand ?? from?.manufacturer) || 'another CPU'}`, fields: to },
  ];
}

/** A new system serial: a replaced mainboard, or the device's identity changing under it. */
function changedSerial(field: { from: unknown; to: unknown } | undefined): NewHardware[] {
  const before = text(field?.from);
  const after = text(field?.to);
  if (!before || !after || before === after) return [];
  return [
    {
      identity: `serial:${after}`,
      label: `Serial number ${after}`,
      reason: `changed from ${before}`,
      fields: { serial: after, previousSerial: before },
    },
  ];
}

/** A battery where there was none, or one with another identity than the one before. */
function newBattery(field: { from: unknown; to: unknown } | undefined): NewHardware[] {
  const to = asRecord(field?.to);
  if (!to) return [];
  const from = asRecord(field?.from);
  const after = identities(BATTERY, [to])[0]!;
  if (from && identities(BATTERY, [from])[0] === after) return [];
  return [{ identity: after, label: BATTERY.label(to), reason: from ? 'replaced' : 'added', fields: to }];
}

/** Every new part in one batch's hardware changes, in a fixed order. */
export function newHardwareFrom(changes: readonly SectionChange[]): NewHardware[] {
  const out: NewHardware[] = [];
  for (const change of changes) {
    if (change.section !== 'hardware') continue;
    for (const entry of change.changed) {
      const fields = entry.fields as Fields;
      out.push(
        ...changedSerial(fields.serial),
        ...changedCpu(fields.cpu),
        ...addedParts(MEMORY, asRecord(fields.memory?.from)?.modules, asRecord(fields.memory?.to)?.modules),
        ...addedParts(DISK, fields.disks?.from, fields.disks?.to),
        ...addedParts(GRAPHICS, fields.graphics?.from, fields.graphics?.to),
        ...newBattery(fields.battery),
      );
    }
  }
  return out;
}
