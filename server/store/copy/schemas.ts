// What each engine's schema holds, read from the databases themselves (never from a list kept by
// hand): the copy plan (plan.ts) is made from these, so a table or column a later migration adds is
// copied without anyone remembering to add it here.
import type Database from 'better-sqlite3';
import type { Queryable } from '../postgres/tx.js';

export interface SqliteTable {
  name: string;
  /** Columns that hold stored values (generated columns left out), in declaration order. */
  columns: string[];
  /** Primary key columns, in key order. */
  key: string[];
}

export interface PgColumn {
  name: string;
  /** As a cast writes it: text, bigint, boolean, bytea, double precision... */
  type: string;
}

export interface PgForeignKey {
  /** The referencing columns. */
  columns: string[];
  references: string;
}

export interface PgTable {
  name: string;
  /** Columns that take inserted values (generated columns left out). */
  columns: PgColumn[];
  foreignKeys: PgForeignKey[];
  /** Columns whose default draws from a sequence (identity, bigserial), with that sequence. */
  sequences: { column: string; sequence: string }[];
  /** A GENERATED ALWAYS identity column: an insert giving its value says OVERRIDING SYSTEM VALUE. */
  alwaysIdentity: boolean;
}

/** SQLite's own bookkeeping, not data: AUTOINCREMENT's high-water marks are read from it, not copied. */
const SQLITE_INTERNAL = /^sqlite_/;

export function sqliteTables(db: Database.Database): SqliteTable[] {
  const names = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((r) => r.name)
    .filter((name) => !SQLITE_INTERNAL.test(name));
  return names.map((name) => {
    // hidden: 0 a plain column, 1 hidden (virtual tables), 2 and 3 generated (virtual, stored).
    const columns = db
      .prepare<[string], { name: string; hidden: number; pk: number }>('SELECT name, hidden, pk FROM pragma_table_xinfo(?) ORDER BY cid')
      .all(name);
    return {
      name,
      columns: columns.filter((c) => c.hidden === 0).map((c) => c.name),
      key: columns
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
    };
  });
}

/** Every base table of the current schema (views are not data). */
export async function pgTables(db: Queryable): Promise<PgTable[]> {
  const tables = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
  );
  const columns = await db.query<{
    table: string;
    name: string;
    type: string;
    generated: string;
    identity: string;
    sequence: string | null;
  }>(
    `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attgenerated AS generated,
            a.attidentity AS identity,
            pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS sequence
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
  );
  const keys = await db.query<{ table: string; references: string; columns: string[] }>(
    `SELECT c.relname AS table, r.relname AS references,
            ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
                   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS columns
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
      WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace`,
  );
  return tables.rows.map(({ name }) => {
    const own = columns.rows.filter((c) => c.table === name);
    return {
      name,
      columns: own.filter((c) => c.generated === '').map((c) => ({ name: c.name, type: c.type })),
      foreignKeys: keys.rows.filter((k) => k.table === name).map((k) => ({ columns: k.columns, references: k.references })),
      sequences: own.filter((c) => c.sequence !== null).map((c) => ({ column: c.name, sequence: c.sequence! })),
      alwaysIdentity: own.some((c) => c.identity === 'a'),
    };
  });
}
