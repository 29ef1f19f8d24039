// Transactions on the pool: one client for the whole of it, rolled back on any throw. A deadlock or
// serialization failure (two server processes writing the same package-name rows in another order)
// rolls back and runs the whole transaction again, a few times, before the error is given up.
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** A pool or a client inside a transaction: whatever runs queries. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 4;

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      broken = await rollback(client);
      const code = (err as { code?: unknown }).code;
      if (attempt < ATTEMPTS && typeof code === 'string' && RETRYABLE.has(code)) continue;
      throw err;
    } finally {
      // A connection whose rollback failed is not handed to anyone else.
      client.release(broken ? true : undefined);
    }
  }
}

/** True when the connection is unusable. */
async function rollback(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return false;
  } catch {
    return true;
  }
}

/**
 * A statement PostgreSQL keeps prepared on each pooled connection (named by its text's hash), so
 * a statement every batch runs is parsed and planned once per connection instead of at every call:
 * on a loaded machine PostgreSQL's CPU per batch is most of the whole system's. Only for fixed texts
 * (a text made per call would fill every connection's statement cache).
 */
export function prepared(text: string, values: readonly unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    name = `outpost_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return { name, text, values: [...values] };
}

const names = new Map<string, string>();
