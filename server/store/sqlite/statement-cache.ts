// Statements prepared once per connection. The store calls `db.prepare(sql)` where it runs a query
// (short, readable methods), and preparing parses and plans the SQL every time: in a reconnect storm
// that was a good part of each hello's CPU. `cacheStatements` makes `prepare` hand back the statement
// already prepared for the same text on that connection, so callers need not change.
//
// A statement is shared only while it is in its default state: one a caller switched to pluck, raw or
// expand leaves the cache and stays that caller's (a later prepare of the text gets a fresh one), and
// one still busy iterating is not handed out twice. The cache is bounded, for SQL built per call.
import type Database from 'better-sqlite3';

/** Distinct SQL texts kept per connection; the store has a few hundred. */
export const STATEMENT_CACHE_SIZE = 1000;

type Statement = Database.Statement<unknown[], unknown>;
const MODES = ['pluck', 'raw', 'expand'] as const;

/** Makes `db.prepare` reuse statements by SQL text; returns the same connection. */
export function cacheStatements<D extends Database.Database>(db: D, size = STATEMENT_CACHE_SIZE): D {
  const prepare = db.prepare.bind(db) as (sql: string) => Statement;
  const cache = new Map<string, Statement>();
  const cached = (sql: string): Statement => {
    const hit = cache.get(sql);
    if (hit && !hit.busy) {
      // Most recently used last, so the bound drops the least recently used.
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const statement = prepare(sql);
    if (hit) return statement; // the cached one is mid-iteration: this caller gets its own
    cache.set(sql, statement);
    if (cache.size > size) cache.delete(cache.keys().next().value as string);
    giveAwayOnModeChange(statement, () => {
      if (cache.get(sql) === statement) cache.delete(sql);
    });
    return statement;
  };
  db.prepare = cached as D['prepare'];
  return db;
}

/** A cached statement switched out of its default state belongs to its caller from then on. */
function giveAwayOnModeChange(statement: Statement, evict: () => void): void {
  const own = statement as unknown as Record<(typeof MODES)[number], (on?: boolean) => Statement>;
  for (const mode of MODES) {
    const original = own[mode].bind(statement);
    own[mode] = (on?: boolean) => {
      if (on !== false) evict();
      return on === undefined ? original() : original(on);
    };
  }
}
