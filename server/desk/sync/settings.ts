// The desk the server syncs with, as the operator configures it (flags, environment, config file),
// and the connector built from it. The secret is a value here, read by the CLI from a file or
// OUTPOST_DESK_SECRET; it is never logged and never echoed in an error.
import { z } from 'zod';
import type { Logger } from '../../../shared/log.js';
import type { DeskConnector } from '../connector.js';
import { AssetEventRulesSchema } from '../rules/asset-events.js';
import { parseConfig } from '../errors.js';
import { AutotaskConnector } from '../autotask/connector.js';
import type { AutotaskConfigInput } from '../autotask/config.js';
import { RtConnector } from '../rt/connector.js';
import { SdpConnector } from '../sdp/connector.js';
import { isRequestAccountField, isWorkstationAccountField } from '../sdp/mapping.js';
import { connectorOptions, FieldMappingSchema } from './mapping.js';
import { SchedulesSchema } from './schedules.js';

export const DeskSettingsSchema = z
  .object({
    kind: z.enum(['rt', 'sdp', 'autotask']),
    url: z.url({ protocol: /^https?$/ }),
    /** RT: the API user; SDP: the API technician; Autotask: the API-only user's UserName. */
    user: z.string().trim().min(1).max(200),
    secret: z.string().min(1).max(4096),
    /** RT: "token" (an auth token, recommended) or "basic" (the user's password). */
    auth: z.enum(['token', 'basic']).default('token'),
    /** Default 30 s; Autotask 300 s (5 minutes, as in the seed: its API allowance is per hour). */
    pollSeconds: z.number().min(1).max(3600).optional(),
    /** How often self-service requests' approvals are read from the desk (server/deploy/approvals.ts). */
    approvalPollMinutes: z.number().min(0.1).max(1440).default(3),
    /** Requesters without an email become account@requesterDomain in the desk. */
    requesterDomain: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'must be a domain name such as example.com')
      .optional(),
    /**
     * The desk's requester for a ticket whose account has no email, no desk user of its login name
     * and no requesterDomain: a desk login name or an email; the ticket names the account. Default `user`.
     */
    fallbackRequester: z.string().trim().min(1).max(256).optional(),
    /** Which inventory changes raise desk tickets (new hardware, new software, prohibited software). */
    assetEvents: AssetEventRulesSchema.prefault({}),
    /** Directions, value maps, starting status, notes, attachments and the account lookup (./mapping.ts). */
    mapping: FieldMappingSchema.prefault({}),
    /** When each flow reaches the desk, and the software catalog's interval (./schedules.ts). */
    schedules: SchedulesSchema.prefault({}),
    /** Connector-specific settings (see server/desk/rt/config.ts, server/desk/sdp/config.ts, server/desk/autotask/config.ts). */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    // RT takes any custom field names; SDP's account lookup only knows a few places.
    const account = s.mapping.account;
    if (s.kind !== 'sdp' || !account) return;
    if (!isWorkstationAccountField(account.assetField)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mapping', 'account', 'assetField'],
        message: 'ServiceDesk Plus reads the account from site or a udf_ field',
      });
    }
    if (!isRequestAccountField(account.ticketField)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mapping', 'account', 'ticketField'],
        message: 'ServiceDesk Plus sets the account on site, account or a udf_ field',
      });
    }
  })
  .transform((s) => ({ ...s, pollSeconds: s.pollSeconds ?? DEFAULT_POLL_SECONDS[s.kind] }));

const DEFAULT_POLL_SECONDS = { rt: 30, sdp: 30, autotask: 300 } as const;

export type DeskSettingsInput = z.input<typeof DeskSettingsSchema>;
export type DeskSettings = z.output<typeof DeskSettingsSchema>;

export function parseDeskSettings(input: unknown): DeskSettings {
  return parseConfig(DeskSettingsSchema, input, 'Desk');
}

/** The connector for the settings; the mapping's value maps are laid over `options`. */
export function createConnector(s: DeskSettings, log: Logger, fetchImpl?: typeof fetch): DeskConnector {
  const options = connectorOptions(s.kind, s.mapping, s.options);
  if (s.kind === 'rt') {
    const auth = s.auth === 'basic' ? { kind: 'basic' as const, password: s.secret } : { kind: 'token' as const, token: s.secret };
    return new RtConnector({ ...options, url: s.url, user: s.user, auth }, log, fetchImpl);
  }
  if (s.kind === 'autotask') {
    // The URL is where the user's zone is looked up (ZoneInformation); options.zoneUrl skips that.
    return new AutotaskConnector(
      { ...options, discoveryUrl: s.url, user: s.user, secret: s.secret } as AutotaskConfigInput,
      log,
      fetchImpl,
    );
  }
  return new SdpConnector({ flavour: 'onprem', ...options, url: s.url, technician: s.user, token: s.secret }, log, fetchImpl);
}
