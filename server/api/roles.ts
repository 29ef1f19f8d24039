// Who may call which route: every /api route of the shared map (shared/http-api.ts) names the least
// role that may call it (the compiler refuses this table when one is missing), and a route missing
// from it anyway is refused to everyone. The admin token counts as an admin. GET (and the HEAD
// fastify adds beside it) never changes state.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../shared/log.js';
import type { HttpRoute } from '../../shared/http-api.js';
import { hasRole, type Role } from '../../shared/roles.js';
import { sendError } from './errors.js';

/** Routes that answer before anyone is known (the auth hook lets them through). */
type PublicRoute = 'GET /api/health' | 'POST /api/session';

export const ROUTE_ROLES: Readonly<Record<Exclude<HttpRoute, PublicRoute>, Role>> = {
  // Anyone signed in: reading, and their own session.
  'GET /api/openapi.json': 'read-only',
  'GET /api/session': 'read-only',
  'DELETE /api/session': 'read-only',
  'GET /api/events': 'read-only',
  'GET /api/devices': 'read-only',
  'GET /api/devices/:id': 'read-only',
  'GET /api/devices/:id/software': 'read-only',
  'GET /api/devices/:id/changes': 'read-only',
  'GET /api/devices/:id/identity': 'read-only',
  'GET /api/devices/:id/tickets': 'read-only',
  'GET /api/devices/:id/logbook': 'read-only',
  'GET /api/software': 'read-only',
  'GET /api/software/detail': 'read-only',
  'GET /api/prohibited': 'read-only',
  'GET /api/prohibited/exemptions': 'read-only',
  'GET /api/tickets': 'read-only',
  'GET /api/tickets/:id': 'read-only',
  'GET /api/tickets/:id/attachments/:attachmentId': 'read-only',
  'GET /api/desk/status': 'read-only',
  'GET /api/desk/queues': 'read-only',
  'GET /api/templates': 'read-only',
  'GET /api/packages': 'read-only',
  'GET /api/packages/:id': 'read-only',
  'GET /api/deployments': 'read-only',
  'GET /api/deployments/:id': 'read-only',
  // Operators work tickets and devices.
  'POST /api/devices/:id/scan': 'operator',
  'POST /api/devices/:id/tickets': 'operator',
  'PATCH /api/tickets/:id': 'operator',
  'POST /api/tickets/:id/notes': 'operator',
  'POST /api/desk/jobs/:id/retry': 'operator',
  // Operators deploy the packages admins put in the store.
  'POST /api/deployments': 'operator',
  // Checking the desk's setup again changes nothing but the shown result.
  'POST /api/desk/preflight': 'operator',
  // Admins change what the fleet is and who may use the console.
  'GET /api/tokens': 'admin',
  'POST /api/tokens': 'admin',
  'DELETE /api/tokens/:id': 'admin',
  'POST /api/devices/:id/merge': 'admin',
  'POST /api/templates': 'admin',
  'PUT /api/templates/:id': 'admin',
  'DELETE /api/templates/:id': 'admin',
  'POST /api/prohibited': 'admin',
  'DELETE /api/prohibited': 'admin',
  'DELETE /api/prohibited/exemptions': 'admin',
  'POST /api/desk/catalog/sync': 'admin',
  'POST /api/desk/packages/sync': 'admin',
  'GET /api/users': 'admin',
  'POST /api/users': 'admin',
  'PATCH /api/users/:username': 'admin',
  'DELETE /api/users/:username': 'admin',
  'PUT /api/users/settings': 'admin',
  // What may run on the fleet: only admins add or retire packages.
  'POST /api/packages/files': 'admin',
  'POST /api/packages': 'admin',
  'DELETE /api/packages/:id': 'admin',
};

export const PUBLIC_ROUTES: ReadonlySet<string> = new Set<PublicRoute>(['GET /api/health', 'POST /api/session']);

/** The table's key for a request's matched route; HEAD is judged as the GET beside it. */
export function routeKey(method: string, url: string): string {
  return `${method === 'HEAD' ? 'GET' : method} ${url}`;
}

/** The least role for a route, or null when the table does not name it (refused). */
export function minimumRole(method: string, url: string): Role | null {
  return (ROUTE_ROLES as Readonly<Record<string, Role>>)[routeKey(method, url)] ?? null;
}

/** After the auth hook: a signed-in user below the route's role gets 403 E_FORBIDDEN and nothing runs. */
export function registerRoleCheck(app: FastifyInstance, log: Logger): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const admin = req.admin;
    const url = req.routeOptions.url;
    if (!admin || url === undefined || !(url === '/api' || url.startsWith('/api/'))) return undefined;
    const needed = minimumRole(req.method, url);
    if (needed !== null && hasRole(admin.role, needed)) return undefined;
    log.warn({ username: admin.username, role: admin.role, route: routeKey(req.method, url) }, 'request refused: role too low');
    return sendError(
      reply,
      403,
      'E_FORBIDDEN',
      needed === null ? 'This route is open to no role.' : `This needs the ${needed} role; ${admin.username} is ${admin.role}.`,
    );
  });
}
