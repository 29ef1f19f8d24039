// The copy plan: every table the two schemas hold, in an order PostgreSQL's foreign keys accept,
// made from the databases themselves (schemas.ts). The only names written here are the few tables
// that are not fleet data; any other difference between the two schemas refuses the copy, so a table
// a later migration adds is either copied or stops the copy with its name, never silently left out.
import { OutpostError } from '../../../shared/errors.js';
import type { PgColumn, PgTable, SqliteTable } from './schemas.js';

/**
 * Tables the server process makes on PostgreSQL at start (server/fleet/pg-presence.ts), not the
 * migrations: which process is alive and holds which socket now. A stopped SQLite server has none;
 * the target must hold no rows in them either (a server runs, or ran, on that database).
 */
export const PROCESS_TABLES: readonly string[] = ['fleet_processes', 'fleet_sessions'];

/** The one table copied row by row but one: the target's schema version is its own. */
export const META_TABLE = 'meta';
export const OWN_META_KEY = 'schema_version';

export interface TablePlan {
  name: string;
  /** The columns copied, with the PostgreSQL type each value is cast to. */
  columns: PgColumn[];
  /** The source's primary key, to fill in the self-references after the rows are in. */
  key: string[];
  /** Columns that reference a row of the same table (a device's clone_of): copied in a second pass. */
  selfReferences: string[];
  sequences: { column: string; sequence: string }[];
  alwaysIdentity: boolean;
  /** Rows left out: meta's schema_version, which the target has set for itself. */
  where?: string;
}

export function planCopy(source: readonly SqliteTable[], target: readonly PgTable[]): TablePlan[] {
  const targets = target.filter((t) => !PROCESS_TABLES.includes(t.name));
  const onlySource = source.filter((s) => !targets.some((t) => t.name === s.name)).map((s) => s.name);
  const onlyTarget = targets.filter((t) => !source.some((s) => s.name === t.name)).map((t) => t.name);
  if (onlySource.length + onlyTarget.length > 0)
    throw schemasDiffer(`tables only in SQLite: ${list(onlySource)}; only in PostgreSQL: ${list(onlyTarget)}`);
  const plans = targets.map((t) =>
    tablePlan(
      source.find((s) => s.name === t.name)!,
      t,
    ),
  );
  return inReferenceOrder(plans, targets);
}

function tablePlan(source: SqliteTable, target: PgTable): TablePlan {
  const targetNames = target.columns.map((c) => c.name);
  const onlySource = source.columns.filter((c) => !targetNames.includes(c));
  const onlyTarget = targetNames.filter((c) => !source.columns.includes(c));
  if (onlySource.length + onlyTarget.length > 0) {
    throw schemasDiffer(`columns of ${target.name} only in SQLite: ${list(onlySource)}; only in PostgreSQL: ${list(onlyTarget)}`);
  }
  const selfReferences = target.foreignKeys.filter((k) => k.references === target.name).flatMap((k) => k.columns);
  return {
    name: target.name,
    columns: target.columns,
    key: source.key,
    selfReferences,
    sequences: target.sequences,
    alwaysIdentity: target.alwaysIdentity,
    ...(target.name === META_TABLE ? { where: `key <> '${OWN_META_KEY}'` } : {}),
  };
}

/** Referenced tables first. A cycle between two tables is not something Outpost's schema has: refused. */
function inReferenceOrder(plans: TablePlan[], tables: readonly PgTable[]): TablePlan[] {
  const ordered: TablePlan[] = [];
  const placed = new Set<string>();
  let left = [...plans].sort((a, b) => a.name.localeCompare(b.name));
  while (left.length > 0) {
    const ready = left.filter((p) =>
      tables
        .find((t) => t.name === p.name)!
        .foreignKeys.every((k) => k.references === p.name || placed.has(k.references) || PROCESS_TABLES.includes(k.references)),
    );
    if (ready.length === 0) throw schemasDiffer(`foreign keys form a cycle between ${list(left.map((p) => p.name))}`);
    for (const p of ready) placed.add(p.name);
    ordered.push(...ready);
    left = left.filter((p) => !placed.has(p.name));
  }
  return ordered;
}

const list = (names: readonly string[]) => (names.length === 0 ? 'none' : names.join(', '));

const schemasDiffer = (detail: string) =>
  new OutpostError('E_STORE_VERSION', `The SQLite and PostgreSQL schemas differ although their versions match (${detail}).`);
