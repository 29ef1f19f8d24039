// /api/desk: how the service-desk sync is doing, a way to send a parked job again, and a software
// catalog or package catalog run on demand.
import type { FastifyInstance } from 'fastify';
import type { DeskPreflightJson, DeskStatusJson, DeskSyncStatusJson } from '../../shared/http-api.js';
import { DeskJobParams } from '../../shared/http-schemas.js';
import type { Store } from '../store/store.js';
import { sendError } from './errors.js';
import { route } from './route.js';

export interface DeskRoutesContext {
  store: Store;
  now(): number;
  /** Null when no desk is configured: the server is the desk of record. */
  deskStatus(): Promise<DeskSyncStatusJson | null>;
  /**
   * Queues a software catalog run (DeskSyncEngine.requestCatalogSync): null when no desk is
   * configured, false when the desk keeps no catalog. Absent: the route answers as without a desk.
   */
  requestCatalogSync?(): Promise<boolean | null>;
  /** Queues a run of the package store's catalog (DeskSyncEngine.requestPackagesSync); null / false as above. */
  requestPackagesSync?(): Promise<boolean | null>;
  /** Runs the desk preflight now (DeskSyncEngine.runPreflight): null when no desk is configured. */
  runPreflight?(): Promise<DeskPreflightJson | null>;
}

const NOT_CONFIGURED: DeskStatusJson = {
  configured: false,
  kind: null,
  level: null,
  healthy: null,
  lastError: null,
  lastErrorAt: null,
  queued: 0,
  failed: 0,
  lastPollAt: null,
  jobs: [],
  catalog: null,
  packages: null,
  preflight: null,
};

export function deskRoutes(app: FastifyInstance, ctx: DeskRoutesContext): void {
  route(
    app,
    'GET /api/desk/status',
    { summary: 'How the service-desk sync is doing' },
    async () => (await ctx.deskStatus()) ?? NOT_CONFIGURED,
  );

  const retry = { params: DeskJobParams, labels: { params: 'job id' }, summary: 'Send a parked desk job again' };
  route(app, 'POST /api/desk/jobs/:id/retry', retry, async ({ params, reply }) => {
    if (!ctx.store.desk.isEnabled) return sendError(reply, 409, 'E_CONFLICT', 'No service desk is configured.');
    if (!(await ctx.store.desk.retryJob(params.id, ctx.now()))) {
      return sendError(reply, 404, 'E_NOT_FOUND', `No failed desk job ${params.id}.`);
    }
    return { id: params.id, state: 'queued' };
  });

  route(app, 'POST /api/desk/preflight', { summary: "Check the desk's setup now" }, async ({ reply }) => {
    const result = (await ctx.runPreflight?.()) ?? null;
    if (result === null) return sendError(reply, 409, 'E_CONFLICT', 'No service desk is configured.');
    return result;
  });

  route(app, 'POST /api/desk/catalog/sync', { summary: 'Queue a software catalog run now' }, async ({ reply, send }) => {
    const queued = (await ctx.requestCatalogSync?.()) ?? null;
    if (queued === null) return sendError(reply, 409, 'E_CONFLICT', 'No service desk is configured.');
    if (!queued) return sendError(reply, 409, 'E_DESK_UNSUPPORTED', 'This service desk connector keeps no software catalog.');
    return send(202, { state: 'queued' });
  });

  route(app, 'POST /api/desk/packages/sync', { summary: 'Send the package catalog to the desk now' }, async ({ reply, send }) => {
    const queued = (await ctx.requestPackagesSync?.()) ?? null;
    if (queued === null) return sendError(reply, 409, 'E_CONFLICT', 'No service desk is configured.');
    if (!queued) return sendError(reply, 409, 'E_DESK_UNSUPPORTED', 'This service desk connector keeps no catalog of software packages.');
    return send(202, { state: 'queued' });
  });
}
