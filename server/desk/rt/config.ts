// Settings for the Request Tracker connector. Defaults match ./initialdata.pl and RT's default
// lifecycle; an admin who renamed a field or a status in RT sets the same name here.
import { z } from 'zod';
import { PRIORITIES, type Priority, type TicketStatus } from '../../../shared/tickets.js';
import { statusMapsSchema } from '../statuses.js';

/** Names end up inside RT's query language ('CF.{name}'), so quotes and braces are refused. */
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^'"{}\\]+$/, 'must not contain quotes, braces or backslashes');

const FieldNamesSchema = z.object({
  ticketKey: name.default('Outpost Key'),
  /** A self-service request's approval: approved / rejected (a select IT sets on the ticket). */
  approval: name.default('Outpost approval'),
  noteKey: name.default('Outpost Note Key'),
  serviceTag: name.default('Service Tag'),
  macs: name.default('MAC Addresses'),
  os: name.default('OS'),
  model: name.default('Model'),
  lastSeen: name.default('Last Seen'),
  loggedOnUser: name.default('Logged-on User'),
  outpostDeviceId: name.default('Outpost Device ID'),
  cpu: name.default('CPU'),
  memory: name.default('Memory'),
  disks: name.default('Disks'),
  osBuild: name.default('OS Build'),
  bios: name.default('BIOS'),
  encryption: name.default('Disk Encryption'),
  volumes: name.default('Volumes'),
  /** A text area: one "name version" line per package. */
  software: name.default('Software'),
  /** On assets in the software catalog. */
  publisher: name.default('Publisher'),
  versions: name.default('Versions'),
  installations: name.default('Installations'),
});

const priority = z.number().int().min(0).max(1000);
const PrioritiesSchema = z.object({
  low: priority.default(25),
  normal: priority.default(50),
  high: priority.default(75),
  urgent: priority.default(100),
});

const DEFAULT_TO_RT: Record<TicketStatus, string> = {
  new: 'new',
  open: 'open',
  pending: 'stalled',
  resolved: 'resolved',
  // RT's default lifecycle has no "closed": resolved is its end state.
  closed: 'resolved',
};

const DEFAULT_FROM_RT: Record<string, TicketStatus> = {
  new: 'new',
  open: 'open',
  stalled: 'pending',
  resolved: 'resolved',
  rejected: 'closed',
  deleted: 'closed',
};

/** RT status names; a map given lists only what differs from RT's default lifecycle. */
const StatusesSchema = statusMapsSchema(name, DEFAULT_TO_RT, DEFAULT_FROM_RT);

export const RtConfigSchema = z.object({
  /** RT's web address, e.g. https://rt.example.com or https://example.com/rt (no /REST/2.0). */
  url: z.url({ protocol: /^https?$/ }),
  /** The API user's Name: used for basic auth, and to recognise the connector's own changes. */
  user: name,
  auth: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('basic'), password: z.string().min(1) }),
    /** An RT auth token ("Authorization: token ..."), made for `user`. */
    z.object({ kind: z.literal('token'), token: z.string().min(1) }),
  ]),
  /** The queue new tickets go to... */
  queue: name.default('General'),
  /** ...unless their category is listed here (category -> queue). */
  categoryQueues: z.record(z.string().min(1).max(100), name).default({}),
  catalog: name.default('General assets'),
  /** The catalog the fleet's software goes to, one asset per package name (initialdata.pl makes it). */
  softwareCatalog: name.default('Outpost software'),
  /** The catalog the package store's packages go to, one asset per package (initialdata.pl makes it). */
  packageCatalog: name.default('Outpost packages'),
  /** Status a new asset gets; RT's default asset lifecycle knows new, allocated, in-use, recycled, stolen, deleted. */
  assetStatus: name.default('in-use'),
  /** Status of a package's asset once the package left the store: an inactive status of the assets lifecycle. */
  packageRetiredStatus: name.default('recycled'),
  fields: FieldNamesSchema.prefault({}),
  priorities: PrioritiesSchema.prefault({}),
  statuses: StatusesSchema.prefault({}),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
});

export type RtConfigInput = z.input<typeof RtConfigSchema>;
export type RtConfig = z.output<typeof RtConfigSchema>;

export function rtPriority(config: RtConfig, p: Priority): number {
  return config.priorities[p];
}

/** The Outpost priority whose RT number is nearest; ties go to the more urgent one. */
export function priorityFromRt(config: RtConfig, value: number): Priority {
  let best: Priority = 'normal';
  let bestDistance = Infinity;
  for (const p of PRIORITIES) {
    const distance = Math.abs(config.priorities[p] - value);
    if (distance <= bestDistance) {
      best = p;
      bestDistance = distance;
    }
  }
  return best;
}

export function rtStatus(config: RtConfig, s: TicketStatus): string {
  return config.statuses.toDesk[s];
}

export function statusFromRt(config: RtConfig, s: string): TicketStatus {
  return config.statuses.fromDesk[s.toLowerCase()] ?? config.statuses.unknown;
}
