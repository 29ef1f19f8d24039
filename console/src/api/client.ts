// The console's one way to the server: typed by the route map, cookie session, CSRF header on
// every request that changes something, and a single place that notices a lost session.
import type { HttpRoute } from '../../../shared/http-api.js';
import { ApiError, errorFromBody } from './errors.js';
import { buildRequest, isUnsafe, type ApiArgs, type ApiParams, type ApiResponse } from './request.js';

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => undefined;

/** Kept in memory only: a reload asks GET /api/session for it again. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<R extends HttpRoute>(route: R, ...args: ApiArgs<R>): Promise<ApiResponse<R>> {
  return apiWith(route, args[0], undefined);
}

/** As api(), cancellable: a page that is left aborts what it was still loading. */
export async function apiWith<R extends HttpRoute>(
  route: R,
  params: ApiParams<R> | undefined,
  signal: AbortSignal | undefined,
): Promise<ApiResponse<R>> {
  const req = buildRequest(route, params);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  if (isUnsafe(req.method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(req.url, { method: req.method, headers, body: req.body ?? null, credentials: 'same-origin', signal: signal ?? null });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'E_NETWORK', 'The server cannot be reached.');
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const error = errorFromBody(res.status, body);
    // Signing in with a wrong password is a 401 of its own kind, not a lost session.
    if (res.status === 401 && route !== 'POST /api/session' && route !== 'GET /api/session') onUnauthorized();
    throw error;
  }
  return body as ApiResponse<R>;
}

/** POST /api/packages/files: the file itself as the body (the one route that takes no JSON). */
export async function uploadPackageFile(
  file: Blob,
  query: ApiParams<'POST /api/packages/files'>['query'],
): Promise<ApiResponse<'POST /api/packages/files'>> {
  const req = buildRequest('POST /api/packages/files', { query });
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/octet-stream' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(req.url, { method: 'POST', headers, body: file, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'E_NETWORK', 'The server cannot be reached.');
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    throw errorFromBody(res.status, body);
  }
  return body as ApiResponse<'POST /api/packages/files'>;
}
