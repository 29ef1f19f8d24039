// Path, query and body schemas of the routes for working from a device (its tickets, a ticket raised
// for it, its logbook) and for console users (roles, desk technicians, seats). The server validates
// with them (server/api/route.ts); shared/console-api.ts derives the request types from them.
import { z } from 'zod';
import { ROLES } from './roles.js';
import { PrioritySchema, TICKET_LIMITS } from './tickets.js';

const LOGBOOK_KIND = /^(inventory|ticket|note|worklog|status|identity|desk)$/;

export const DeviceParams = z.object({ id: z.string().min(1).max(64) });

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

/** `at.kind.id` of the last entry of the previous page. */
export const LogbookQuery = z.object({
  limit: z.coerce.number<number>().int().min(1).max(200).default(50),
  before: z
    .string()
    .max(64)
    .regex(/^\d{1,15}\.[a-z]{4,9}\.\d{1,15}$/, 'must be a nextBefore value from an earlier page')
    .refine((s) => LOGBOOK_KIND.test(s.split('.')[1]!), 'must be a nextBefore value from an earlier page')
    .optional(),
});

export const RoleSchema = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });

export const UserParams = z.object({ username: z.string().min(1).max(64) });

export const ImportTechnicianBody = z.object({ username: z.string().trim().min(1).max(64), role: RoleSchema.optional() }).strict();

export const UserPatchBody = z.object({ role: RoleSchema }).strict();

export const ConsoleSettingsBody = z
  .object({
    deskSignIn: z.boolean(),
    seats: z.number().int().min(0).max(100_000),
    technicianRole: RoleSchema,
  })
  .strict();
