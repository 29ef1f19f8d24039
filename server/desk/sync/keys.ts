// Keys Outpost stores in the desk, derived from Outpost's own ids (device id and the endpoint's
// ref or note id), so that they survive a server restart, a lost job row, or a reinstalled server
// over the same data: a retry always finds the first attempt.
import { createHash } from 'node:crypto';

export type KeyScope = 'ticket' | 'note' | 'worklog' | 'event';

const PREFIX: Record<KeyScope, string> = { ticket: 'outpost-t-', note: 'outpost-n-', worklog: 'outpost-w-', event: 'outpost-e-' };

/** Safe inside any desk query language (IDEMPOTENCY_KEY): a prefix and 40 hex digits. */
export function deskKey(scope: KeyScope, ...parts: string[]): string {
  return PREFIX[scope] + createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40);
}

/** desk_state key of the status the desk last had for a ticket (reported by a poll or written by us). */
export { deskStatusKey } from '../../store/desk-records.js';

export interface Backoff {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1_000, capMs: 5 * 60_000 };

/**
 * Delay before attempt `attempt + 1`: exponential, capped, with jitter (50-100% of the step) so
 * that jobs held through one outage do not all hit the desk in the same second when it returns.
 * A desk that said when to come back (Retry-After) is not asked sooner.
 */
export function retryDelay(attempt: number, b: Backoff, random: () => number, retryAfterMs?: number): number {
  const step = Math.min(b.capMs, b.baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  const jittered = Math.round(step * (0.5 + random() * 0.5));
  return Math.max(jittered, Math.min(b.capMs, retryAfterMs ?? 0));
}
