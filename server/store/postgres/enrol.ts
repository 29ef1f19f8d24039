import type { EnrolRequest, EnrolResult } from '../store.js';
import type { Queryable } from './tx.js';
export async function enrolPg(_db: Queryable, _request: EnrolRequest): Promise<EnrolResult> {
  throw new Error('The PostgreSQL store does not enrol yet');
}
