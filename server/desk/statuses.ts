// The status maps both connectors' settings take (rt/config.ts, sdp/config.ts): a map given lists
// only what differs and is laid over the connector's defaults; desk status names match in any case.
import { z } from 'zod';
import { TICKET_STATUSES, type TicketStatus } from '../../shared/tickets.js';

export function statusMapsSchema(name: z.ZodType<string>, toDesk: Record<TicketStatus, string>, fromDesk: Record<string, TicketStatus>) {
  return z.object({
    /** Outpost status -> the desk's status name. */
    toDesk: z
      .partialRecord(z.enum(TICKET_STATUSES), name)
      .default({})
      .transform((m): Record<TicketStatus, string> => ({ ...toDesk, ...m })),
    /** The desk's status name -> Outpost status; kept in lower case, as it is looked up. */
    fromDesk: z
      .record(name, z.enum(TICKET_STATUSES))
      .default({})
      .transform((m) => ({ ...fromDesk, ...Object.fromEntries(Object.entries(m).map(([k, v]) => [k.toLowerCase(), v])) })),
    /** What a status from a custom lifecycle that fromDesk does not list means. */
    unknown: z.enum(TICKET_STATUSES).default('open'),
  });
}
