// /api/session: the web console signs in (POST), asks who it is and for its CSRF token (GET), and
// signs out (DELETE). Only POST is public; the auth hook (auth.ts) guards the other two.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../shared/log.js';
import type { SessionInfo, SignInBody as SignInFields } from '../../shared/http-api.js';
import { SignInBody } from '../../shared/http-schemas.js';
import { checkCredentials } from '../auth/accounts.js';
import type { SignInLockout } from '../auth/lockout.js';
import { signInTechnician, type TechnicianDesk } from '../auth/technicians.js';
import { SESSION_COOKIE, openSession, sessionCookieOptions, sessionIdHash, sessionInfo } from '../auth/sessions.js';
import type { AdminSession, AdminStore } from '../store/admin-records.js';
import { sendError } from './errors.js';
import { route } from './route.js';

export interface SessionRoutesContext {
  admins: AdminStore;
  now(): number;
  log: Logger;
  lockout: SignInLockout;
  /** Counts a sign-in attempt from this request's address; the ms to wait when over the limit, else 0. */
  rateLimit(req: FastifyRequest): Promise<number>;
  /** The configured desk, for technicians who sign in with their desk password; null without one. */
  technicians?: TechnicianDesk | null;
}

/** The session behind a cookie-authenticated request, put there by the auth hook. */
export interface RequestSession {
  idHash: Buffer;
  session: AdminSession;
}
const requestSessions = new WeakMap<FastifyRequest, RequestSession>();

export function rememberSession(req: FastifyRequest, session: RequestSession): void {
  requestSessions.set(req, session);
}

export function currentSession(req: FastifyRequest): RequestSession | undefined {
  return requestSessions.get(req);
}

export function sessionRoutes(app: FastifyInstance, ctx: SessionRoutesContext): void {
  const signInRoute = {
    body: SignInBody,
    labels: { body: 'sign-in (send {"username", "password"})' },
    onRequest: [limitAttempts(ctx), refuseCrossSite(ctx.log)],
    summary: 'Sign in (public; JSON only, same-site only, rate limited)',
  };
  route(app, 'POST /api/session', signInRoute, async ({ body, req, reply }) => signIn(req, reply, body, ctx));

  route(app, 'GET /api/session', { summary: 'Who is signed in, and the CSRF token' }, async ({ req, reply }) => {
    const current = currentSession(req);
    noStore(reply);
    if (!current) return sendError(reply, 401, 'E_UNAUTHORIZED', 'This request carries the admin token, not a browser session.');
    return sessionInfo(current.session);
  });

  route(app, 'DELETE /api/session', { summary: 'Sign out' }, async ({ req, reply }) => {
    const current = currentSession(req);
    if (current) {
      await ctx.admins.deleteSession(current.idHash);
      ctx.log.info({ username: current.session.username }, 'admin signed out');
    }
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(req.protocol === 'https'));
    return { ok: true as const };
  });
}

async function signIn(
  req: FastifyRequest,
  reply: FastifyReply,
  body: SignInFields,
  ctx: SessionRoutesContext,
): Promise<SessionInfo | FastifyReply> {
  const now = ctx.now();
  // Counted now, before the slow hash, so that parallel guesses cannot all pass the check.
  const lockedMs = ctx.lockout.beginAttempt(body.username, now);
  if (lockedMs > 0) {
    ctx.log.warn({ ip: req.ip }, 'admin sign-in refused: too many recent failures for that username');
    reply.header('retry-after', Math.ceil(lockedMs / 1000));
    return sendError(reply, 429, 'E_ACCOUNT_LOCKED');
  }
  const local = await checkCredentials(ctx.admins, body.username, body.password);
  let admin = local.admin;
  const known = local.known;
  if (!admin) {
    const existing = known ? await ctx.admins.getAdmin(body.username) : null;
    const tech = await signInTechnician(ctx.admins, ctx.technicians ?? null, existing, body.username, body.password, now);
    if (tech.ok) admin = tech.admin;
    else if (tech.error !== 'bad-credentials') {
      ctx.log.warn({ ip: req.ip, username: body.username, code: tech.error.code }, 'technician sign-in refused');
      return sendError(reply, tech.error.code === 'E_SEAT_LIMIT' ? 403 : 503, tech.error.code, tech.error.message);
    }
  }
  if (!admin) {
    // An unknown "username" may be a password typed in the wrong field: only real names are logged.
    ctx.log.warn({ ip: req.ip, ...(known ? { username: body.username } : { username: '(unknown)' }) }, 'admin sign-in failed');
    return sendError(reply, 401, 'E_BAD_CREDENTIALS');
  }
  ctx.lockout.recordSuccess(body.username);
  // A fresh id at every sign-in (no session fixation); the one the browser had, if any, ends.
  const previous = sessionIdHash(req.cookies[SESSION_COOKIE]);
  if (previous) await ctx.admins.deleteSession(previous);
  await ctx.admins.deleteExpiredSessions(now);
  const { id, session } = await openSession(ctx.admins, admin.username, now);
  reply.setCookie(SESSION_COOKIE, id, sessionCookieOptions(req.protocol === 'https'));
  noStore(reply);
  ctx.log.info({ username: admin.username, role: admin.role, source: admin.source, ip: req.ip }, 'admin signed in');
  return sessionInfo(session);
}

function limitAttempts(ctx: SessionRoutesContext) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const waitMs = await ctx.rateLimit(req);
    if (waitMs <= 0) return undefined;
    reply.header('retry-after', Math.max(1, Math.ceil(waitMs / 1000)));
    return sendError(reply, 429, 'E_RATE_LIMITED');
  };
}

/**
 * Sign-in must not be forgeable from another site (login CSRF): a form can post text/plain or
 * urlencoded bodies without a preflight, so only JSON is accepted, and a browser's Origin must be us.
 */
function refuseCrossSite(log: Logger) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return sendError(reply, 415, 'E_BAD_REQUEST', 'Sign in with a JSON body (content-type: application/json).');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !sameHost(origin, req.headers.host)) {
      log.warn({ ip: req.ip, origin: origin.slice(0, 200) }, 'admin sign-in refused: posted from another site');
      return sendError(reply, 403, 'E_CSRF', 'Sign-in is accepted only from the Outpost console itself.');
    }
    return undefined;
  };
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const from = new URL(origin);
    // Parsed the same way on both sides, so a default port written in one and not the other matches.
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false; // "null" (sandboxed frames, some redirects) or garbage
  }
}

function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}
