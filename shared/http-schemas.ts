// The HTTP API's path, query and body schemas: the server validates with them (server/api/route.ts),
// the request types in shared/http-api.ts are derived from them (type-only, so the console bundle
// pulls in no zod), and /api/openapi.json is generated from them.
import { z } from 'zod';
import { TICKET_LIMITS, TICKET_STATUSES, TicketStatusSchema } from './tickets.js';

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
