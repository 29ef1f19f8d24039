// Working from a device: every ticket that refers to it (open first, with the desk's number), a
// ticket IT raises for it (queued for the desk like a tray ticket and pushed to the endpoint), the
// desk's queues to choose from, and the device's logbook.
import type { FastifyInstance } from 'fastify';
import type { DeskQueuesJson, DeviceTicketJson, LogbookEntryJson } from '../../shared/console-api.js';
import { DeviceParams, DeviceTicketBody, LogbookQuery } from '../../shared/http-schemas.js';
import type { DeviceDetails, Requester } from '../../shared/tickets.js';
import { recordedDeviceDetails } from '../ingest/ticket-rules.js';
import type { DeskQueues } from '../desk/connector.js';
import { DeskError } from '../desk/errors.js';
import type { DeviceTicket, LogbookCursor, LogbookEntry, LogbookKind } from '../store/device-work-records.js';
import type { DeviceDetail, Store } from '../store/store.js';
import type { TicketChangeJobs } from '../store/ticket-records.js';
import { deskAssetTickets, type AssetTicketsLookup } from './device-desk-tickets.js';
import { sendError } from './errors.js';
import { route } from './route.js';

export interface DeviceWorkContext {
  store: Store;
  now(): number;
  ticketChanged(deviceId: string | null, ref: string): void;
  ticketEvent?(ticketId: number, deviceId: string | null): void;
  /** The desk's rules for the jobs a raised ticket makes (none without a desk). */
  deskJobs?: TicketChangeJobs | null;
  /** The desk's tickets on an asset; absent without a desk or when its connector cannot list them. */
  deskAssetTickets?: AssetTicketsLookup | null;
  /** The configured desk's queues; null without a desk, undefined when its connector cannot list them. */
  deskQueues?(): Promise<DeskQueues | null | undefined>;
}

/** A device has rarely more; the list is for reading, not an archive. */
const DEVICE_TICKETS_LIMIT = 500;
const NO_DEVICE = 'No device with this id.';
const iso = (ms: number) => new Date(ms).toISOString();

function ticketJson(t: DeviceTicket): DeviceTicketJson {
  return { ...t, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) };
}

function entryJson(e: LogbookEntry): LogbookEntryJson {
  return { kind: e.kind, id: e.id, at: iso(e.at), ticketId: e.ticketId, ticketLabel: e.ticketLabel, detail: e.detail };
}

function cursorOf(text: string | undefined): LogbookCursor | undefined {
  if (!text) return undefined;
  const [at, kind, id] = text.split('.');
  return { at: Number(at), kind: kind as LogbookKind, id: Number(id) };
}

