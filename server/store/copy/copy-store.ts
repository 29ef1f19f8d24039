// `outpost store copy`: a stopped server's SQLite store into an empty PostgreSQL database at the
// same schema version. All or nothing: the rows go in one PostgreSQL transaction, read from one
// SQLite read snapshot; the counts are checked before it commits, and any failure rolls it back, so
// the target is either a full copy or as empty as before. The database's own triggers are off while
// the rows go in (what they derive, the software name counts and ticket events, is copied as it is).
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { isOutpostError, OutpostError } from '../../../shared/errors.js';
import { describeStore } from '../open-store.js';
import { migrate, PG_SCHEMA_VERSION, schemaVersion } from '../postgres/migrations.js';
import { createPool } from '../postgres/open.js';
import { SCHEMA_VERSION } from '../sqlite/migrations.js';
import { DB_FILE } from '../sqlite/open.js';
import { planCopy, PROCESS_TABLES, type TablePlan } from './plan.js';
import { pgTables, sqliteTables } from './schemas.js';
import {
  advanceSequences,
  copyTableRows,
  countSourceRows,
  countTargetRows,
  DEFAULT_BATCH,
  fillSelfReferences,
  quoted,
  type BatchLimits,
} from './table-copy.js';

export interface TableCount {
  name: string;
  rows: number;
}

export type CopyEvent =
  | { kind: 'start'; version: number; tables: TableCount[]; onlineDevices: number }
  | { kind: 'progress'; table: string; copied: number; total: number }
  | { kind: 'table'; table: string; rows: number };

export interface CopyOptions {
  /** The SQLite file, or the data directory holding it. */
  from: string;
  /** postgres:// URL of an empty database (no tables at all, or an Outpost schema with no rows). */
  to: string;
  batch?: BatchLimits;
  onEvent?: (event: CopyEvent) => void;
}

export interface CopyReport {
  version: number;
  tables: TableCount[];
}

export async function copySqliteToPostgres(opts: CopyOptions): Promise<CopyReport> {
  const source = openSource(opts.from);
  const pool = createPool(opts.to, 1);
  try {
    const version = sourceVersion(source, opts.from);
    await pool.query('SELECT 1').catch((err: unknown) => {
      throw new OutpostError(
        'E_CONFIG',
        `--to ${describeStore({ dataDir: '', store: opts.to })}: cannot connect (${(err as Error).message})`,
      );
    });
    await prepareTarget(pool, version);
    const plan = planCopy(sqliteTables(source), await pgTables(pool));
    // One read snapshot: the counts and every row are of the same moment.
    source.exec('BEGIN');
    try {
      return await copyInOneTransaction(pool, source, plan, version, opts);
    } finally {
      source.exec('COMMIT');
    }
  } finally {
    source.close();
    await pool.end();
  }
}

