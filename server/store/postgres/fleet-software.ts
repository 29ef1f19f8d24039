import type pg from 'pg';
import { pending } from './pending.js';
import type * as S from '../store.js';
export interface PgFleetSoftware {
  list(query: S.FleetSoftwareQuery): Promise<S.ResultPage<S.FleetSoftware>>;
  detail(name: string, page: { limit: number; offset: number }): Promise<S.SoftwareDetail | null>;
  deviceCounts(tests: readonly S.ProhibitedTest[], any?: S.ProhibitedTest): Promise<number[]>;
  listProhibited(): Promise<S.ProhibitedRecord[]>;
  addProhibited(pattern: string, at: number): Promise<boolean>;
  removeProhibited(pattern: string): Promise<boolean>;
}
export const PgFleetSoftware = class {
  constructor(_pool: pg.Pool) {
    return pending<PgFleetSoftware>('fleet');
  }
} as unknown as new (pool: pg.Pool) => PgFleetSoftware;
