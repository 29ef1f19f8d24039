// Versioned PostgreSQL schema, numbered in step with SQLite's (sqlite/migrations.ts): a database at
// version N holds the same tables and columns on both engines. Migration 1 here brings an empty
// database straight to SQLite's 11; each later one carries SQLite's number. Released migrations are
// never edited, only followed by new ones.
import type { PoolClient } from 'pg';
import { SCHEMA_1 } from './schema.js';
import { SCHEMA_1_SOFTWARE } from './schema-software.js';
import {
  SCHEMA_12_DEPLOY,
  SCHEMA_13_TEMPLATES,
  SCHEMA_14_STAGING_DIGESTS,
  SCHEMA_15_STAGING_PAGES,
  SCHEMA_16_SOFTWARE_REQUESTS,
} from './schema-later.js';
import { SCHEMA_17_SOFTWARE_ROWS } from './schema-software-rows.js';
import { SCHEMA_18_SECTIONS } from './schema-sections.js';
import { SCHEMA_20_COUNTS } from './schema-counts.js';
import { inTransaction, type Queryable } from './tx.js';
import type pg from 'pg';

interface Migration {
  /** The schema version the database is at once this migration ran. */
  version: number;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  { version: 11, sql: SCHEMA_1 + SCHEMA_1_SOFTWARE },
  { version: 12, sql: SCHEMA_12_DEPLOY },
  { version: 13, sql: SCHEMA_13_TEMPLATES },
  { version: 14, sql: SCHEMA_14_STAGING_DIGESTS },
  { version: 15, sql: SCHEMA_15_STAGING_PAGES },
  { version: 16, sql: SCHEMA_16_SOFTWARE_REQUESTS },
  { version: 17, sql: SCHEMA_17_SOFTWARE_ROWS },
  { version: 18, sql: SCHEMA_18_SECTIONS },
  // The sections of a retired generation a batch compared ahead of the sweeper (../rest-sweep.ts).
  { version: 19, sql: 'ALTER TABLE software_garbage ADD COLUMN rest_ahead text;' },
  { version: 20, sql: SCHEMA_20_COUNTS },
];

export const PG_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Any one number: every server process migrating the same database takes this lock first. */
const MIGRATION_LOCK = 0x6f757470;

export async function schemaVersion(db: Queryable): Promise<number> {
  const table = await db.query<{ t: string | null }>("SELECT to_regclass('meta')::text AS t");
  if (table.rows[0]?.t == null) return 0;
  const row = await db.query<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'");
  return row.rows[0] ? Number(row.rows[0].value) : 0;
}

/**
 * Brings the schema up to `target` (the latest; tests build older databases with a lower one), in one
 * transaction; other processes wait for it.
 */
export async function migrate(pool: pg.Pool, target: number = PG_SCHEMA_VERSION): Promise<void> {
  await inTransaction(pool, async (client: PoolClient) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL)');
    const current = await schemaVersion(client);
    if (current > PG_SCHEMA_VERSION) {
      throw new Error(`The database schema is version ${current}; this server knows up to ${PG_SCHEMA_VERSION}. Upgrade Outpost.`);
    }
    const pending = MIGRATIONS.filter((m) => m.version > current && m.version <= target);
    if (pending.length === 0) return;
    for (const m of pending) await client.query(m.sql);
    await client.query(
      "INSERT INTO meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [String(pending.at(-1)!.version)],
    );
  });
}
