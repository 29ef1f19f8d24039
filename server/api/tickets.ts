// /api/tickets: the server as the desk of record until a service desk is connected. Changes the
// requester can see (status, customer-facing notes) are pushed to their device. While a desk is
// configured, its rules (`deskJobs`) name the jobs for status changes and notes, and the store queues
// them in the same transaction.
import type { FastifyInstance } from 'fastify';
import type { TicketDetailJson, TicketNoteJson, TicketSummaryJson, WorklogJson } from '../../shared/http-api.js';
import { TicketAttachmentParams, TicketListQuery, TicketNoteBody, TicketParams, TicketPatchBody } from '../../shared/http-schemas.js';
import { contentDisposition, servedMimeType } from '../ingest/ticket-rules.js';
import type { Store } from '../store/store.js';
import type { StoredNote, StoredWorklog, TicketChangeJobs, TicketDetail, TicketSummary } from '../store/ticket-records.js';
import { sendError } from './errors.js';
import { route } from './route.js';

export interface TicketRoutesContext {
  store: Store;
  now(): number;
  /** A change the requester can see: pushed to the device if it is connected. */
  ticketChanged(deviceId: string | null, ref: string): void;
  /** Any change IT made (status, either kind of note): the console's live `ticket` event. */
  ticketEvent?(ticketId: number, deviceId: string | null): void;
  /** The desk's rules for the jobs IT's changes make (the sync engine's); none without a desk. */
  deskJobs?: TicketChangeJobs | null;
}

/** A note body of 20 000 characters, JSON-escaped, is larger than the API's default body limit. */
const NOTE_BODY_LIMIT = 256 * 1024;

const iso = (ms: number) => new Date(ms).toISOString();
const NO_TICKET = 'No ticket with this number.';

function summaryJson(t: TicketSummary): TicketSummaryJson {
  return {
    id: t.id,
    deskNumber: t.deskNumber,
    label: t.label,
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

function noteJson(n: StoredNote): TicketNoteJson {
  return { id: n.id, author: n.author, text: n.text, at: iso(n.at), visibility: n.visibility, fromEndpoint: n.fromEndpoint };
}

function worklogJson(w: StoredWorklog): WorklogJson {
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

function detailJson(t: TicketDetail): TicketDetailJson {
  return {
    ...summaryJson(t),
    description: t.description,
    device: t.device,
    receivedAt: iso(t.receivedAt),
    closedAt: t.closedAt === null ? null : iso(t.closedAt),
    attachmentsExpected: t.attachmentsExpected,
    notes: t.notes.map(noteJson),
    attachments: t.attachments.map((a) => ({
      id: a.id,
      name: a.name,
      type: a.type,
      size: a.size,
      sha256: a.sha256,
      screenshot: a.screenshot,
    })),
    worklogs: t.worklogs.map(worklogJson),
    minutesLogged: t.worklogs.reduce((sum, w) => sum + w.minutes, 0),
    deskRequester: t.deskRequester,
    template: t.template,
    softwareRequest: t.softwareRequest,
  };
}

export function ticketRoutes(app: FastifyInstance, ctx: TicketRoutesContext): void {
  route(app, 'GET /api/tickets', { query: TicketListQuery, summary: 'Tickets, newest first' }, async ({ query }) => {
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

  route(
    app,
    'GET /api/tickets/:id',
    { params: TicketParams, summary: 'One ticket with its notes, attachments and worklogs' },
    async ({ params, reply }) => {
      const ticket = await ctx.store.getTicket(params.id);
      if (!ticket) return sendError(reply, 404, 'E_NOT_FOUND', NO_TICKET);
      return detailJson(ticket);
    },
  );

  const attachment = { params: TicketAttachmentParams, summary: "An attachment's bytes, with its own content type" };
  route(app, 'GET /api/tickets/:id/attachments/:attachmentId', attachment, async ({ params, reply }) => {
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

  route(
    app,
    'PATCH /api/tickets/:id',
    { params: TicketParams, body: TicketPatchBody, summary: "Set a ticket's status" },
    async ({ params, body, reply }) => {
      const result = await ctx.store.setTicketStatus(params.id, body.status, ctx.now(), ctx.deskJobs);
      if (!result) return sendError(reply, 404, 'E_NOT_FOUND', NO_TICKET);
      if (result.changed) {
        ctx.ticketChanged(result.ticket.deviceId, result.ticket.ref);
        ctx.ticketEvent?.(result.ticket.id, result.ticket.deviceId);
      }
      return detailJson(result.ticket);
    },
  );

  const notes = {
    params: TicketParams,
    body: TicketNoteBody,
    bodyLimit: NOTE_BODY_LIMIT,
    summary: 'Add a customer-facing or internal note',
  };
  route(app, 'POST /api/tickets/:id/notes', notes, async ({ params, body, req, reply, send }) => {
    // A person signed in to the console writes as themselves; only scripts (the admin token) name an author.
    const author = req.admin?.via === 'session' ? req.admin.username : body.author;
    const result = await ctx.store.addTicketNote(params.id, { ...body, author, at: ctx.now() }, ctx.deskJobs);
    if (!result) return sendError(reply, 404, 'E_NOT_FOUND', NO_TICKET);
    // Internal notes stay on the server: nothing about them reaches the device.
    if (body.visibility === 'customer') ctx.ticketChanged(result.ticket.deviceId, result.ticket.ref);
    ctx.ticketEvent?.(result.ticket.id, result.ticket.deviceId);
    return send(201, noteJson(result.note));
  });
}
