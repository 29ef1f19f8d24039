// One attempt at one desk job, and what its outcome does to the queue: done, held until later (the
// desk is not ready for it yet, or is down: that holds the whole queue), or failed for good.
import type { Logger } from '../../../shared/log.js';
import type { DeskJob } from '../../store/desk-records.js';
import type { Store } from '../../store/store.js';
import type { DeskConnector } from '../connector.js';
import { isDeskError } from '../errors.js';
import type { EngineOptions } from './engine-options.js';
import { NotYet, runJob } from './flows.js';
import { retryDelay, type Backoff } from './keys.js';
import type { FieldMapping } from './mapping.js';

export interface JobRunDeps {
  opts: Pick<EngineOptions, 'requesterDomain' | 'fallbackRequester' | 'deskUser' | 'ticketChanged'> & {
    desk: DeskConnector;
    store: Store;
    log: Logger;
  };
  now: () => number;
  random: () => number;
  backoff: Backoff;
  mapping: FieldMapping;
  markHealthy: () => void;
  markUnhealthy: (error: string) => void;
}

/** False when the desk is unavailable and draining should pause. */
export async function runOneJob(deps: JobRunDeps, job: DeskJob): Promise<boolean> {
  const { opts } = deps;
  const store = opts.store.desk;
  const started = deps.now();
  await store.beginAttempt(job.id, started);
  const attempt = job.attempts + 1;
  try {
    const ctx = {
      desk: opts.desk,
      store: opts.store,
      requesterDomain: opts.requesterDomain,
      fallbackRequester: opts.fallbackRequester,
      deskUser: opts.deskUser,
      firstAttempt: attempt === 1,
      now: deps.now,
      mapping: deps.mapping,
    };
    await runJob(ctx, job);
    await store.completeJob(job.id, job.revision, deps.now());
    if (job.kind === 'ticket.create') await numbered(deps, job.payload.deviceId, job.payload.ref);
    opts.log.debug({ job: job.id, kind: job.kind, attempt, ms: deps.now() - started }, 'desk job done');
    deps.markHealthy();
    return true;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof NotYet) {
      await store.holdJob(job.id, deps.now() + retryDelay(attempt, deps.backoff, deps.random), message, deps.now());
      return true;
    }
    if (isDeskError(err) && err.retryable) {
      deps.markUnhealthy(`${err.code}: ${message}`);
      const delay = retryDelay(attempt, deps.backoff, deps.random, err.retryAfterMs);
      await store.holdJob(job.id, deps.now() + delay, `${err.code}: ${message}`, deps.now());
      opts.log.warn({ job: job.id, kind: job.kind, code: err.code, retryInMs: delay }, 'desk job held');
      return false;
    }
    const code = isDeskError(err) ? err.code : 'E_INTERNAL';
    await store.failJob(job.id, `${code}: ${message}`, deps.now());
    opts.log.error({ job: job.id, kind: job.kind, code, err: message }, 'desk job failed');
    return true;
  }
}

/** The ticket now has the desk's number: the endpoint shows it from now on. */
async function numbered(deps: JobRunDeps, deviceId: string, ref: string): Promise<void> {
  const ticketId = await deps.opts.store.desk.ticketIdByRef(deviceId, ref);
  if (ticketId !== null) deps.opts.ticketChanged(deviceId, ref, ticketId);
}
