// Settings for the Autotask PSA connector. Picklist values (status, priority, note publish level,
// note type) are set by label: each Autotask database numbers them its own way, so the connector
// reads the numbers from the entity's field information once and maps the labels given here.
import { z } from 'zod';
import type { ApprovalState } from '../../../shared/self-service.js';
import type { Priority, TicketStatus } from '../../../shared/tickets.js';
import { statusMapsSchema } from '../statuses.js';

const label = z.string().trim().min(1).max(100);
const id = z.number().int().min(0);

const DEFAULT_PRIORITIES: Record<Priority, string> = { low: 'Low', normal: 'Medium', high: 'High', urgent: 'Critical' };

/** "New" is the starting status, as in the seed's field mapping. */
const DEFAULT_TO_AUTOTASK: Record<TicketStatus, string> = {
  new: 'New',
  open: 'In Progress',
  pending: 'Waiting Customer',
  resolved: 'Complete',
  closed: 'Complete',
};

const DEFAULT_FROM_AUTOTASK: Record<string, TicketStatus> = {
  new: 'new',
  'in progress': 'open',
  'waiting customer': 'pending',
  'waiting materials': 'pending',
  'waiting vendor': 'pending',
  escalate: 'open',
  complete: 'closed',
};

/** Where every Autotask user's zone is looked up (ZoneInformation), documented by Datto. */
export const AUTOTASK_DISCOVERY_URL = 'https://webservices.autotask.net/atservicesrest';

export const AutotaskConfigSchema = z.object({
  /** Zone discovery base; the zone's own REST URL is asked for once (ZoneInformation?user=). */
  discoveryUrl: z.url({ protocol: /^https?$/ }).default(AUTOTASK_DISCOVERY_URL),
  /** Skips discovery when set: the zone URL ZoneInformation answers, e.g. https://webservices5.autotask.net/ATServicesRest/. */
  zoneUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** The API-only user's UserName (an email-like name). */
  user: z.string().trim().min(1).max(200),
  secret: z.string().min(1),
  /** The API tracking identifier (ApiIntegrationCode header) of the integration. */
  integrationCode: z.string().trim().min(1).max(200),
  /** Company a ticket belongs to when its device has no configuration item (0 is your own company). */
  companyId: id.default(0),
  queueId: id.optional(),
  /** A ticket user-defined field (text) that holds Outpost's key; without it ticketKeys is false. */
  ticketKeyUdf: z.string().trim().min(1).max(100).optional(),
  /** Role the time entries are booked under (Autotask requires one for ticket time). */
  roleId: id.optional(),
  /**
   * The billing code (Admin > Billing Codes, a Material code) the package store's products are made
   * under: Products require one. Without it the package catalog is not sent to Autotask.
   */
  packageBillingCodeId: z.number().int().min(1).optional(),
  priorities: z
    .partialRecord(z.enum(['low', 'normal', 'high', 'urgent']), label)
    .default({})
    .transform((m) => ({ ...DEFAULT_PRIORITIES, ...m })),
  statuses: statusMapsSchema(label, DEFAULT_TO_AUTOTASK, DEFAULT_FROM_AUTOTASK).prefault({}),
  /** TicketNotes publish labels: what reaches the customer and what stays internal. */
  /**
   * Ticket status labels that decide a self-service request (statuses an admin adds to the Tickets
   * status picklist); any other status leaves the request waiting.
   */
  approvalStatuses: z
    .object({
      approved: z.array(label).min(1).max(10).default(['Approved']),
      rejected: z.array(label).min(1).max(10).default(['Rejected']),
    })
    .prefault({}),
  publish: z.object({ public: label.default('All Autotask Users'), internal: label.default('Internal Only') }).prefault({}),
  noteType: label.default('Task Notes'),
  /**
   * Outpost's own share of the database's hourly API allowance (Autotask: 10,000 per database per
   * hour, shared by every integration). Above it, calls wait (retryable) until the hour rolls on.
   */
  maxRequestsPerHour: z.number().int().min(10).max(10_000).default(5_000),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
});

export type AutotaskConfigInput = z.input<typeof AutotaskConfigSchema>;
export type AutotaskConfig = z.output<typeof AutotaskConfigSchema>;

export function statusFromAutotask(config: AutotaskConfig, label: string): TicketStatus {
  return config.statuses.fromDesk[label.toLowerCase()] ?? config.statuses.unknown;
}

export function priorityFromAutotask(config: AutotaskConfig, label: string | undefined): Priority | null {
  if (!label) return null;
  const l = label.toLowerCase();
  for (const p of ['low', 'normal', 'high', 'urgent'] as const) if (config.priorities[p].toLowerCase() === l) return p;
  return null;
}

/** A ticket status label as the configured approved / rejected labels read it. */
export function approvalFromAutotask(config: AutotaskConfig, label: string | undefined): ApprovalState {
  const l = (label ?? '').trim().toLowerCase();
  if (config.approvalStatuses.approved.some((a) => a.toLowerCase() === l)) return 'approved';
  if (config.approvalStatuses.rejected.some((r) => r.toLowerCase() === l)) return 'rejected';
  return 'pending';
}
