// Browser sessions: a random id in an HttpOnly cookie (the store keeps only its sha256) and a
// synchronizer CSRF token the console echoes in a header on every state-changing request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { SessionInfo } from '../../shared/http-api.js';
import type { AdminSession, AdminStore } from '../store/admin-records.js';
import { hashSecret } from '../store/secrets.js';

export const SESSION_COOKIE = 'outpost_session';
export const CSRF_HEADER = 'x-csrf-token';

/** 32 random bytes in base64url. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The id hash for a cookie value, or null when the value cannot be one of ours (nothing to look up). */
export function sessionIdHash(cookie: string | undefined): Buffer | null {
  return cookie !== undefined && TOKEN_PATTERN.test(cookie) ? hashSecret(cookie) : null;
}

/** Opens a session for a signed-in admin; the id goes into the cookie and nowhere else. */
export async function openSession(store: AdminStore, username: string, now: number): Promise<{ id: string; session: AdminSession }> {
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const session = await store.createSession({ idHash: hashSecret(id), username, csrfToken, now });
  return { id, session };
}

export function sessionInfo(session: AdminSession): SessionInfo {
  return {
    username: session.username,
    role: session.role,
    csrfToken: session.csrfToken,
    expiresAt: new Date(session.expiresAt).toISOString(),
  };
}

/**
 * No Max-Age: the cookie lasts while the browser runs and the server decides when the session ends.
 * Secure when the request reached us over TLS; a proxy's x-forwarded-proto is not trusted for it.
 */
export function sessionCookieOptions(secure: boolean): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure };
}

/** Constant-time: hashing both sides first makes the comparison independent of the lengths. */
export function csrfTokenMatches(expected: string, sent: string | string[] | undefined): boolean {
  if (typeof sent !== 'string' || sent.length > 256) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(sent));
}
