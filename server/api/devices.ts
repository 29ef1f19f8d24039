// /api/devices: the fleet as IT sees it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DeviceDetail, DeviceSummary, Store, StoredChange } from '../store/store.js';
import { sendError } from './errors.js';
import { parse } from './parse.js';

export interface DeviceRoutesContext {
  store: Store;
  isOnline(deviceId: string): boolean;
  /** Sends the scan command; false when the device is not connected. */
  requestScan(deviceId: string): boolean;
}

const Params = z.object({ id: z.string().min(1).max(64) });
const SoftwareQuery = z.object({ q: z.string().max(200).optional() });
const ChangesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().positive().optional(),
});

const iso = (ms: number) => new Date(ms).toISOString();

function summaryJson(d: DeviceSummary, online: boolean) {
  return {
    id: d.id,
    hostname: d.hostname,
    serial: d.serial,
    manufacturer: d.manufacturer,
    model: d.model,
    os: d.os,
    ip: d.ip,
    online,
    lastSeen: iso(d.lastSeen),
    firstSeen: iso(d.firstSeen),
    softwareCount: d.softwareCount,
    agentVersion: d.agentVersion,
    cloneOf: d.cloneOf,
  };
}

function detailJson(d: DeviceDetail, online: boolean) {
  const { snapshot } = d;
  return {
    id: d.id,
    hostname: d.hostname,
    online,
    lastSeen: iso(d.lastSeen),
    firstSeen: iso(d.firstSeen),
    digest: d.digest,
    needsFullSnapshot: d.needsFull,
    agentVersion: d.agentVersion,
    cloneOf: d.cloneOf,
    softwareCount: d.softwareCount,
    hardware: snapshot?.hardware ?? null,
    os: snapshot?.os ?? null,
    network: snapshot?.network ?? [],
    users: snapshot?.users ?? [],
  };
}

function changeJson(c: StoredChange) {
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
  app.get('/api/devices', async () => {
    const devices = await ctx.store.listDevices();
    return { items: devices.map((d) => summaryJson(d, ctx.isOnline(d.id))) };
  });

  app.get('/api/devices/:id', async (req, reply) => {
    const params = parse(Params, req.params, reply, 'path parameter');
    if (!params) return reply;
    const device = await ctx.store.getDevice(params.id);
    if (!device) return sendError(reply, 404, 'E_NOT_FOUND', 'No device with this id.');
    return detailJson(device, ctx.isOnline(device.id));
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