export function deviceWorkRoutes(app: FastifyInstance, ctx: DeviceWorkContext): void {
  route(
    app,
    'GET /api/devices/:id/tickets',
    { params: DeviceParams, summary: "The device's tickets, open ones first, and the desk's others on its asset" },
    async ({ params, reply }) => {
      const tickets = await ctx.store.deviceWork.deviceTickets(params.id, DEVICE_TICKETS_LIMIT);
      if (!tickets) return sendError(reply, 404, 'E_NOT_FOUND', NO_DEVICE);
      const known = new Set(tickets.flatMap((t) => (t.deskNumber ? [t.deskNumber] : [])));
      return { items: tickets.map(ticketJson), desk: await deskAssetTickets(ctx.store, ctx.deskAssetTickets, params.id, known) };
    },
  );

  route(
    app,
    'POST /api/devices/:id/tickets',
    { params: DeviceParams, body: DeviceTicketBody, summary: 'Raise a ticket for the device (it reaches the desk and the endpoint)' },
    async ({ params, body, req, reply, send }) => {
      const device = await ctx.store.getDevice(params.id);
      if (!device) return sendError(reply, 404, 'E_NOT_FOUND', NO_DEVICE);
      if (body.queue !== undefined) {
        const refused = await unknownQueue(ctx, body.queue);
        if (refused) return sendError(reply, 400, 'E_BAD_REQUEST', refused);
      }
      const raisedBy = req.admin?.username ?? 'IT';
      const requester = body.requester ?? deviceUser(device.snapshot?.users[0]) ?? { account: raisedBy };
      const created = await ctx.store.deviceWork.createDeviceTicket(
        params.id,
        {
          subject: body.subject,
          description: body.description,
          priority: body.priority,
          ...(body.queue ? { queue: body.queue } : {}),
          requester,
          device: ticketDevice(device, device.snapshot?.users[0]?.name),
          raisedBy,
          at: ctx.now(),
        },
        ctx.deskJobs,
      );
      if (!created) return sendError(reply, 404, 'E_NOT_FOUND', NO_DEVICE);
      ctx.ticketChanged(params.id, created.ref);
      ctx.ticketEvent?.(created.id, params.id);
      const listed = (await ctx.store.deviceWork.deviceTickets(params.id, DEVICE_TICKETS_LIMIT))?.find((t) => t.id === created.id);
      return send(201, ticketJson(listed!));
    },
  );

  route(
    app,
    'GET /api/devices/:id/logbook',
    { params: DeviceParams, query: LogbookQuery, summary: "The device's logbook, newest first" },
    async ({ params, query, reply }) => {
      const before = cursorOf(query.before);
      const entries = await ctx.store.deviceWork.logbook(params.id, { limit: query.limit, ...(before ? { before } : {}) });
      if (!entries) return sendError(reply, 404, 'E_NOT_FOUND', NO_DEVICE);
      const last = entries.length === query.limit ? entries[entries.length - 1]! : null;
      return { items: entries.map(entryJson), nextBefore: last ? `${last.at}.${last.kind}.${last.id}` : null };
    },
  );

  route(app, 'GET /api/desk/queues', { summary: "The desk's queues (RT) or categories (SDP) and the default" }, async ({ reply }) => {
    try {
      const queues = await ctx.deskQueues?.();
      if (queues === null || queues === undefined)
        return { configured: queues !== null && ctx.deskQueues !== undefined, names: [], default: null };
      return { configured: true, names: queues.names, default: queues.default } satisfies DeskQueuesJson;
    } catch (err) {
      const code = err instanceof DeskError ? err.code : 'E_DESK_UNREACHABLE';
      return sendError(
        reply,
        503,
        code,
        `The service desk did not list its queues: ${err instanceof Error ? err.message : 'no answer'}`.slice(0, 300),
      );
    }
  });
}

/** What the ticket records about the machine: the server's last inventory, as for a tray ticket. */
function ticketDevice(d: DeviceDetail, loggedOnUser: string | undefined): DeviceDetails {
  const recorded = {
    hostname: d.hostname,
    serial: d.serial,
    manufacturer: d.manufacturer,
    model: d.model,
    os: d.os ? JSON.stringify(d.os) : null,
    ip: d.ip,
  };
  return recordedDeviceDetails(d.id, recorded, loggedOnUser);
}

function deviceUser(user: { name: string; domain?: string | undefined } | undefined): Requester | undefined {
  if (!user) return undefined;
  return { account: user.name, ...(user.domain ? { domain: user.domain } : {}) };
}

/** A reason to refuse the queue, or null: it is one of the desk's (or the desk cannot say right now). */
async function unknownQueue(ctx: DeviceWorkContext, queue: string): Promise<string | null> {
  let queues: DeskQueues | null | undefined;
  try {
    queues = await ctx.deskQueues?.();
  } catch {
    return null; // the desk job will report a queue the desk refuses
  }
  if (queues === null || queues === undefined) return queues === null ? 'No service desk is configured: a ticket here has no queue.' : null;
  return queues.names.includes(queue) ? null : `The desk has no queue named ${queue.slice(0, 100)}; GET /api/desk/queues lists them.`;
}
