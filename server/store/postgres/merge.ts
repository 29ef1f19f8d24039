import type { MergeResult } from '../store.js';
import type { Queryable } from './tx.js';
export async function mergePgDevices(
  _db: Queryable,
  _id: string,
  _into: string,
  _at: number,
  _isLive: (id: string) => boolean,
): Promise<MergeResult> {
  throw new Error('The PostgreSQL store does not merge yet');
}
