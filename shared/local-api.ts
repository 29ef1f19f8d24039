// The local API: how the tray app and the CLI talk to the agent on the same machine.
// Newline-delimited JSON over a Unix socket (a named pipe on Windows): one request per line,
// {id, method, params}; one response per line, {id, ok: true, result} or {id, ok: false, error}.
// One map of method -> {params, result}; the agent validates params, clients validate results.
import { z } from 'zod';
import { TriggerSchema } from './protocol.js';
import { TicketTemplateSchema } from './templates.js';
import { SelfServicePackageSchema, SoftwareRequestInputSchema } from './self-service.js';
import {
  EndpointTicketSchema,
  EndpointWorklogSchema,
  NewTicketSchema,
  TICKET_LIMITS,
  TICKET_STATUSES,
  TicketIdSchema,
  TicketRefSchema,
  WorklogEntrySchema,
} from './tickets.js';

export const LOCAL_API_LIMITS = {
  /** Longest request line the agent reads, on a connection that has already carried a request with a
   * valid token, before answering E_TOO_LARGE and closing: a ticket with its full 25 MB of
   * attachments and a screenshot, base64-encoded, fits; a 50 MB description does not. */
  maxRequestBytes: 48 * 1024 * 1024,
  /** Longest line before a token is verified on the connection. Every request but a ticket with
   * files fits; a client with a larger one first sends a small request carrying its token. */
  preAuthRequestBytes: 64 * 1024,
  /** A connection whose first valid token has not arrived within this long is closed. */
  preAuthTimeoutMs: 5_000,
  /** An authenticated connection with no request in flight is closed after this long without bytes. */
  idleTimeoutMs: 60_000,
  /** Connections without a verified token, all accounts together; the oldest is dropped for a new one. */
  maxUnauthenticated: 64,
  /** Authenticated connections per account; the admin token has its own allowance, never used up by users. */
  maxPerAccount: 4,
} as const;

/** A ticket as My tickets and `outpost ticket list` show it: with what this user has not read. */
export const LocalTicketSchema = EndpointTicketSchema.extend({
  /** Something happened (a reply from IT, a status change) since this user last opened it. */
  unread: z.boolean(),
  /** The notes from IT this user has not seen yet. */
  unreadNotes: z.array(z.string()),
});
export type LocalTicket = z.infer<typeof LocalTicketSchema>;

export const NOTIFICATION_KINDS = ['reply', 'status', 'waiting'] as const;

/** Something IT did on one of the caller's tickets, to tell the person about once. */
export const TicketNotificationSchema = z.object({
  id: z.number().int().positive(),
  ref: TicketRefSchema,
  number: z.number().int().positive().nullable(),
  /** The number as people see it ("#4", "OP-17"); see shared/tickets.ts ticketLabel. */
  label: z.string().optional(),
  subject: z.string(),
  /** reply: a customer-facing note; status: a new status; waiting: IT waits for the person. */
  kind: z.enum(NOTIFICATION_KINDS),
  status: z.enum([...TICKET_STATUSES, 'queued']),
  /** The reply's text, or empty for a status change. */
  text: z.string(),
  at: z.string(),
});
export type TicketNotification = z.infer<typeof TicketNotificationSchema>;

/** Most notifications one notifications.pending answer carries; older ones wait for the next. */
export const MAX_PENDING_NOTIFICATIONS = 20;

