// Who may call /api: the CLI and scripts send the admin token as a Bearer header (only its sha256 is
// kept); the web console sends a session cookie, plus the session's CSRF token on anything that
// changes state. Paths outside /api/ (the console's static files), health and sign-in are public.
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../shared/log.js';
import type { Role } from '../../shared/roles.js';
import { SignInLockout } from '../auth/lockout.js';
import type { TechnicianDesk } from '../auth/technicians.js';
import { CSRF_HEADER, SESSION_COOKIE, csrfTokenMatches, sessionCookieOptions, sessionIdHash } from '../auth/sessions.js';
import type { AdminStore } from '../store/admin-records.js';
import { hashSecret, sameHash } from '../store/secrets.js';
import { sendError } from './errors.js';
import { rememberSession, sessionRoutes } from './session.js';

export interface AdminPrincipal {
  /** The admin's username; TOKEN_ADMIN's for the bearer token, which belongs to no account. */
  username: string;
  via: 'token' | 'session';
  /** What the account may do (./roles.ts); the admin token is an admin. */
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every authenticated request; null on public ones. */
    admin: AdminPrincipal | null;
  }
}

export interface AuthContext {
  adminTokenHash(): Buffer | null;
  admins: AdminStore;
  now(): number;
  log: Logger;
  /** The configured desk, for technicians' sign-in; null or absent without one. */
  technicians?: TechnicianDesk | null;
}

export const TOKEN_ADMIN = 'admin-token';
/** Per client address, on POST /api/session. */
export const SIGN_IN_RATE = { max: 10, timeWindowMs: 60_000 };

const PUBLIC_ROUTES = new Set(['/api/health']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_TOKEN_LENGTH = 512;

export function bearerToken(header: string | undefined): string | null {
  if (!header || header.length > MAX_TOKEN_LENGTH + 16) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** Cookies, sign-in rate limiting, the auth hook and /api/session. Call before adding the API routes. */
export async function registerAuth(app: FastifyInstance, ctx: AuthContext): Promise<void> {
  await app.register(fastifyCookie, { hook: 'onRequest' });
  // Not global: only sign-in is limited, through the limiter made below.
  await app.register(fastifyRateLimit, { global: false });
  const signInLimiter = app.createRateLimit({ max: SIGN_IN_RATE.max, timeWindow: SIGN_IN_RATE.timeWindowMs });
  app.decorateRequest('admin', null);
  app.addHook('onRequest', authHook(ctx));
  sessionRoutes(app, {
    admins: ctx.admins,
    now: () => ctx.now(),
    log: ctx.log,
    lockout: new SignInLockout(),
    technicians: ctx.technicians ?? null,
    rateLimit: async (req) => {
      const limit = await signInLimiter(req);
      return !limit.isAllowed && limit.isExceeded ? limit.ttl : 0;
    },
  });
}

function authHook(ctx: AuthContext) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (isPublic(req)) return undefined;
    // A request with an Authorization header is judged by it alone. Browsers never add one to a
    // cross-site request without a CORS preflight we do not answer, so it needs no CSRF token.
    if (req.headers.authorization !== undefined) {
      const token = bearerToken(req.headers.authorization);
      if (token !== null && sameHash(ctx.adminTokenHash(), hashSecret(token))) {
        req.admin = { username: TOKEN_ADMIN, via: 'token', role: 'admin' };
        return undefined;
      }
      return unauthorized(reply);
    }
    const cookie = req.cookies[SESSION_COOKIE];
    const idHash = sessionIdHash(cookie);
    const session = idHash ? await ctx.admins.getSession(idHash, ctx.now()) : null;
    if (!idHash || !session) {
      // Tell the browser to drop a cookie that no longer opens anything.
      if (cookie !== undefined) reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(req.protocol === 'https'));
      return unauthorized(reply);
    }
    if (!SAFE_METHODS.has(req.method) && !csrfTokenMatches(session.csrfToken, req.headers[CSRF_HEADER])) {
      ctx.log.warn({ method: req.method, path: pathOf(req), username: session.username }, 'request refused: missing or wrong CSRF token');
      return sendError(reply, 403, 'E_CSRF');
    }
    req.admin = { username: session.username, via: 'session', role: session.role };
    rememberSession(req, { idHash, session });
    return undefined;
  };
}

/**
 * An API route is judged by its pattern, not the raw URL, so that an encoded or doubled slash
 * cannot make it look like a static file. Anything else (no route, or the console's catch-all)
 * is public only outside /api/: an unknown API path answers 401 to a stranger, never 404, so
 * that nobody learns which paths exist without credentials.
 */
function isPublic(req: FastifyRequest): boolean {
  const route = req.routeOptions.url;
  if (route !== undefined && underApi(route)) return PUBLIC_ROUTES.has(route) || (route === '/api/session' && req.method === 'POST');
  return !underApi(pathOf(req));
}

function underApi(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

function pathOf(req: FastifyRequest): string {
  return req.url.split('?')[0]!;
}

function unauthorized(reply: FastifyReply): FastifyReply {
  reply.header('www-authenticate', 'Bearer realm="outpost"');
  // Returning the reply tells fastify the request is answered and no handler runs.
  return sendError(reply, 401, 'E_UNAUTHORIZED');
}
