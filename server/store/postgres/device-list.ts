import type pg from 'pg';
import type { DeviceQuery, DeviceSummary, ResultPage } from '../store.js';
export async function listPgDevices(_pool: pg.Pool, _query: DeviceQuery): Promise<ResultPage<DeviceSummary>> {
  throw new Error('The PostgreSQL store does not list devices yet');
}
