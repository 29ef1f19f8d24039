// One table's rows from SQLite into PostgreSQL, in bounded batches: the source is read row by row
// (an iterator, never the whole table), and each batch is one INSERT ... SELECT FROM unnest(arrays),
// one array per column, so its size is set by rows and bytes, not by PostgreSQL's parameter limit.
import type Database from 'better-sqlite3';
import type { Queryable } from '../postgres/tx.js';
import type { TablePlan } from './plan.js';

export interface BatchLimits {
  /** Rows per INSERT. */
  rows: number;
  /** About this many bytes of values per INSERT (attachments and snapshots are large rows). */
  bytes: number;
}

export const DEFAULT_BATCH: BatchLimits = { rows: 2_000, bytes: 8 * 1024 * 1024 };

/** An identifier from either catalog, quoted for both engines. */
export const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

const whereOf = (plan: TablePlan) => (plan.where ? ` WHERE ${plan.where}` : '');

export function countSourceRows(db: Database.Database, plan: TablePlan): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${quoted(plan.name)}${whereOf(plan)}`).get() as { n: number }).n;
}

export async function countTargetRows(db: Queryable, plan: TablePlan): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${quoted(plan.name)}${whereOf(plan)}`);
  return r.rows[0]!.n;
}

/** SQLite keeps flags as 0/1 and files as blobs; PostgreSQL takes booleans and bytea. */
function toTarget(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'boolean') return value !== 0 && value !== '0' && value !== false;
  if (type === 'bytea' && typeof value === 'string') return Buffer.from(value);
  return value;
}

function sizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length * 2;
  if (Buffer.isBuffer(value)) return value.length;
  return 8;
}

/**
 * Copies every row of the table (self-references left empty: `fillSelfReferences` sets them once all
 * rows are in) and returns how many it inserted; `progress` hears the running count after each batch.
 */
export async function copyTableRows(
  source: Database.Database,
  target: Queryable,
  plan: TablePlan,
  limits: BatchLimits,
  progress: (copied: number) => void,
): Promise<number> {
  const names = plan.columns.map((c) => c.name);
  const select = source.prepare(`SELECT ${names.map(quoted).join(', ')} FROM ${quoted(plan.name)}${whereOf(plan)}`).raw(true);
  const insert =
    `INSERT INTO ${quoted(plan.name)} (${names.map(quoted).join(', ')})${plan.alwaysIdentity ? ' OVERRIDING SYSTEM VALUE' : ''} ` +
    `SELECT * FROM unnest(${plan.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})`;
  const deferred = plan.columns.map((c) => plan.selfReferences.includes(c.name));
  let batch = plan.columns.map((): unknown[] => []);
  let rows = 0;
  let bytes = 0;
  let copied = 0;
  const flush = async () => {
    if (rows === 0) return;
    await target.query(insert, batch);
    copied += rows;
    progress(copied);
    batch = plan.columns.map((): unknown[] => []);
    rows = 0;
    bytes = 0;
  };
  for (const row of select.iterate() as Iterable<unknown[]>) {
    for (let i = 0; i < row.length; i++) {
      const value = deferred[i] ? null : toTarget(plan.columns[i]!.type, row[i]);
      batch[i]!.push(value);
      bytes += sizeOf(value);
    }
    rows++;
    if (rows >= limits.rows || bytes >= limits.bytes) await flush();
  }
  await flush();
  return copied;
}

/** Second pass for columns that point at a row of the same table (a clone's original device). */
export async function fillSelfReferences(
  source: Database.Database,
  target: Queryable,
  plan: TablePlan,
  limits: BatchLimits,
): Promise<void> {
  const typeOf = (name: string) => plan.columns.find((c) => c.name === name)!.type;
  for (const column of plan.selfReferences) {
    const names = [...plan.key, column];
    const select = source
      .prepare(`SELECT ${names.map(quoted).join(', ')} FROM ${quoted(plan.name)} WHERE ${quoted(column)} IS NOT NULL`)
      .raw(true);
    const update =
      `UPDATE ${quoted(plan.name)} AS t SET ${quoted(column)} = v.${quoted(column)} ` +
      `FROM unnest(${names.map((n, i) => `$${i + 1}::${typeOf(n)}[]`).join(', ')}) AS v(${names.map(quoted).join(', ')}) ` +
      `WHERE ${plan.key.map((k) => `t.${quoted(k)} = v.${quoted(k)}`).join(' AND ')}`;
    let batch = names.map((): unknown[] => []);
    for (const row of select.iterate() as Iterable<unknown[]>) {
      row.forEach((value, i) => batch[i]!.push(toTarget(typeOf(names[i]!), value)));
      if (batch[0]!.length >= limits.rows) {
        await target.query(update, batch);
        batch = names.map((): unknown[] => []);
      }
    }
    if (batch[0]!.length > 0) await target.query(update, batch);
  }
}

/**
 * Each sequence goes past the highest id copied, and past the highest SQLite ever handed out
 * (AUTOINCREMENT's sqlite_sequence): an id of a deleted row (a ticket number) is never given again.
 */
export async function advanceSequences(source: Database.Database, target: Queryable, plan: TablePlan): Promise<void> {
  if (plan.sequences.length === 0) return;
  const hasLedger = source.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get() !== undefined;
  const issued = hasLedger
    ? ((source.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(plan.name) as { seq: number } | undefined)?.seq ?? 0)
    : 0;
  for (const { column, sequence } of plan.sequences) {
    const r = await target.query<{ high: number | null }>(`SELECT max(${quoted(column)})::bigint AS high FROM ${quoted(plan.name)}`);
    const high = Math.max(r.rows[0]?.high ?? 0, issued);
    if (high > 0) await target.query('SELECT setval($1::regclass, $2, true)', [sequence, high]);
    else await target.query('SELECT setval($1::regclass, 1, false)', [sequence]);
  }
}
