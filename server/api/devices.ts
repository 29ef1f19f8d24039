// /api/devices: the fleet as IT sees it.
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ChangeJson, DeviceDetailJson, DeviceSummaryJson } from '../../shared/http-api.js';
import { DeviceChangesQuery, DeviceListQuery, DeviceParams, DeviceSoftwareQuery } from '../../shared/http-schemas.js';
import type { DeviceDetail, DeviceQuery, DeviceSummary, Store, StoredChange } from '../store/store.js';
import { sendError } from './errors.js';
import { route } from './route.js';

export interface DeviceRoutesContext {
  store: Store;
  /** Sends the scan command; false when the device is not connected. */
  /** True when the command went to the process holding the device's connection. */
  requestScan(deviceId: string): boolean | Promise<boolean>;
}

function deviceQuery(q: z.output<typeof DeviceListQuery>): DeviceQuery {
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

const NO_DEVICE = 'No device with this id.';

export function deviceRoutes(app: FastifyInstance, ctx: DeviceRoutesContext): void {
  route(app, 'GET /api/devices', { query: DeviceListQuery, summary: 'Devices: search, filter, sort, one page' }, async ({ query }) => {
    const page = await ctx.store.listDevices(deviceQuery(query));
    return { items: page.items.map(summaryJson), total: page.total, offset: query.offset, limit: query.limit };
  });

  route(
    app,
    'GET /api/devices/:id',
    { params: DeviceParams, summary: 'One device: hardware, OS, network, users' },
    async ({ params, reply }) => {
      const device = await ctx.store.getDevice(params.id);
      if (!device) return sendError(reply, 404, 'E_NOT_FOUND', NO_DEVICE);
      return detailJson(device);
    },
  );

  route(
    app,
    'GET /api/devices/:id/software',
    { params: DeviceParams, query: DeviceSoftwareQuery, summary: "A device's installed software" },
    async ({ params, query, reply }) => {
      const items = await ctx.store.listSoftware(params.id, query.q);
      if (!items) return sendError(reply, 404, 'E_NOT_FOUND', NO_DEVICE);
      return { items };
    },
  );

  route(
    app,
    'GET /api/devices/:id/changes',
    { params: DeviceParams, query: DeviceChangesQuery, summary: "A device's inventory changes, newest first" },
    async ({ params, query, reply }) => {
      const changes = await ctx.store.listChanges(params.id, query);
      if (!changes) return sendError(reply, 404, 'E_NOT_FOUND', NO_DEVICE);
      const nextBefore = changes.length === query.limit ? changes[changes.length - 1]!.id : null;
      return { items: changes.map(changeJson), nextBefore };
    },
  );

  route(
    app,
    'POST /api/devices/:id/scan',
    { params: DeviceParams, summary: 'Ask a connected device to scan now' },
    async ({ params, reply, send }) => {
      if (!(await ctx.store.deviceExists(params.id))) return sendError(reply, 404, 'E_NOT_FOUND', NO_DEVICE);
      if (!(await ctx.requestScan(params.id))) return sendError(reply, 409, 'E_DEVICE_OFFLINE', 'The device is not connected.');
      return send(202, { ok: true, command: 'scan' });
    },
  );
}
