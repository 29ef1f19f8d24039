// One step of the software sweeper as a store job (store/store-job.ts), so that it runs where the
// store does its database work (SQLite's worker thread) with the desk's rules as data: the changes a
// step records in the history (a swap's software parts, its removed software, its other sections)
// raise their desk events in the same transaction, as a batch's own changes do.
import { BatchJobRules } from '../desk/sync/batch-jobs.js';
import { storeJob } from '../store/store-job.js';
import type { FollowSweep } from '../store/store.js';
import type { BatchInput } from './batch-job.js';

/** Rows handled by the step; 0 when nothing is left to sweep. */
export const sweepStep = storeJob(
  import.meta.url,
  'sweepStep',
  async (store, limit: number, at: number, desk: BatchInput['desk']): Promise<number> =>
    store.sweepSoftware(limit, at, followSweep(desk, at)),
);

function followSweep(desk: BatchInput['desk'], at: number): FollowSweep | undefined {
  if (!desk?.enabled || !desk.rules) return undefined;
  const rules = new BatchJobRules();
  rules.setEnabled(true, desk.rules);
  return (swept) => rules.jobsForSwept(swept, at);
}
