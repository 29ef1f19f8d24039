// Reading one local API request line, without I/O: JSON, the envelope, the token, then the method
// and its params. Every refusal is a response with a stable code; nothing here throws on any input.
import { ERROR_CODES, type ErrorCode } from '../../shared/errors.js';
import { LocalApi, LocalRequestSchema, type LocalMethod, type LocalResponse } from '../../shared/local-api.js';
import type { Caller } from './callers.js';

type Id = string | number | null;

export type Envelope =
  | { ok: true; id: string | number; method: string; params: unknown; caller: Caller }
  | { ok: false; response: LocalResponse; /** the token was missing or unknown */ notLoggedOn: boolean };

/** The line's envelope and the caller its token names; refused before the method is looked at. */
export function readEnvelope(line: string, authenticate: (auth: string | undefined) => Caller | undefined): Envelope {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, response: failure(null, 'E_BAD_JSON', ERROR_CODES.E_BAD_JSON), notLoggedOn: false };
  }
  const request = LocalRequestSchema.safeParse(raw);
  if (!request.success)
    return { ok: false, response: failure(null, 'E_BAD_REQUEST', 'A request needs an id and a method.'), notLoggedOn: false };
  const { id, method } = request.data;
  const caller = authenticate(request.data.auth);
  if (!caller)
    return { ok: false, response: failure(id, 'E_NOT_LOGGED_ON', 'You are not a logged-on user of this machine.'), notLoggedOn: true };
  return { ok: true, id, method, params: request.data.params, caller };
}

/** The method and its params, validated against the contract in shared/local-api.ts. */
export function readCall(
  id: Id,
  method: string,
  params: unknown,
): { ok: true; method: LocalMethod; params: unknown } | { ok: false; response: LocalResponse } {
  if (!Object.hasOwn(LocalApi, method))
    return { ok: false, response: failure(id, 'E_UNKNOWN_METHOD', `Unknown method ${JSON.stringify(method)}.`) };
  const m = method as LocalMethod;
  const parsed = LocalApi[m].params.safeParse(params ?? {});
  if (parsed.success) return { ok: true, method: m, params: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') || 'params';
  return { ok: false, response: failure(id, 'E_BAD_REQUEST', `${where}: ${issue?.message ?? 'invalid'}`) };
}

export function failure(id: Id, code: ErrorCode, message: string): LocalResponse {
  return { id, ok: false, error: { code, message } };
}
