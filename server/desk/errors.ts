// Connector failures with stable codes and a retry verdict, so the sync engine can hold a job
// through an outage (retryable) or park it for a person to look at (not retryable).
import type { z } from 'zod';
import { OutpostError, type ErrorCode } from '../../shared/errors.js';

export type DeskErrorCode = Extract<ErrorCode, `E_DESK_${string}`>;

const RETRYABLE: ReadonlySet<DeskErrorCode> = new Set([
  'E_DESK_UNREACHABLE',
  'E_DESK_UNAVAILABLE',
  'E_DESK_RATE_LIMITED',
  'E_DESK_CONFLICT',
]);

export interface DeskErrorDetails {
  /** HTTP status the desk answered with, when it answered. */
  status?: number;
  /** From Retry-After, when the desk sent one. */
  retryAfterMs?: number;
  /** e.g. "POST /ticket": never a URL with credentials or query values. */
  operation?: string;
}

export class DeskError extends OutpostError {
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: DeskErrorCode, message: string, details: DeskErrorDetails = {}) {
    super(code, message, { ...details });
    this.name = 'DeskError';
    this.retryable = RETRYABLE.has(code);
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }

  get deskCode(): DeskErrorCode {
    return this.code as DeskErrorCode;
  }
}

export function isDeskError(err: unknown): err is DeskError {
  return err instanceof DeskError;
}

/** The code for an HTTP status the desk answered with (only called for non-2xx). */
export function codeForStatus(status: number): DeskErrorCode {
  if (status === 401 || status === 403) return 'E_DESK_AUTH';
  if (status === 404 || status === 410) return 'E_DESK_NOT_FOUND';
  if (status === 409 || status === 412) return 'E_DESK_CONFLICT';
  if (status === 429) return 'E_DESK_RATE_LIMITED';
  if (status === 408 || status >= 500) return status === 408 ? 'E_DESK_UNREACHABLE' : 'E_DESK_UNAVAILABLE';
  if (status >= 300 && status < 400) return 'E_DESK_BAD_RESPONSE';
  return 'E_DESK_REJECTED';
}

/** Retry-After as milliseconds: either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Connector settings, or E_CONFIG naming every field that is wrong (values are not echoed: they may be secrets). */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, desk: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`);
  throw new OutpostError('E_CONFIG', `${desk} settings are not valid: ${issues.join('; ')}`);
}
