// The records behind the Autotask contract server, and the filter language as "Making basic query
// calls to the REST API" documents it (fixtures/rest-conventions.json). Entity fields come from
// fixtures/entities.json: a field the documentation does not list is refused, never guessed.
import { readFileSync } from 'node:fs';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

export const CONVENTIONS = fixture('rest-conventions.json') as {
  filterOperators: { comparison: string[]; nonComparison: string[]; list: string[]; grouping: string[] };
  maxRecords: { min: number; max: number };
  maxOrConditions: number;
};
export type EntityName = 'Tickets' | 'TicketNotes' | 'TimeEntries' | 'ConfigurationItems' | 'Contacts' | 'Resources' | 'Products';
/** The Products entity (fixtures/products.json): fields, required ones, lengths. */
export const PRODUCTS = fixture('products.json') as { fields: string[]; requiredOnCreate: string[]; maxLength: Record<string, number> };
export const ENTITIES = {
  ...(fixture('entities.json') as unknown as Record<Exclude<EntityName, 'Products'>, { fields: string[]; requiredOnCreate?: string[] }>),
  Products: { fields: PRODUCTS.fields, requiredOnCreate: PRODUCTS.requiredOnCreate },
};

/** An off-contract call: answered with this HTTP status and `{errors: [message]}`, and recorded. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Row = Record<string, unknown> & { id: number };
export interface Udf {
  name: string;
  value: string | null;
}

/**
 * Picklists a fresh database might have. The labels are Outpost's defaults (config.ts), not
 * documented values: each database has its own (fixtures/README.md, "not verified").
 */
export const PICKLISTS: Record<string, Record<string, [number, string][] | [number, string, number][]>> = {
  Tickets: {
    status: [
      [1, 'New'],
      [8, 'In Progress'],
      [7, 'Waiting Customer'],
      [5, 'Complete'],
      // Statuses an admin adds for self-service approvals (Picklists.htm: databases add their own values).
      [20, 'Approved'],
      [21, 'Rejected'],
    ],
    priority: [
      [4, 'Critical'],
      [1, 'High'],
      [2, 'Medium'],
      [3, 'Low'],
    ],
    issueType: [
      [10, 'Hardware'],
      [11, 'Software'],
    ],
    // A dependent picklist: [value, label, parent issueType] (Picklists.htm, parentValue). The same
    // label under two issue types, as databases have it.
    subIssueType: [
      [201, 'Printer', 10],
      [202, 'Install', 11],
      [203, 'Other', 10],
      [204, 'Other', 11],
    ],
  },
  TicketNotes: {
    publish: [
      [1, 'All Autotask Users'],
      [2, 'Internal Only'],
    ],
    noteType: [
      [1, 'Task Notes'],
      [2, 'Task Summary'],
    ],
  },
};

export class AutotaskState {
  private seq = 29_684_000;
  readonly rows: Record<EntityName, Map<number, Row>> = {
    Tickets: new Map(),
    TicketNotes: new Map(),
    TimeEntries: new Map(),
    ConfigurationItems: new Map(),
    Contacts: new Map(),
    Resources: new Map(),
    Products: new Map(),
  };

  nextId(): number {
    return ++this.seq;
  }

  add(entity: EntityName, row: Omit<Row, 'id'>): Row {
    const r = { ...row, id: this.nextId() } as Row;
    this.rows[entity].set(r.id, r);
    return r;
  }

  get(entity: EntityName, id: number): Row {
    const r = this.rows[entity].get(id);
    if (!r) throw new Refusal(404, `${entity} ${id} does not exist`);
    return r;
  }

  picklist(entity: string, field: string, value: unknown): number {
    const list = PICKLISTS[entity]?.[field];
    if (!list || !list.some(([v]) => v === value))
      throw new Refusal(500, `${entity}.${field}: ${JSON.stringify(value)} is not a value of the picklist`);
    return value as number;
  }

  label(entity: string, field: string, label: string): number {
    const v = PICKLISTS[entity]?.[field]?.find(([, l]) => l === label)?.[0];
    if (v === undefined) throw new Error(`no ${entity}.${field} labelled ${label}`);
    return v;
  }
}

/** Does `row` match every filter (documented operators only; fields the entity has only)? */
export function matches(entity: EntityName, row: Row, filters: unknown[]): boolean {
  return filters.every((f) => one(entity, row, f));
}

function one(entity: EntityName, row: Row, f: unknown): boolean {
  if (typeof f !== 'object' || f === null) throw new Refusal(500, 'a filter expression must be an object');
  const e = f as { op?: unknown; field?: unknown; value?: unknown; udf?: unknown; items?: unknown };
  const ops = CONVENTIONS.filterOperators;
  const op = String(e.op);
  if (ops.grouping.includes(op)) {
    if (!Array.isArray(e.items) || e.items.length === 0) throw new Refusal(500, `"${op}" needs items`);
    if (op === 'or' && e.items.length > CONVENTIONS.maxOrConditions)
      throw new Refusal(500, 'Queries are limited to 500 or fewer OR conditions.');
    return op === 'and' ? e.items.every((i) => one(entity, row, i)) : e.items.some((i) => one(entity, row, i));
  }
  if (![...ops.comparison, ...ops.nonComparison, ...ops.list].includes(op))
    throw new Refusal(500, `unknown filter operator ${JSON.stringify(e.op)}`);
  if (typeof e.field !== 'string') throw new Refusal(500, 'a filter expression needs a field');
  const actual = fieldValue(entity, row, e.field, e.udf === true);
  if (op === 'exist') return actual !== null && actual !== undefined && actual !== '';
  if (op === 'notExist') return actual === null || actual === undefined || actual === '';
  if (ops.list.includes(op)) {
    if (!Array.isArray(e.value)) throw new Refusal(500, `"${op}" takes a list of values`);
    const hit = e.value.some((v) => same(actual, v));
    return op === 'in' ? hit : !hit;
  }
  if (e.value === undefined || e.value === null) throw new Refusal(500, `"${op}" needs a value`);
  const [a, b] = [text(actual), text(e.value)];
  switch (op) {
    case 'eq':
      return same(actual, e.value);
    case 'noteq':
      return !same(actual, e.value);
    case 'beginsWith':
      return a.toLowerCase().startsWith(b.toLowerCase());
    case 'endsWith':
      return a.toLowerCase().endsWith(b.toLowerCase());
    case 'contains':
      return a.toLowerCase().includes(b.toLowerCase());
    default: {
      if (actual === null || actual === undefined) return false;
      const c = compare(actual, e.value);
      return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    }
  }
}

function fieldValue(entity: EntityName, row: Row, field: string, udf: boolean): unknown {
  if (udf) return (row.userDefinedFields as Udf[] | undefined)?.find((u) => u.name === field)?.value ?? null;
  const name = ENTITIES[entity].fields.find((f) => f.toLowerCase() === field.toLowerCase());
  if (!name || name === 'userDefinedFields')
    throw new Refusal(500, `${entity} has no field ${field}${udf ? '' : ' (a user-defined field needs "udf": true)'}`);
  return row[name];
}

const text = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : v === null || v === undefined
        ? ''
        : JSON.stringify(v);
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return Boolean(a) === (b === true || b === 'true' || b === 1);
  return text(a).toLowerCase() === text(b).toLowerCase();
}
function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number') return a - Number(b);
  const [ta, tb] = [Date.parse(text(a)), Date.parse(text(b))];
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
  return text(a).localeCompare(text(b));
}
