// The wire form of a delta. Apart from delta.ts so that the protocol schemas (which the tray's
// renderer type-checks without Node) do not pull in the digest code and node:crypto.
import { z } from 'zod';
import {
  HardwareSchema,
  LocalAccountSchema,
  LocalGroupSchema,
  LoggedOnUserSchema,
  MonitorSchema,
  NetworkInterfaceSchema,
  OsSchema,
  PrinterSchema,
  SecurityPostureSchema,
  SNAPSHOT_LIMITS,
  SoftwareSchema,
  VolumeSchema,
  type Section,
} from './inventory.js';

const objectDelta = <T extends z.ZodObject>(schema: T) =>
  z.object({
    set: schema.partial().optional(),
    unset: z.array(z.string().max(64)).max(64).optional(),
  });

const collectionDelta = <T extends z.ZodType>(item: T, max: number) =>
  z.object({
    added: z.array(item).max(max).optional(),
    removed: z.array(z.string().max(4096)).max(max).optional(),
    changed: z.array(item).max(max).optional(),
  });

export const DeltaSchema = z.object({
  hardware: objectDelta(HardwareSchema).optional(),
  os: objectDelta(OsSchema).optional(),
  security: objectDelta(SecurityPostureSchema).optional(),
  network: collectionDelta(NetworkInterfaceSchema, 256).optional(),
  users: collectionDelta(LoggedOnUserSchema, 1000).optional(),
  software: collectionDelta(SoftwareSchema, 50_000).optional(),
  volumes: collectionDelta(VolumeSchema, SNAPSHOT_LIMITS.volumes).optional(),
  monitors: collectionDelta(MonitorSchema, SNAPSHOT_LIMITS.monitors).optional(),
  printers: collectionDelta(PrinterSchema, SNAPSHOT_LIMITS.printers).optional(),
  accounts: collectionDelta(LocalAccountSchema, SNAPSHOT_LIMITS.accounts).optional(),
  groups: collectionDelta(LocalGroupSchema, SNAPSHOT_LIMITS.groups).optional(),
});
export type Delta = z.infer<typeof DeltaSchema>;

/** What one section's change looked like, for the change history and the API. */
export interface SectionChange {
  section: Section;
  added: unknown[];
  removed: unknown[];
  changed: { key: string; fields: Record<string, { from: unknown; to: unknown }> }[];
}
