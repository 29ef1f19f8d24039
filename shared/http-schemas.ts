// The HTTP API's path, query and body schemas: the server validates with them (server/api/route.ts),
// the request types in shared/http-api.ts are derived from them (type-only, so the console bundle
// pulls in no zod), and /api/openapi.json is generated from them.
import { z } from 'zod';
import { TemplateIdSchema, TemplateInputSchema } from './templates.js';
import { DEVICE_SORTS } from './http-api.js';
import { ROLES } from './roles.js';
import { PrioritySchema, TICKET_LIMITS, TICKET_STATUSES, TicketStatusSchema } from './tickets.js';

/**
 * Bounds the schemas below enforce that the server also keeps elsewhere (server/desk/rules/patterns.ts
 * PATTERN_LIMITS, server/store/tokens.ts MAX_TOKEN_LABEL); server/api/schemas.test.ts holds them equal.
 */
export const HTTP_LIMITS = {
  /** Characters of a prohibited-software pattern. */
  patternLength: 200,
  /** Characters of a package name looked up. */
  softwareNameLength: 1024,
  /** Characters of an enrolment token's label. */
  tokenLabel: 100,
  /** A CA certificate is 1-3 KB of PEM; 16 KB leaves room for a long chain's root. */
  caPem: 16 * 1024,
  /** Devices or packages on one page. */
  pageDefault: 50,
  pageMax: 500,
} as const;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

const textId = z.string().min(1).max(64);
const pageLimit = z.coerce.number<number>().int().min(1).max(HTTP_LIMITS.pageMax).default(HTTP_LIMITS.pageDefault);
const pageOffset = z.coerce.number<number>().int().min(0).max(10_000_000).default(0);

// ---------------------------------------------------------------- session

// Generous bounds: a wrong-but-long password is answered like any wrong password, not as bad input.
export const SignInBody = z.object({ username: z.string().max(256), password: z.string().max(8192) });

// ---------------------------------------------------------------- devices

export const DeviceParams = z.object({ id: textId });

/** ISO 8601 (a date, or a date and time) or epoch milliseconds. */
const instant = z
  .string()
  .max(40)
  .transform((text, ctx) => {
    const ms = /^\d{1,15}$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
    if (!Number.isFinite(ms)) ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds' });
    return ms;
  });

export const DeviceListQuery = z.object({
  /** Matches hostname, service tag (serial), logged-on user or IP address, case-insensitively, anywhere. */
  q: z.string().trim().max(200).optional(),
  os: z.enum(['linux', 'darwin', 'windows', 'other']).optional(),
  online: z.enum(['true', 'false']).optional(),
  /** ISO 8601 or epoch ms: last seen at or after / before. */
  seenAfter: instant.optional(),
  seenBefore: instant.optional(),
  /** Some volume has less than this percent free (1..100). */
  lowDisk: z.coerce.number<number>().int().min(1).max(100).optional(),
  /** Disk encryption over the fixed volumes; unknown = not reported. */
  encryption: z.enum(['on', 'partial', 'off', 'unknown']).optional(),
  rebootRequired: z.enum(['true', 'false']).optional(),
  firewall: z.enum(['on', 'off']).optional(),
  sort: z.enum(DEVICE_SORTS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: pageLimit,
  offset: pageOffset,
});

export const DeviceSoftwareQuery = z.object({ q: z.string().max(200).optional() });

export const DeviceChangesQuery = z.object({
  limit: z.coerce.number<number>().int().min(1).max(1000).default(100),
  before: z.coerce.number<number>().int().positive().optional(),
});

export const DeviceMergeBody = z.object({ into: textId }).strict();

// ---------------------------------------------------------------- software and the prohibited list

export const SoftwareListQuery = z.object({
  q: z.string().trim().max(200).optional(),
  /** Only packages matching the prohibited list. */
  prohibited: z.literal('true').optional(),
  limit: pageLimit,
  offset: pageOffset,
});

export const SoftwareDetailQuery = z.object({
  name: z.string().min(1).max(HTTP_LIMITS.softwareNameLength),
  limit: pageLimit,
  offset: pageOffset,
});

/** The rules the server's settings apply to a pattern, after trimming: wildcards alone match everything. */
export const ProhibitedAddBody = z
  .object({
    pattern: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(HTTP_LIMITS.patternLength)
      .refine((p) => /[^*?\s]/u.test(p), 'must hold more than wildcards'),
  })
  .strict();

export const ProhibitedRemoveQuery = z.object({ pattern: z.string().trim().min(1).max(HTTP_LIMITS.patternLength) });

/** Which device may no longer keep which name (as the exemption list names it, any case). */
export const ExemptionRevokeQuery = z.object({
  deviceId: textId,
  name: z.string().trim().min(1).max(HTTP_LIMITS.softwareNameLength),
});

// ---------------------------------------------------------------- enrolment tokens

export const TokenParams = z.object({ id: textId });

/** A ticket template (shared/templates.ts): created and replaced whole. */
export const TemplateBody = TemplateInputSchema;
export const TemplateParams = z.object({ id: z.coerce.number().pipe(TemplateIdSchema) });

/** No body at all is the same as `{}` (the route says so): a week-long token for any number of enrolments. */
export const TokenCreateBody = z
  .object({
    label: z
      .string()
      .trim()
      .max(HTTP_LIMITS.tokenLabel)
      .refine((l) => !CONTROL_CHARS.test(l), 'cannot hold control characters')
      .optional(),
    /** Hours until it expires: 1..87600, default 168 (7 days). */
    expiresInHours: z.number().int().min(1).max(87_600).default(168),
    /** Enrolments allowed; absent for unlimited. */
    uses: z.number().int().min(1).max(1_000_000).optional(),
    /** PEM of a CA the agents pin for wss:// instead of their system's store (a private CA). */
    caPem: z
      .string()
      .max(HTTP_LIMITS.caPem)
      .regex(/^\s*-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*$/, 'must be one PEM certificate')
      .optional(),
  })
  .strict();

// ---------------------------------------------------------------- tickets

const ticketNumber = z
  .string()
  .regex(/^\d{1,10}$/, 'must be a ticket number')
  .transform(Number)
  .pipe(z.number().int().positive().max(2_147_483_647));

export const TicketParams = z.object({ id: ticketNumber });
export const TicketAttachmentParams = z.object({ id: ticketNumber, attachmentId: ticketNumber });

export const TicketListQuery = z.object({
  /** One status or several, comma-separated. */
  status: z
    .string()
    .max(100)
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(TicketStatusSchema))
    .optional(),
  device: z.string().min(1).max(64).optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number<number>().int().min(1).max(1000).default(100),
  before: z.coerce.number<number>().int().positive().optional(),
});

