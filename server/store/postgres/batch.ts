import type { AppliedBatch, BatchOutcome, FollowBatch, IngestState } from '../store.js';
import type { PgDeskStore } from './desk-store.js';
import type { Queryable } from './tx.js';
export async function applyPgBatch<T extends BatchOutcome>(
  _db: Queryable,
  _desk: PgDeskStore,
  _deviceId: string,
  _at: number,
  _plan: (state: IngestState) => T,
  _follow?: FollowBatch<T>,
): Promise<(AppliedBatch<T> & { enqueued: number }) | null> {
  throw new Error('The PostgreSQL store does not apply batches yet');
}
