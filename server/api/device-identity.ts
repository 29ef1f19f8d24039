// /api/devices/:id/identity and /merge: a device enrolled on weak hints is flagged as a possible
// duplicate of an existing one, and IT decides. Merging hands the kept device the duplicate's agent.
import type { FastifyInstance } from 'fastify';
import { DeviceMergeBody, DeviceParams } from '../../shared/http-schemas.js';
import type { Store } from '../store/store.js';
import { sendError } from './errors.js';
import { route } from './route.js';

export interface DeviceIdentityContext {
  store: Store;
  now: () => number;
  /** Whether the device has a live agent connection in this process. */
  isOnline(deviceId: string): boolean;
  /** Ends the device's agent connection (it reconnects as the device it was merged into). */
  disconnect(deviceId: string): void;
}

const EVENTS_SHOWN = 50;

export function deviceIdentityRoutes(app: FastifyInstance, ctx: DeviceIdentityContext): void {
  route(
    app,
    'GET /api/devices/:id/identity',
    { params: DeviceParams, summary: 'Whether a device may be a duplicate, and its enrolment history' },
    async ({ params, reply }) => {
      const device = await ctx.store.getDevice(params.id);
      const events = device && (await ctx.store.listIdentityEvents(params.id, EVENTS_SHOWN));
      if (!device || !events) return sendError(reply, 404, 'E_NOT_FOUND', 'No device with this id.');
      const suspect = device.duplicateOf && (await ctx.store.getDevice(device.duplicateOf.deviceId));
      return {
        duplicateOf: device.duplicateOf && {
          id: device.duplicateOf.deviceId,
          hostname: suspect ? suspect.hostname : null,
          reason: device.duplicateOf.reason,
        },
        events: events.map((e) => ({ id: e.id, at: new Date(e.at).toISOString(), kind: e.kind, detail: e.detail })),
      };
    },
  );

  const merge = {
    params: DeviceParams,
    body: DeviceMergeBody,
    labels: { body: 'body' },
    summary: 'Merge a duplicate into the device it is',
  };
  route(app, 'POST /api/devices/:id/merge', merge, async ({ params, body, reply }) => {
    if (params.id === body.into) return sendError(reply, 400, 'E_BAD_REQUEST', 'A device cannot be merged into itself.');
    // First end the duplicate's connection, so that no batch of its runs against the removed id.
    const [source, target] = await Promise.all([ctx.store.deviceExists(params.id), ctx.store.deviceExists(body.into)]);
    if (!source || !target) return sendError(reply, 404, 'E_NOT_FOUND', 'No device with this id.');
    if (ctx.isOnline(body.into)) return intoOnline(reply);
    ctx.disconnect(params.id);
    const result = await ctx.store.mergeDevice(params.id, body.into, ctx.now(), (id) => ctx.isOnline(id));
    if (result.ok) return { ok: true, deviceId: body.into };
    if (result.reason === 'into-online') return intoOnline(reply);
    if (result.reason === 'same-device') return sendError(reply, 400, 'E_BAD_REQUEST', 'A device cannot be merged into itself.');
    return sendError(reply, 404, 'E_NOT_FOUND', 'No device with this id.');
  });
}

function intoOnline(reply: Parameters<typeof sendError>[0]) {
  return sendError(
    reply,
    409,
    'E_CONFLICT',
    'The device to merge into is connected now; its agent would lose its credential. Merge once it is offline.',
  );
}
