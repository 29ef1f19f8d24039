import type { Queryable } from './tx.js';
export async function sweepPgSoftware(_db: Queryable, _limit: number, _at: number): Promise<number> {
  return 0;
}
