// Settings for the ServiceDesk Plus connector. Defaults follow SDP's out-of-the-box priorities and
// statuses; an admin who renamed them sets the same names here.
import { z } from 'zod';
import type { Priority, TicketStatus } from '../../../shared/tickets.js';
import { statusMapsSchema } from '../statuses.js';

const name = z.string().trim().min(1).max(250);

/** An additional field's API name, e.g. udf_sline_301. */
export const UDF_FIELD = /^udf_[a-z0-9_]+$/;

const DEFAULT_PRIORITIES: Record<Priority, string> = { low: 'Low', normal: 'Medium', high: 'High', urgent: 'Urgent' };

const DEFAULT_TO_SDP: Record<TicketStatus, string> = {
  new: 'Open',
  open: 'Open',
  pending: 'On Hold',
  resolved: 'Resolved',
  closed: 'Closed',
};

const DEFAULT_FROM_SDP: Record<string, TicketStatus> = {
  open: 'open',
  'in progress': 'open',
  assigned: 'open',
  'on hold': 'pending',
  resolved: 'resolved',
  closed: 'closed',
  canceled: 'closed',
  cancelled: 'closed',
};

export const SdpConfigSchema = z.object({
  /**
   * On-premises: the server, e.g. https://sdp.example.com:8080.
   * Cloud: the portal, e.g. https://sdpondemand.manageengine.com/app/itdesk.
   */
  url: z.url({ protocol: /^https?$/ }),
  /** on-premises sends the technician key in an `authtoken` header; cloud a Zoho OAuth access token. */
  flavour: z.enum(['onprem', 'cloud']),
  token: z.string().min(1),
  /** The API technician's name or email, to recognise the connector's own notes and changes. */
  technician: name,
  /** A single-line request additional field (e.g. udf_sline_301) that holds Outpost's key. */
  requestKeyField: z.string().regex(UDF_FIELD, 'must be an additional field API name such as udf_sline_301').optional(),
  priorities: z
    .partialRecord(z.enum(['low', 'normal', 'high', 'urgent']), name)
    .default({})
    .transform((m) => ({ ...DEFAULT_PRIORITIES, ...m })),
  /** SDP status names; a map given lists only what differs from SDP's defaults. */
  statuses: statusMapsSchema(name, DEFAULT_TO_SDP, DEFAULT_FROM_SDP).prefault({}),
  /**
   * The portal's URL name on installations with several service desk instances: every call then
   * goes to /app/<portal>/api/v3/... (ManageEngine: "the portal url name should be mentioned in
   * every API request"). Leave it out when the URL already ends in /app/<portal>.
   */
  portal: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be a portal URL name such as itdesk')
    .optional(),
  /**
   * The product every workstation gets: SDP takes only products that exist, so a model is not
   * made a product (it goes to computer_system.model).
   */
  product: name.default('Workstation'),
  assetState: name.default('In Use'),
  /** The product type (Admin > Product Types) the package store's packages are products of. */
  packageProductType: name.default('Software Package'),
  /**
   * Workstation additional fields (udf_ API names) that take Outpost's summaries: SDP's own hardware
   * and software tabs are filled by its own scan, and no documented call writes processors, disks or
   * software, so CPU, memory, disks, OS build, encryption, volumes and the software list go to
   * additional fields an admin made for them (multi-line ones for lists). Unlisted ones are not sent.
   */
  assetUdfFields: z
    .partialRecord(
      z.enum(['cpu', 'memory', 'disks', 'osBuild', 'encryption', 'volumes', 'software']),
      z.string().regex(UDF_FIELD, 'must be an additional field API name such as udf_sline_301'),
    )
    .default({}),
  /** Closing a request: the closure code (Admin > Closure Codes) and comments the close call sends. */
  closureCode: name.optional(),
  closureComments: z.string().max(2000).default('Closed from Outpost.'),
  /**
   * The approval status names (a request's approval levels and approvals) that decide a
   * self-service request; any other name (Open, Pending Approval...) leaves it waiting.
   */
  approvalStatuses: z
    .object({
      approved: z.array(name).min(1).max(10).default(['Approved']),
      rejected: z.array(name).min(1).max(10).default(['Rejected', 'Denied']),
    })
    .prefault({}),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
});

export type SdpConfigInput = z.input<typeof SdpConfigSchema>;
export type SdpConfig = z.output<typeof SdpConfigSchema>;

export function sdpPriority(config: SdpConfig, p: Priority): string {
  return config.priorities[p];
}

export function priorityFromSdp(config: SdpConfig, value: string | undefined): Priority | null {
  if (!value) return null;
  const v = value.toLowerCase();
  for (const p of ['low', 'normal', 'high', 'urgent'] as const) if (sdpPriority(config, p).toLowerCase() === v) return p;
  return v === 'normal' ? 'normal' : null;
}

export function sdpStatus(config: SdpConfig, s: TicketStatus): string {
  return config.statuses.toDesk[s];
}

export function statusFromSdp(config: SdpConfig, s: string): TicketStatus {
  return config.statuses.fromDesk[s.toLowerCase()] ?? config.statuses.unknown;
}

/** Does this SDP user (added_by, last_updated_by) stand for the connector's technician? */
export function isTechnician(
  config: SdpConfig,
  u: { name?: string | undefined; email_id?: string | null | undefined } | null | undefined,
): boolean {
  const me = config.technician.toLowerCase();
  return !!u && (u.name?.toLowerCase() === me || u.email_id?.toLowerCase() === me);
}
