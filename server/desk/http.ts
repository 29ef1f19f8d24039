// The HTTP road every connector takes: timeouts, a size limit on answers, no redirects followed,
// and failures turned into DeskErrors. Headers (credentials) are never logged; log lines carry
// the method, the path without its query, the status and the time taken.
import type { Logger } from '../../shared/log.js';
import { OUTPOST_VERSION } from '../../shared/version.js';
import type { z } from 'zod';
import { DeskError, codeForStatus, parseRetryAfter } from './errors.js';

/** Never "Mozilla": RT answers such clients with a redirect to its login page instead of 401. */
export const DESK_USER_AGENT = `Outpost/${OUTPOST_VERSION} (service-desk connector)`;

export const DESK_HTTP_DEFAULTS = {
  timeoutMs: 15_000,
  /** A changed-tickets page with 100 tickets and their fields stays far below this. */
  maxResponseBytes: 32 * 1024 * 1024,
} as const;

export interface DeskHttpOptions {
  /** Everything before the API paths, e.g. "https://rt.example.com/REST/2.0". */
  baseUrl: string;
  /** Sent with every request: auth, Accept. Never logged. */
  headers: Record<string, string>;
  timeoutMs?: number;
  maxResponseBytes?: number;
  log: Logger;
  /** Turns a failed answer's body into a short reason; the desk's own error shape. */
  describeError?: (body: string) => string | undefined;
  fetchImpl?: typeof fetch;
}

export interface DeskRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  /** A string, or a FormData (multipart; fetch sets the boundary). */
  body?: string | FormData;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface DeskResponse {
  status: number;
  headers: Headers;
  text: string;
}

export class DeskHttp {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: DeskHttpOptions) {
    const url = new URL(opts.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('The desk URL must be http or https.');
    if (url.username || url.password) throw new Error('Put desk credentials in the secret file, not in the URL.');
    this.base = url.toString().replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? DESK_HTTP_DEFAULTS.timeoutMs;
    this.maxBytes = opts.maxResponseBytes ?? DESK_HTTP_DEFAULTS.maxResponseBytes;
    this.fetchImpl = opts.fetchImpl ?? fetch;
  }

  /** Resolves with any 2xx answer; rejects with a DeskError otherwise. */
  async send(req: DeskRequest): Promise<DeskResponse> {
    const operation = `${req.method} ${req.path}`;
    const started = performance.now();
    const res = await this.fetchOnce(req, operation);
    const text = await this.readBody(res, operation);
    const ms = Math.round(performance.now() - started);
    this.opts.log.debug({ operation, status: res.status, ms }, 'desk request');
    if (res.status >= 200 && res.status < 300) return { status: res.status, headers: res.headers, text };
    throw this.failure(res, text, operation);
  }

  private async fetchOnce(req: DeskRequest, operation: string): Promise<Response> {
    const url = this.base + req.path + (req.query ? `?${new URLSearchParams(req.query).toString()}` : '');
    const headers: Record<string, string> = { 'User-Agent': DESK_USER_AGENT, ...this.opts.headers, ...req.headers };
    if (req.contentType) headers['Content-Type'] = req.contentType;
    try {
      return await this.fetchImpl(url, {
        method: req.method,
        headers,
        body: req.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw unreachable(err, operation, this.timeoutMs);
    }
  }

  private async readBody(res: Response, operation: string): Promise<string> {
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > this.maxBytes) {
      await res.body?.cancel();
      throw tooLarge(operation, res.status);
    }
    if (!res.body) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body.getReader();
    try {
      for (;;) {
        const r = (await reader.read()) as { done: boolean; value?: Uint8Array };
        if (r.done || !r.value) break;
        size += r.value.byteLength;
        if (size > this.maxBytes) throw tooLarge(operation, res.status);
        chunks.push(r.value);
      }
    } catch (err) {
      await reader.cancel().catch(() => undefined);
      if (err instanceof DeskError) throw err;
      throw unreachable(err, operation, this.timeoutMs);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private failure(res: Response, text: string, operation: string): DeskError {
    const code = codeForStatus(res.status);
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    const reason =
      res.status >= 300 && res.status < 400
        ? `redirected to ${redirectTarget(res)}: check the desk URL and that the credentials are accepted`
        : (safeDescribe(this.opts.describeError, text) ?? res.statusText);
    return new DeskError(code, `${operation} answered ${res.status}: ${reason}`, {
      status: res.status,
      operation,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
}

function unreachable(err: unknown, operation: string, timeoutMs: number): DeskError {
  const name = err instanceof Error ? err.name : '';
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
  const reason = timedOut ? `no answer within ${timeoutMs} ms` : cause;
  return new DeskError('E_DESK_UNREACHABLE', `${operation}: ${reason}`, { operation });
}

function tooLarge(operation: string, status: number): DeskError {
  return new DeskError('E_DESK_BAD_RESPONSE', `${operation}: the answer is larger than the limit`, { operation, status });
}

function redirectTarget(res: Response): string {
  const location = res.headers.get('location') ?? '(no location)';
  try {
    const url = new URL(location, 'http://desk.invalid');
    return url.host === 'desk.invalid' ? url.pathname : `${url.origin}${url.pathname}`;
  } catch {
    return '(unreadable location)';
  }
}

function safeDescribe(describe: DeskHttpOptions['describeError'], text: string): string | undefined {
  let reason: string | undefined;
  try {
    reason = describe?.(text);
  } catch {
    reason = undefined;
  }
  const fallback = /^\s*</.test(text) ? undefined : text.trim();
  const out = reason ?? fallback;
  return out ? out.slice(0, 300) : undefined;
}

/** A desk answer's JSON, or E_DESK_BAD_RESPONSE naming the operation. */
export function deskJson(res: DeskResponse, operation: string): unknown {
  try {
    return JSON.parse(res.text);
  } catch {
    throw new DeskError('E_DESK_BAD_RESPONSE', `${operation}: the answer is not JSON`, { operation, status: res.status });
  }
}

/** `json` checked against the shape the connector expects, or E_DESK_BAD_RESPONSE saying where it differs. */
export function deskShape<S extends z.ZodType>(schema: S, json: unknown, res: DeskResponse, operation: string): z.output<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DeskError(
    'E_DESK_BAD_RESPONSE',
    `${operation}: unexpected answer (${issue?.path.join('.') || 'root'}: ${issue?.message ?? 'invalid'})`,
    {
      operation,
      status: res.status,
    },
  );
}