export const LocalApi = {
  status: {
    params: z.object({}).strict(),
    result: z.object({
      deviceId: z.string().nullable(),
      hostname: z.string(),
      connected: z.boolean(),
      server: z.string(),
      lastInventoryAt: z.string().nullable(),
      lastTrigger: TriggerSchema.nullable(),
      pendingItems: z.number().int().nonnegative(),
      /** Digest of the last snapshot the agent recorded; equals the server's once delivered. */
      digest: z.string().nullable(),
      agentVersion: z.string(),
    }),
  },
  'scan.now': {
    params: z.object({}).strict(),
    result: z.object({ queued: z.boolean(), changed: z.boolean(), pendingItems: z.number().int().nonnegative() }),
  },
  /** Answers at once: the ticket travels through the outbox and gets its number from the server. */
  'ticket.create': {
    params: NewTicketSchema,
    result: z.object({ ref: TicketRefSchema, status: z.literal('queued'), connected: z.boolean() }),
  },
  /** The ticket templates IT offers, as the agent last heard them from the server (kept for offline use);
   * `receivedAt` null: the agent has not heard them yet. */
  'templates.list': {
    params: z.object({}).strict(),
    result: z.object({ items: z.array(TicketTemplateSchema), receivedAt: z.string().nullable() }),
  },
  /** The software IT lets people on this machine ask for (the "Get software" page), as the agent last
   * heard it from the server; `receivedAt` null: not heard yet. */
  'software.catalog': {
    params: z.object({}).strict(),
    result: z.object({ items: z.array(SelfServicePackageSchema), receivedAt: z.string().nullable() }),
  },
  /** Asks IT for a catalog package (install) or to keep prohibited software (exception): a ticket of
   * the "New software" kind that needs approval in the desk; answers at once, like ticket.create. */
  'software.request': {
    params: SoftwareRequestInputSchema,
    result: z.object({ ref: TicketRefSchema, status: z.literal('queued'), connected: z.boolean() }),
  },
  /** The calling user's tickets, newest first; works offline from what the agent keeps. */
  'ticket.list': {
    params: z.object({}).strict(),
    result: z.object({ items: z.array(LocalTicketSchema) }),
  },
  /** Reading a ticket does not mark it read: ticket.markRead does, when the person has seen it. */
  'ticket.get': {
    params: z.object({ ref: TicketRefSchema }).strict(),
    result: LocalTicketSchema,
  },
  /** The person has seen everything on this ticket; answers how many of their tickets stay unread. */
  'ticket.markRead': {
    params: z.object({ ref: TicketRefSchema }).strict(),
    result: z.object({ unreadTickets: z.number().int().nonnegative() }),
  },
  /** Reopens a resolved or closed ticket with a note saying why. */
  'ticket.reopen': {
    params: z.object({ ref: TicketRefSchema, text: z.string().trim().min(1, 'is required').max(TICKET_LIMITS.noteChars) }).strict(),
    result: EndpointTicketSchema,
  },
  /** What IT did on the caller's tickets that has not been shown as a notification yet, oldest first. */
  'notifications.pending': {
    params: z.object({}).strict(),
    result: z.object({ items: z.array(TicketNotificationSchema), unreadTickets: z.number().int().nonnegative() }),
  },
  /** These notifications were shown (or deliberately skipped): never offered again, also after a restart. */
  'notifications.shown': {
    params: z.object({ ids: z.array(z.number().int().positive()).min(1).max(MAX_PENDING_NOTIFICATIONS) }).strict(),
    result: z.object({ marked: z.number().int().nonnegative() }),
  },
  'ticket.note': {
    params: z.object({ ref: TicketRefSchema, text: z.string().trim().min(1, 'is required').max(TICKET_LIMITS.noteChars) }).strict(),
    result: EndpointTicketSchema,
  },
  'ticket.close': {
    params: z.object({ ref: TicketRefSchema }).strict(),
    result: EndpointTicketSchema,
  },
  /** Starts the remote-session timer; a running session survives an agent restart. */
  'worklog.start': {
    params: z.object({ ticketId: TicketIdSchema, technician: z.string().trim().min(1, 'is required').max(256) }).strict(),
    result: z.object({ ticketId: z.string(), technician: z.string(), start: z.string() }),
  },
  'worklog.stop': {
    params: z.object({ description: z.string().trim().max(TICKET_LIMITS.worklogDescriptionChars).default('') }).strict(),
    result: EndpointWorklogSchema,
  },
  'worklog.add': {
    params: WorklogEntrySchema,
    result: EndpointWorklogSchema,
  },
  /** Worklogs recorded on this machine, with the running session if any; rejected ones say why. */
  'worklog.list': {
    params: z.object({}).strict(),
    result: z.object({
      items: z.array(EndpointWorklogSchema),
      running: z.object({ ticketId: z.string(), technician: z.string(), start: z.string() }).nullable(),
    }),
  },
  /** Sends a rejected worklog again, with the ticket ID corrected. */
  'worklog.retry': {
    params: z.object({ ref: z.string().min(1).max(64), ticketId: TicketIdSchema }).strict(),
    result: EndpointWorklogSchema,
  },
} as const;

export type LocalMethod = keyof typeof LocalApi;
/** What a handler receives, after validation and defaults. */
export type LocalParams<M extends LocalMethod> = z.infer<(typeof LocalApi)[M]['params']>;
/** What a caller may send (defaults may be left out). */
export type LocalInput<M extends LocalMethod> = z.input<(typeof LocalApi)[M]['params']>;
export type LocalResult<M extends LocalMethod> = z.infer<(typeof LocalApi)[M]['result']>;

export const LocalRequestSchema = z.object({
  id: z.union([z.string().max(64), z.number().int()]),
  method: z.string().max(64),
  params: z.unknown().optional(),
  /** The caller's proof of who they are: the content of their token file (see the README). */
  auth: z.string().max(256).optional(),
});

export type LocalResponse =
  | { id: string | number | null; ok: true; result: unknown }
  | { id: string | number | null; ok: false; error: { code: string; message: string } };
