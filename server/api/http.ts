// The HTTP side of the server: JSON under /api/, errors in one shape, no fastify logger of its own.
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from '../../shared/log.js';
import { registerAuth } from './auth.js';
import { registerRoleCheck } from './roles.js';
import { consoleRoutes, defaultConsoleDir } from './console.js';
import { deskRoutes, type DeskRoutesContext } from './desk.js';
import { deviceIdentityRoutes, type DeviceIdentityContext } from './device-identity.js';
import { deviceRoutes, type DeviceRoutesContext } from './devices.js';
import { deviceWorkRoutes, type DeviceWorkContext } from './device-work.js';
import { userRoutes, type UserRoutesContext } from './users.js';
import { packageRoutes, type PackageRoutesContext } from './packages.js';
import { agentDownloadRoute } from '../deploy/agent-download.js';
import { deploymentRoutes, type DeploymentRoutesContext } from './deployments.js';
import { eventRoutes } from './events.js';
import type { LiveHub } from '../live/hub.js';
import { sendError } from './errors.js';
import { softwareRoutes, type SoftwareRoutesContext } from './software.js';
import { templateRoutes, type TemplateRoutesContext } from './templates.js';
import { ticketRoutes, type TicketRoutesContext } from './tickets.js';
import { tokenRoutes, type TokenRoutesContext } from './tokens.js';
import { requireDeclaredRoutes, route } from './route.js';

/** Requests are small (the API is read-mostly); anything larger is refused before parsing. */
export const API_BODY_LIMIT = 64 * 1024;

export interface ApiContext
  extends
    DeviceRoutesContext,
    DeviceIdentityContext,
    TicketRoutesContext,
    DeskRoutesContext,
    SoftwareRoutesContext,
    TemplateRoutesContext,
    TokenRoutesContext,
    DeviceWorkContext,
    UserRoutesContext,
    PackageRoutesContext,
    DeploymentRoutesContext {
  log: Logger;
  version: string;
  adminTokenHash(): Buffer | null;
  hub: LiveHub;
  /** PEM certificate and key: serve HTTPS (and wss:// for agents) on the same port. */
  https?: { cert: string; key: string };
  /** The built web console; default dist/console beside the package. */
  consoleDir?: string;
}

export async function buildApi(ctx: ApiContext): Promise<FastifyInstance> {
  const base = {
    logger: false,
    bodyLimit: API_BODY_LIMIT,
    forceCloseConnections: true,
    // A URL that does not decode (bad percent-encoding) gets the one error shape too.
    frameworkErrors: (err: Error, _req: unknown, reply: FastifyReply) =>
      void sendError(reply, 400, 'E_BAD_REQUEST', err.message.slice(0, 300)),
  } as const;
  // The HTTPS instance differs from the HTTP one only in its server's type; routes and upgrades are the same.
  const app = ctx.https ? (Fastify({ ...base, https: ctx.https }) as unknown as FastifyInstance) : Fastify(base);
  requireDeclaredRoutes(app);
  // First, so it sees every route: the API reference, generated from the routes declared with
  // route() and their shared schemas, served at /api/openapi.json.
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Outpost HTTP API',
        version: ctx.version,
        description:
          'Every route but /api/health and POST /api/session needs the admin token (Authorization: Bearer) or a console session.',
      },
    },
  });

  await registerAuth(app, {
    adminTokenHash: () => ctx.adminTokenHash(),
    admins: ctx.store.admins,
    now: () => ctx.now(),
    log: ctx.log.child({ part: 'auth' }),
    technicians: ctx.technicians ?? null,
  });
  // After the auth hook, so that it knows who asks: every /api route has a least role (roles.ts).
  registerRoleCheck(app, ctx.log.child({ part: 'auth' }));

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      ctx.log.error({ err: err.message, method: req.method, url: req.url }, 'API request failed');
      return sendError(reply, 500, 'E_INTERNAL');
    }
    const limit = req.routeOptions.bodyLimit ?? API_BODY_LIMIT;
    const message = status === 413 ? `The request body is larger than ${limit} bytes.` : err.message;
    return sendError(reply, status, 'E_BAD_REQUEST', message);
  });

  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'E_NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}.`));

  app.addHook('onResponse', async (req, reply) => {
    ctx.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'api request');
  });

  route(
    app,
    'GET /api/openapi.json',
    { summary: 'This reference, as OpenAPI 3' },
    async () => app.swagger() as unknown as Record<string, unknown>,
  );

  route(app, 'GET /api/health', { summary: 'Liveness and version; needs no sign-in' }, async () => ({
    ok: true as const,
    version: ctx.version,
  }));
  deviceRoutes(app, ctx);
  deviceIdentityRoutes(app, ctx);
  ticketRoutes(app, ctx);
  deskRoutes(app, ctx);
  softwareRoutes(app, ctx);
  templateRoutes(app, ctx);
  tokenRoutes(app, ctx);
  deviceWorkRoutes(app, ctx);
  userRoutes(app, ctx);
  packageRoutes(app, ctx);
  deploymentRoutes(app, ctx);
  // The agents' download of installers, with their device credential (outside /api, not the console's).
  if (ctx.packageFiles) agentDownloadRoute(app, { store: ctx.store, files: ctx.packageFiles });
  eventRoutes(app, { hub: ctx.hub, log: ctx.log.child({ part: 'events' }) });
  await app.register(consoleRoutes, { dir: ctx.consoleDir ?? defaultConsoleDir() });
  return app;
}