async function copyInOneTransaction(
  pool: pg.Pool,
  source: Database.Database,
  plan: TablePlan[],
  version: number,
  opts: CopyOptions,
): Promise<CopyReport> {
  const emit = opts.onEvent ?? (() => {});
  const limits = opts.batch ?? DEFAULT_BATCH;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // ALTER TABLE locks each table for the transaction: nothing else writes while it looks empty.
    for (const t of plan) await client.query(`ALTER TABLE ${quoted(t.name)} DISABLE TRIGGER USER`);
    await refuseNonEmpty(client, plan);
    const tables = plan.map((t) => ({ name: t.name, rows: countSourceRows(source, t) }));
    emit({ kind: 'start', version, tables, onlineDevices: onlineDevices(source) });
    for (const [i, t] of plan.entries()) {
      const total = tables[i]!.rows;
      const rows = await copyTableRows(source, client, t, limits, (copied) =>
        emit({ kind: 'progress', table: t.name, copied, total }),
      ).catch((err: unknown) => {
        throw refused(t.name, err);
      });
      emit({ kind: 'table', table: t.name, rows });
    }
    for (const t of plan) await fillSelfReferences(source, client, t, limits);
    for (const t of plan) await advanceSequences(source, client, t);
    await verifyCounts(client, plan, tables);
    for (const t of plan) await client.query(`ALTER TABLE ${quoted(t.name)} ENABLE TRIGGER USER`);
    await client.query('COMMIT');
    return { version, tables };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** A data directory names the store file in it; anything else must be the file itself. */
export function sourceFile(from: string): string {
  try {
    return statSync(from).isDirectory() ? join(from, DB_FILE) : from;
  } catch {
    throw new OutpostError('E_NOT_FOUND', `${from}: no such file or directory (give the SQLite file or the server's data directory)`);
  }
}

function openSource(from: string): Database.Database {
  const file = sourceFile(from);
  try {
    const db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (err) {
    throw new OutpostError('E_NOT_FOUND', `${file}: cannot open the SQLite store (${(err as Error).message})`);
  }
}

function sourceVersion(db: Database.Database, from: string): number {
  let version = 0;
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
    version = row ? Number(row.value) : 0;
  } catch {
    // not a database, or no meta table: not an Outpost store
  }
  if (version === 0) throw new OutpostError('E_STORE_VERSION', `${from} is not an Outpost SQLite store (it has no schema version).`);
  if (version !== SCHEMA_VERSION) {
    throw new OutpostError(
      'E_STORE_VERSION',
      `The SQLite store is at schema version ${version}; this Outpost copies version ${SCHEMA_VERSION}. ` +
        (version < SCHEMA_VERSION
          ? 'Start this version of "outpost server" on it once (it brings the file up to date), stop it, and copy again.'
          : 'Copy with the Outpost version that last ran that server.'),
    );
  }
  return version;
}

/** An empty database gets this Outpost's schema; one with a schema must be at the source's version. */
async function prepareTarget(pool: pg.Pool, version: number): Promise<void> {
  let found = await schemaVersion(pool);
  if (found === 0) {
    const r = await pool.query<{ n: number }>(
      "SELECT count(*)::bigint AS n FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p', 'v')",
    );
    if (r.rows[0]!.n > 0) {
      throw new OutpostError(
        'E_STORE_NOT_EMPTY',
        'The PostgreSQL database holds tables that are not an Outpost store: copy into a new, empty database.',
      );
    }
    await migrate(pool);
    found = await schemaVersion(pool);
  }
  if (found !== version || found !== PG_SCHEMA_VERSION) {
    throw new OutpostError(
      'E_STORE_VERSION',
      `The PostgreSQL database is at schema version ${found}; the SQLite store and this Outpost are at ${version}. Copy into a new, empty database.`,
    );
  }
}

async function refuseNonEmpty(client: pg.PoolClient, plan: readonly TablePlan[]): Promise<void> {
  const holding: string[] = [];
  for (const t of plan) if ((await countTargetRows(client, t)) > 0) holding.push(t.name);
  for (const name of PROCESS_TABLES) {
    const r = await client.query<{ n: number | null }>(`SELECT CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE 1 END AS n`, [name]);
    if (r.rows[0]?.n !== null && (await client.query(`SELECT 1 FROM ${quoted(name)} LIMIT 1`)).rowCount! > 0) holding.push(name);
  }
  if (holding.length > 0) {
    throw new OutpostError(
      'E_STORE_NOT_EMPTY',
      `The PostgreSQL database already holds data (${holding.join(', ')}): a server ran on it. Nothing was copied; ` +
        'copy into a new, empty database (dropdb and createdb it again if it is a spare).',
    );
  }
}

/** A row PostgreSQL would not take (text holding a NUL character, say): which table, and what it said. */
function refused(table: string, err: unknown): Error {
  if (isOutpostError(err)) return err;
  return new OutpostError(
    'E_STORE_COPY_MISMATCH',
    `${table}: PostgreSQL refused a row (${(err as Error).message}); rolled back, nothing was kept.`,
  );
}

async function verifyCounts(client: pg.PoolClient, plan: readonly TablePlan[], expected: readonly TableCount[]): Promise<void> {
  for (const [i, t] of plan.entries()) {
    const rows = await countTargetRows(client, t);
    if (rows !== expected[i]!.rows) {
      throw new OutpostError(
        'E_STORE_COPY_MISMATCH',
        `${t.name}: PostgreSQL holds ${rows} rows after the copy, SQLite ${expected[i]!.rows}; rolled back, nothing was kept.`,
      );
    }
  }
}

/** Devices the SQLite server still counted as connected: it is running, or it did not stop cleanly. */
function onlineDevices(db: Database.Database): number {
  try {
    return (db.prepare('SELECT count(*) AS n FROM devices WHERE online <> 0').get() as { n: number }).n;
  } catch {
    return 0;
  }
}
