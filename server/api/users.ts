// /api/users: who may use the console and as what. Admins list accounts and seats, import desk
// technicians, change roles, remove accounts, and set whether technicians may sign in with their
// desk password and how many seats they have.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { UserJson } from '../../shared/console-api.js';
import { ConsoleSettingsBody, ImportTechnicianBody, UserParams, UserPatchBody } from '../../shared/http-schemas.js';
import type { OutpostError } from '../../shared/errors.js';
import { importTechnician, type TechnicianDesk } from '../auth/technicians.js';
import type { AdminRecord } from '../store/admin-records.js';
import type { Store } from '../store/store.js';
import { sendError } from './errors.js';
import { route } from './route.js';

export interface UserRoutesContext {
  store: Store;
  now(): number;
  /** The configured desk's technician look-ups; null without a desk. */
  technicians?: TechnicianDesk | null;
}

const LAST_ADMIN = 'The console must keep at least one admin: make another user admin first.';

function userJson(a: AdminRecord): UserJson {
  return { username: a.username, role: a.role, source: a.source, createdAt: new Date(a.createdAt).toISOString() };
}

const STATUS: Partial<Record<OutpostError['code'], number>> = {
  E_SEAT_LIMIT: 403,
  E_NOT_FOUND: 404,
  E_CONFLICT: 409,
  E_DESK_UNSUPPORTED: 409,
  E_BAD_REQUEST: 400,
};

function sendOutpostError(reply: FastifyReply, err: OutpostError): FastifyReply {
  return sendError(reply, STATUS[err.code] ?? 503, err.code, err.message);
}

export function userRoutes(app: FastifyInstance, ctx: UserRoutesContext): void {
  const admins = ctx.store.admins;

  route(app, 'GET /api/users', { summary: 'Console users, seats and settings (admin)' }, async () => {
    const [accounts, used, settings] = await Promise.all([admins.listAdmins(), admins.countTechnicians(), admins.getConsoleSettings()]);
    return {
      items: accounts.map(userJson),
      seats: { used, limit: settings.seats },
      settings,
      desk: { signIn: ctx.technicians?.verify !== undefined, import: ctx.technicians?.find !== undefined },
    };
  });

  route(
    app,
    'POST /api/users',
    { body: ImportTechnicianBody, summary: 'Import a desk technician as a console user (admin)' },
    async ({ body, reply, send }) => {
      const result = await importTechnician(admins, ctx.technicians ?? null, body.username, body.role, ctx.now());
      if (!result.ok) return sendOutpostError(reply, result.error);
      return send(201, userJson(result.admin));
    },
  );

  route(
    app,
    'PATCH /api/users/:username',
    { params: UserParams, body: UserPatchBody, summary: "Change a console user's role (admin)" },
    async ({ params, body, reply }) => {
      const changed = await admins.setRole(params.username, body.role, ctx.now());
      if (changed === 'not-found') return sendError(reply, 404, 'E_NOT_FOUND', `No console user named ${params.username}.`);
      if (changed === 'last-admin') return sendError(reply, 409, 'E_CONFLICT', LAST_ADMIN);
      return userJson((await admins.getAdmin(params.username))!);
    },
  );

  route(
    app,
    'DELETE /api/users/:username',
    { params: UserParams, summary: 'Remove a console user and end their sessions (admin)' },
    async ({ params, reply }) => {
      const removed = await admins.deleteAdmin(params.username);
      if (removed === 'not-found') return sendError(reply, 404, 'E_NOT_FOUND', `No console user named ${params.username}.`);
      if (removed === 'last-admin') return sendError(reply, 409, 'E_CONFLICT', LAST_ADMIN);
      return { ok: true as const };
    },
  );

  route(
    app,
    'PUT /api/users/settings',
    { body: ConsoleSettingsBody, summary: 'Desk sign-in, seats and the technicians’ role (admin)' },
    async ({ body }) => {
      await admins.setConsoleSettings(body);
      return body;
    },
  );
}
