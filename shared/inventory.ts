// The inventory model: what one endpoint looks like at one moment.
// Volatile values (free memory, load, uptime, free disk, battery charge) are deliberately absent:
// a snapshot changes only when the machine really changes, so diffs stay empty on a quiet machine.
import { z } from 'zod';
import { SNAPSHOT_LIMITS, SOFTWARE_SOURCES } from './inventory-keys.js';

// The zod-free half lives in inventory-keys.ts so that `outpost scan` need not load zod.
export * from './inventory-keys.js';

const text = z.string().min(1).max(1024);
const optText = text.optional();
const count = z.number().int().nonnegative().optional();

export const SoftwareSchema = z.object({
  name: text,
  version: optText,
  publisher: optText,
  arch: optText,
  source: z.enum(SOFTWARE_SOURCES),
  scope: z.enum(['machine', 'user']),
  /** The account a per-user install belongs to; only with scope 'user'. */
  user: optText,
  /** ISO 8601 date (YYYY-MM-DD) or date-time, when the source records one. */
  installDate: optText,
});
export type Software = z.infer<typeof SoftwareSchema>;

export const MemoryModuleSchema = z.object({
  slot: optText,
  sizeBytes: count,
  type: optText,
  speedMHz: count,
  manufacturer: optText,
  serial: optText,
  partNumber: optText,
});

export const DiskSchema = z.object({
  device: optText,
  type: optText,
  vendor: optText,
  model: optText,
  serial: optText,
  sizeBytes: count,
  interface: optText,
});

export const GraphicsSchema = z.object({
  vendor: optText,
  model: optText,
  vramMB: count,
});

export const BatterySchema = z.object({
  manufacturer: optText,
  model: optText,
  serial: optText,
  designCapacityMWh: count,
  maxCapacityMWh: count,
  healthPercent: count,
  cycleCount: count,
});

export const HardwareSchema = z.object({
  manufacturer: optText,
  model: optText,
  /** Service tag / system serial number; junk values are left out, never stored. */
  serial: optText,
  /** SMBIOS system UUID, lower-case; all-zero and all-F values are left out. */
  uuid: optText,
  sku: optText,
  bios: z.object({ vendor: optText, version: optText, releaseDate: optText }).optional(),
  chassis: z.object({ type: optText, manufacturer: optText, serial: optText, assetTag: optText }).optional(),
  cpu: z
    .object({
      manufacturer: optText,
      brand: optText,
      cores: count,
      physicalCores: count,
      sockets: count,
      speedMHz: count,
    })
    .optional(),
  memory: z.object({ totalBytes: count, modules: z.array(MemoryModuleSchema).max(256) }),
  disks: z.array(DiskSchema).max(256),
  graphics: z.array(GraphicsSchema).max(64),
  battery: BatterySchema.optional(),
});
export type Hardware = z.infer<typeof HardwareSchema>;

export const OsSchema = z.object({
  platform: z.enum(['linux', 'darwin', 'win32', 'freebsd', 'other']),
  distro: optText,
  release: optText,
  build: optText,
  codename: optText,
  kernel: optText,
  arch: optText,
  hostname: text,
  fqdn: optText,
  domain: optText,
});
export type Os = z.infer<typeof OsSchema>;

export const NetworkInterfaceSchema = z.object({
  name: text,
  mac: optText,
  ipv4: z.array(z.string().max(64)).max(64),
  ipv6: z.array(z.string().max(64)).max(64),
  virtual: z.boolean(),
  type: optText,
  speedMbps: count,
});
export type NetworkInterface = z.infer<typeof NetworkInterfaceSchema>;

export const LoggedOnUserSchema = z.object({
  name: text,
  domain: optText,
  terminal: optText,
});
export type LoggedOnUser = z.infer<typeof LoggedOnUserSchema>;

export const SnapshotSchema = z.object({
  hardware: HardwareSchema,
  os: OsSchema,
  network: z.array(NetworkInterfaceSchema).max(SNAPSHOT_LIMITS.network),
  users: z.array(LoggedOnUserSchema).max(SNAPSHOT_LIMITS.users),
  software: z.array(SoftwareSchema).max(SNAPSHOT_LIMITS.software),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** Hints the server uses to recognise a device across reinstalls and renames. */
export const IdentityHintsSchema = z.object({
  /** Hash of the OS install's machine id: stable for one OS install, new after a reimage. */
  installId: z.string().min(8).max(128),
  hostname: text,
  serial: optText,
  uuid: optText,
  macs: z.array(z.string().max(32)).max(64),
});
export type IdentityHints = z.infer<typeof IdentityHintsSchema>;