export const TicketPatchBody = z
  .object({ status: z.enum(TICKET_STATUSES, { error: `must be one of ${TICKET_STATUSES.join(', ')}` }) })
  .strict();

export const TicketNoteBody = z
  .object({
    text: z.string().trim().min(1, 'is required').max(TICKET_LIMITS.noteChars),
    visibility: z.enum(['customer', 'internal'], { error: 'must be customer or internal' }),
    /** Only for scripts signed in with the admin token; a console user writes as themselves. */
    author: z.string().trim().min(1).max(256).default('IT'),
  })
  .strict();

// ---------------------------------------------------------------- service desk

export const DeskJobParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,12}$/, 'must be a job id')
    .transform(Number),
});

// ---------------------------------------------------------------- working from a device

export const DeviceTicketBody = z
  .object({
    subject: z.string().trim().min(1, 'is required').max(TICKET_LIMITS.subjectChars),
    description: z.string().trim().min(1, 'is required').max(TICKET_LIMITS.descriptionChars),
    priority: PrioritySchema.default('normal'),
    /** One of GET /api/desk/queues's names; the desk's default when absent. */
    queue: z.string().trim().min(1).max(200).optional(),
    /** Who the ticket is for; the device's logged-on user when absent. */
    requester: z
      .object({
        account: z.string().trim().min(1).max(256),
        email: z.email().max(256).optional(),
        fullName: z.string().trim().max(256).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const LOGBOOK_KIND = /^(inventory|ticket|note|worklog|status|identity|desk)$/;

/** `before` is `at.kind.id` of the last entry of the previous page (its nextBefore). */
export const LogbookQuery = z.object({
  limit: z.coerce.number<number>().int().min(1).max(200).default(50),
  before: z
    .string()
    .max(64)
    .regex(/^\d{1,15}\.[a-z]{4,9}\.\d{1,15}$/, 'must be a nextBefore value from an earlier page')
    .refine((s) => LOGBOOK_KIND.test(s.split('.')[1]!), 'must be a nextBefore value from an earlier page')
    .optional(),
});

// ---------------------------------------------------------------- console users

export const RoleSchema = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });

export const UserParams = z.object({ username: textId });

export const ImportTechnicianBody = z.object({ username: z.string().trim().min(1).max(64), role: RoleSchema.optional() }).strict();

export const UserPatchBody = z.object({ role: RoleSchema }).strict();

export const ConsoleSettingsBody = z
  .object({
    deskSignIn: z.boolean(),
    seats: z.number().int().min(0).max(100_000),
    technicianRole: RoleSchema,
  })
  .strict();
