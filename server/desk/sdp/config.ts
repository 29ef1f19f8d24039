// Settings for the ServiceDesk Plus connector. Defaults follow SDP's out-of-the-box priorities and
// statuses; an admin who renamed them sets the same names here.
import { z } from 'zod';
import { TICKET_STATUSES, type Priority, type TicketStatus } from '../../../shared/tickets.js';

const name = z.string().trim().min(1).max(250);

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
  requestKeyField: z.string().regex(/^udf_[a-z0-9_]+$/, 'must be an additional field API name such as udf_sline_301').optional(),
  priorities: z
    .partialRecord(z.enum(['low', 'normal', 'high', 'urgent']), name)
    .default({})
    .transform((m) => ({ ...DEFAULT_PRIORITIES, ...m })),
  /** Maps given list what differs: they are laid over the defaults; SDP names are matched in any case. */
  statuses: z
    .object({
      toDesk: z
        .partialRecord(z.enum(TICKET_STATUSES), name)
        .default({})
        .transform((m) => ({ ...DEFAULT_TO_SDP, ...m })),
      fromDesk: z
        .record(name, z.enum(TICKET_STATUSES))
        .default({})
        .transform((m) => ({ ...DEFAULT_FROM_SDP, ...Object.fromEntries(Object.entries(m).map(([k, v]) => [k.toLowerCase(), v])) })),
      unknown: z.enum(TICKET_STATUSES).default('open'),
    })
    .prefault({}),
  /** Product and state a new workstation gets when Outpost knows no model. */
  product: name.default('Workstation'),
  assetState: name.default('In Use'),
  /** Software type a new catalog entry gets. */
  softwareType: name.default('Managed'),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
});

export type SdpConfigInput = z.input<typeof SdpConfigSchema>;
export type SdpConfig = z.output<typeof SdpConfigSchema>;

export function sdpPriority(config: SdpConfig, p: Priority): string {
  return config.priorities[p] ?? DEFAULT_PRIORITIES[p];
}

export function priorityFromSdp(config: SdpConfig, value: string | undefined): Priority | null {
  if (!value) return null;
  const v = value.toLowerCase();
  for (const p of ['low', 'normal', 'high', 'urgent'] as const) if (sdpPriority(config, p).toLowerCase() === v) return p;
  return v === 'normal' ? 'normal' : null;
}

export function sdpStatus(config: SdpConfig, s: TicketStatus): string {
  return config.statuses.toDesk[s] ?? DEFAULT_TO_SDP[s];
}

export function statusFromSdp(config: SdpConfig, s: string): TicketStatus {
  return config.statuses.fromDesk[s.toLowerCase()] ?? config.statuses.unknown;
}

/** Does this SDP user (added_by, last_updated_by) stand for the connector's technician? */
export function isTechnician(config: SdpConfig, u: { name?: string | undefined; email_id?: string | null | undefined } | null | undefined): boolean {
  const me = config.technician.toLowerCase();
  return !!u && (u.name?.toLowerCase() === me || u.email_id?.toLowerCase() === me);
}
