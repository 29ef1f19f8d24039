// /api/devices: the fleet as IT sees it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DEVICE_SORTS, type ChangeJson, type DeviceDetailJson, type DeviceSummaryJson, type Page } from '../../shared/http-api.js';
import type { DeviceDetail, DeviceQuery, DeviceSummary, Store, StoredChange } from '../store/store.js';
import { sendError } from './errors.js';
import { parse } from './parse.js';

export interface DeviceRoutesContext {
  store: Store;
  /** Sends the scan command; false when the device is not connected. */
  requestScan(deviceId: string): boolean;
}

const Params = z.object({ id: z.string().min(1).max(64) });
const SoftwareQuery = z.object({ q: z.string().max(200).optional() });
const ChangesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().positive().optional(),
});

/** ISO 8601 (a date, or a date and time) or epoch milliseconds. */
const instant = z
  .string()
  .max(40)
  .transform((text, ctx) => {
    const ms = /^\d{1,15}$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
    if (!Number.isFinite(ms)) ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds' });
    return ms;
  });

export const DEVICE_PAGE = { defaultLimit: 50, maxLimit: 500 } as const;

const ListQuery = z.object({
  q: z.string().trim().max(200).optional(),
  os: z.enum(['linux', 'darwin', 'windows', 'other']).optional(),
  online: z.enum(['true', 'false']).optional(),
  seenAfter: instant.optional(),
  seenBefore: instant.optional(),
  lowDisk: z.coerce.number().int().min(1).max(100).optional(),
  encryption: z.enum(['on', 'partial', 'off', 'unknown']).optional(),
  rebootRequired: z.enum(['true', 'false']).optional(),
  firewall: z.enum(['on', 'off']).optional(),
  sort: z.enum(DEVICE_SORTS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.coerce.number().int().min(1).max(DEVICE_PAGE.maxLimit).default(DEVICE_PAGE.defaultLimit),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});

function deviceQuery(q: z.infer<typeof ListQuery>): DeviceQuery {
  return {
    limit: q.limit,
    offset: q.offset,
    ...(q.q ? { q: q.q } : {}),
    ...(q.os ? { platform: q.os } : {}),
    ...(q.online ? { online: q.online === 'true' } : {}),
    ...(q.seenAfter !== undefined ? { seenAfter: q.seenAfter } : {}),
    ...(q.seenBefore !== undefined ? { seenBefore: q.seenBefore } : {}),
    ...(q.lowDisk !== undefined ? { lowDisk: q.lowDisk } : {}),
    ...(q.encryption ? { encryption: q.encryption } : {}),
    ...(q.rebootRequired ? { rebootRequired: q.rebootRequired === 'true' } : {}),
    ...(q.firewall ? { firewall: q.firewall } : {}),
    ...(q.sort ? { sort: q.sort } : {}),
    ...(q.order ? { order: q.order } : {}),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function summaryJson(d: DeviceSummary): DeviceSummaryJson {
  return {
    id: d.id,
    hostname: d.hostname,
    serial: d.serial,
    manufacturer: d.manufacturer,
    model: d.model,
    os: d.os,
    ip: d.ip,
    users: d.users,
    online: d.online,
    lastSeen: iso(d.lastSeen),
    firstSeen: iso(d.firstSeen),
    softwareCount: d.softwareCount,
    agentVersion: d.agentVersion,
    cloneOf: d.cloneOf,
    duplicateOf: d.duplicateOf,
  };
}

function detailJson(d: DeviceDetail): DeviceDetailJson {
  const { snapshot } = d;
  return {
    id: d.id,
    hostname: d.hostname,
    online: d.online,
    lastSeen: iso(d.lastSeen),
    firstSeen: iso(d.firstSeen),
    digest: d.digest,
    needsFullSnapshot: d.needsFull,
    agentVersion: d.agentVersion,
    cloneOf: d.cloneOf,
    duplicateOf: d.duplicateOf,
    softwareCount: d.softwareCount,
    hardware: snapshot?.hardware ?? null,
    os: snapshot?.os ?? null,
    network: snapshot?.network ?? [],
    users: snapshot?.users ?? [],
    volumes: snapshot?.volumes ?? [],
    monitors: snapshot?.monitors ?? [],
    printers: snapshot?.printers ?? [],
    accounts: snapshot?.accounts ?? [],
    groups: snapshot?.groups ?? [],
    security: snapshot?.security ?? {},
  };
}

function changeJson(c: StoredChange): ChangeJson {
  return {
    id: c.id,
    at: c.at,
    receivedAt: iso(c.receivedAt),
    trigger: c.trigger,
    seq: c.seq,
    section: c.section,
    added: c.added,
    removed: c.removed,
    changed: c.changed,
  };
}

export function deviceRoutes(app: FastifyInstance, ctx: DeviceRoutesContext): void {
  app.get('/api/devices', async (req, reply) => {
    const query = parse(ListQuery, req.query, reply, 'query parameter');
    if (!query) return reply;
    const page = await ctx.store.listDevices(deviceQuery(query));
    const body: Page<DeviceSummaryJson> = {
      items: page.items.map(summaryJson),
      total: page.total,
      offset: query.offset,
      limit: query.limit,
    };
    return body;
  });

  app.get('/api/devices/:id', async (req, reply) => {
    const params = parse(Params, req.params, reply, 'path parameter');
    if (!params) return reply;
    const device = await ctx.store.getDevice(params.id);
    if (!device) return sendError(reply, 404, 'E_NOT_FOUND', 'No device with this id.');
    return detailJson(device);
  });

  app.get('/api/devices/:id/software', async (req, reply) => {
    const params = parse(Params, req.params, reply, 'path parameter');
    const query = params && parse(SoftwareQuery, req.query, reply, 'query parameter');
    if (!params || !query) return reply;
    const items = await ctx.store.listSoftware(params.id, query.q);
    if (!items) return sendError(reply, 404, 'E_NOT_FOUND', 'No device with this id.');
    return { items };
  });

  app.get('/api/devices/:id/changes', async (req, reply) => {
    const params = parse(Params, req.params, reply, 'path parameter');
    const query = params && parse(ChangesQuery, req.query, reply, 'query parameter');
    if (!params || !query) return reply;
    const changes = await ctx.store.listChanges(params.id, query);
    if (!changes) return sendError(reply, 404, 'E_NOT_FOUND', 'No device with this id.');
    const nextBefore = changes.length === query.limit ? changes[changes.length - 1]!.id : null;
    return { items: changes.map(changeJson), nextBefore };
  });

  app.post('/api/devices/:id/scan', async (req, reply) => {
    const params = parse(Params, req.params, reply, 'path parameter');
    if (!params) return reply;
    if (!(await ctx.store.deviceExists(params.id))) return sendError(reply, 404, 'E_NOT_FOUND', 'No device with this id.');
    if (!ctx.requestScan(params.id)) return sendError(reply, 409, 'E_DEVICE_OFFLINE', 'The device is not connected.');
    return reply.code(202).send({ ok: true, command: 'scan' });
  });
}
