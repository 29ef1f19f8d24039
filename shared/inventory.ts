// The inventory model: what one endpoint looks like at one moment.
// Volatile values (free memory, load, uptime, free disk, battery charge) are deliberately absent:
// a snapshot changes only when the machine really changes, so diffs stay empty on a quiet machine.
import { z } from 'zod';
import { ENCRYPTION_STATES, FIREWALL_STATES, SNAPSHOT_LIMITS, SOFTWARE_SOURCES } from './inventory-keys.js';

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

// Inventory breadth (issue 18): volumes, monitors, printers, accounts, groups and security, with
// the names both the agent and the desk work build on. Each is optional: an agent that predates them sends none,
// and an absent section reads, digests and diffs exactly like an empty one.

const name = z.string().min(1).max(256);
const percent = z.number().int().min(0).max(100);

export const VolumeSchema = z.object({
  mount: text,
  fs: optText,
  label: optText,
  device: optText,
  sizeBytes: count,
  /** Free space rounded down to a whole percent of size: a change is recorded only on a 1 % step. */
  freePercent: percent.optional(),
  /** floor(sizeBytes * freePercent / 100): derived from the quantised figure, so just as stable. */
  freeBytes: count,
  encrypted: z.boolean().optional(),
  /** 'LUKS' | 'BitLocker' | 'FileVault' | ... */
  encryption: optText,
});
export type Volume = z.infer<typeof VolumeSchema>;

export const MonitorSchema = z.object({
  vendor: optText,
  model: optText,
  serial: optText,
  sizeInches: z.number().nonnegative().max(1000).optional(),
});
export type Monitor = z.infer<typeof MonitorSchema>;

export const PrinterSchema = z.object({
  name: text,
  driver: optText,
  port: optText,
  shared: z.boolean().optional(),
  isDefault: z.boolean().optional(),
});
export type Printer = z.infer<typeof PrinterSchema>;

/** A local user account. Never a password, a hash or any other secret. */
export const LocalAccountSchema = z.object({
  name,
  fullName: optText,
  uid: z.string().min(1).max(256).optional(),
  admin: z.boolean(),
  disabled: z.boolean().optional(),
  groups: z.array(name).max(SNAPSHOT_LIMITS.accountGroups),
});
export type LocalAccount = z.infer<typeof LocalAccountSchema>;

/** A local group; only groups with members, or admin groups, are reported. */
export const LocalGroupSchema = z.object({
  name,
  gid: z.string().min(1).max(256).optional(),
  admin: z.boolean(),
  members: z.array(name).max(SNAPSHOT_LIMITS.groupMembers),
});
export type LocalGroup = z.infer<typeof LocalGroupSchema>;

export const AntivirusSchema = z.object({
  product: text,
  enabled: z.boolean().optional(),
  upToDate: z.boolean().optional(),
});
export type Antivirus = z.infer<typeof AntivirusSchema>;

/** Security posture; an absent field is unknown (never read as "off"). */
export const SecurityPostureSchema = z.object({
  firewall: z.enum(FIREWALL_STATES).optional(),
  /** Over the fixed / system volumes. */
  diskEncryption: z.enum(ENCRYPTION_STATES).optional(),
  antivirus: z.array(AntivirusSchema).max(SNAPSHOT_LIMITS.antivirus).optional(),
  /** OS updates available (apt, dnf, softwareupdate, Windows Update). */
  pendingUpdates: z.number().int().nonnegative().max(1_000_000).optional(),
  /** ISO date-time of the last OS update installed. */
  lastUpdateAt: optText,
  rebootRequired: z.boolean().optional(),
});
export type SecurityPosture = z.infer<typeof SecurityPostureSchema>;

export const SnapshotSchema = z.object({
  hardware: HardwareSchema,
  os: OsSchema,
  network: z.array(NetworkInterfaceSchema).max(SNAPSHOT_LIMITS.network),
  users: z.array(LoggedOnUserSchema).max(SNAPSHOT_LIMITS.users),
  software: z.array(SoftwareSchema).max(SNAPSHOT_LIMITS.software),
  volumes: z.array(VolumeSchema).max(SNAPSHOT_LIMITS.volumes).optional(),
  monitors: z.array(MonitorSchema).max(SNAPSHOT_LIMITS.monitors).optional(),
  printers: z.array(PrinterSchema).max(SNAPSHOT_LIMITS.printers).optional(),
  accounts: z.array(LocalAccountSchema).max(SNAPSHOT_LIMITS.accounts).optional(),
  groups: z.array(LocalGroupSchema).max(SNAPSHOT_LIMITS.groups).optional(),
  security: SecurityPostureSchema.optional(),
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
