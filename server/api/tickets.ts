// /api/tickets: the server as the desk of record until a service desk is connected. Changes the
// requester can see (status, customer-facing notes) are pushed to their device. While a desk is
// configured, the store queues status changes and notes for it in the same transaction.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TICKET_LIMITS, TICKET_STATUSES, TicketStatusSchema } from '../../shared/tickets.js';
import { contentDisposition, servedMimeType } from '../ingest/ticket-rules.js';
import type { Store } from '../store/store.js';
import type { StoredNote, StoredWorklog, TicketDetail, TicketSummary } from '../store/ticket-records.js';
import { sendError } from './errors.js';
import { parse } from './parse.js';

export interface TicketRoutesContext {
  store: Store;
  now(): number;
  /** A change the requester can see: pushed to the device if it is connected. */
  ticketChanged(deviceId: string | null, ref: string): void;
  /** Any change IT made (status, either kind of note): the console's live `ticket` event. */
  ticketEvent?(ticketId: number, deviceId: string | null): void;
}

const number = z.string().regex(/^\d{1,10}$/, 'must be a ticket number').transform(Number).pipe(z.number().int().positive().max(2_147_483_647));
const TicketParams = z.object({ id: number });
const AttachmentParams = z.object({ id: number, attachmentId: number });
const ListQuery = z.object({
  status: z
    .string()
    .max(100)
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(TicketStatusSchema))
    .optional(),
  device: z.string().min(1).max(64).optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().positive().optional(),
});
const PatchBody = z.object({ status: z.enum(TICKET_STATUSES, { error: `must be one of ${TICKET_STATUSES.join(', ')}` }) }).strict();
const NoteBody = z
  .object({
    text: z.string().trim().min(1, 'is required').max(TICKET_LIMITS.noteChars),
    visibility: z.enum(['customer', 'internal'], { error: 'must be customer or internal' }),
    author: z.string().trim().min(1).max(256).default('IT'),
  })
  .strict();

/** A note body of 20 000 characters, JSON-escaped, is larger than the API's default body limit. */
const NOTE_BODY_LIMIT = 256 * 1024;

const iso = (ms: number) => new Date(ms).toISOString();
const NO_TICKET = 'No ticket with this number.';

function summaryJson(t: TicketSummary) {
  return {
    id: t.id,
    ref: t.ref,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    category: t.category,
    requester: t.requester,
    deviceId: t.deviceId,
    hostname: t.hostname,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

function noteJson(n: StoredNote) {
  return { id: n.id, author: n.author, text: n.text, at: iso(n.at), visibility: n.visibility, fromEndpoint: n.fromEndpoint };
}

function worklogJson(w: StoredWorklog) {
  return {
    id: w.id,
    technician: w.technician,
    start: w.start,
    end: w.end,
    minutes: w.minutes,
    description: w.description,
    deviceId: w.deviceId,
    hostname: w.hostname,
    recordedAt: iso(w.recordedAt),
  };
}

function detailJson(t: TicketDetail) {
  return {
    ...summaryJson(t),
    description: t.description,
    device: t.device,
    receivedAt: iso(t.receivedAt),
    closedAt: t.closedAt === null ? null : iso(t.closedAt),
    attachmentsExpected: t.attachmentsExpected,
    notes: t.notes.map(noteJson),
    attachments: t.attachments.map((a) => ({ id: a.id, name: a.name, type: a.type, size: a.size, sha256: a.sha256, screenshot: a.screenshot })),
    worklogs: t.worklogs.map(worklogJson),
    minutesLogged: t.worklogs.reduce((sum, w) => sum + w.minutes, 0),
  };
}

export function ticketRoutes(app: FastifyInstance, ctx: TicketRoutesContext): void {
  app.get('/api/tickets', async (req, reply) => {
    const query = parse(ListQuery, req.query, reply, 'query parameter');
    if (!query) return reply;
    const tickets = await ctx.store.listTickets({
      limit: query.limit,
      ...(query.status ? { statuses: query.status } : {}),
      ...(query.device ? { deviceId: query.device } : {}),
      ...(query.q ? { query: query.q } : {}),
      ...(query.before ? { before: query.before } : {}),
    });
    const nextBefore = tickets.length === query.limit ? tickets[tickets.length - 1]!.id : null;
    return { items: tickets.map(summaryJson), nextBefore };
  });

  app.get('/api/tickets/:id', async (req, reply) => {
    const params = parse(TicketParams, req.params, reply, 'path parameter');
    if (!params) return reply;
    const ticket = await ctx.store.getTicket(params.id);
    if (!ticket) return sendError(reply, 404, 'E_NOT_FOUND', NO_TICKET);
    return detailJson(ticket);
  });

  app.get('/api/tickets/:id/attachments/:attachmentId', async (req, reply) => {
    const params = parse(AttachmentParams, req.params, reply, 'path parameter');
    if (!params) return reply;
    const file = await ctx.store.getAttachment(params.id, params.attachmentId);
    if (!file) return sendError(reply, 404, 'E_NOT_FOUND', 'No such attachment on this ticket.');
    return reply
      .header('content-type', servedMimeType(file.type))
      .header('content-disposition', contentDisposition(file.name))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .send(file.content);
  });

  app.patch('/api/tickets/:id', async (req, reply) => {
    const params = parse(TicketParams, req.params, reply, 'path parameter');
    const body = params && parse(PatchBody, req.body, reply, 'body field');
    if (!params || !body) return reply;
    const result = await ctx.store.setTicketStatus(params.id, body.status, ctx.now());
    if (!result) return sendError(reply, 404, 'E_NOT_FOUND', NO_TICKET);
    if (result.changed) {
      ctx.ticketChanged(result.ticket.deviceId, result.ticket.ref);
      ctx.ticketEvent?.(result.ticket.id, result.ticket.deviceId);
    }
    return detailJson(result.ticket);
  });

  app.post('/api/tickets/:id/notes', { bodyLimit: NOTE_BODY_LIMIT }, async (req, reply) => {
    const params = parse(TicketParams, req.params, reply, 'path parameter');
    const body = params && parse(NoteBody, req.body, reply, 'body field');
    if (!params || !body) return reply;
    // A person signed in to the console writes as themselves; only scripts (the admin token) name an author.
    const author = req.admin?.via === 'session' ? req.admin.username : body.author;
    const result = await ctx.store.addTicketNote(params.id, { ...body, author, at: ctx.now() });
    if (!result) return sendError(reply, 404, 'E_NOT_FOUND', NO_TICKET);
    // Internal notes stay on the server: nothing about them reaches the device.
    if (body.visibility === 'customer') ctx.ticketChanged(result.ticket.deviceId, result.ticket.ref);
    ctx.ticketEvent?.(result.ticket.id, result.ticket.deviceId);
    return reply.code(201).send(noteJson(result.note));
  });
}
