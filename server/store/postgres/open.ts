// Opens the pool for a postgres:// URL and brings the schema up to date. bigint columns (epoch ms,
// ids, counts) come back as numbers: every value they hold is below 2^53.
import pg from 'pg';
import { migrate } from './migrations.js';

const INT8_OID = 20;

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Whether a --store value names a PostgreSQL database rather than the embedded SQLite file. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

export function createPool(url: string, max = 10, allowExitOnIdle = false): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types, allowExitOnIdle });
  // An idle connection that drops is reported here; the next query that needs one gets a new one
  // (or its own error), so nothing is lost by not crashing the process.
  pool.on('error', () => {});
  return pool;
}

export async function openPool(url: string): Promise<pg.Pool> {
  const pool = createPool(url);
  try {
    await migrate(pool);
    return pool;
  } catch (err) {
    await pool.end();
    throw err;
  }
}
