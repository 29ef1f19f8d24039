// The records behind the SDP contract server, rendered in the documented response shapes, and
// the few list searches the connector relies on. Anything else is refused, never guessed.

/** A search criterion as "Search criteria" documents it (fixtures/requests.json, list). */
export interface SdpCriterion {
  field: string;
  condition: string;
  value?: unknown;
  values?: unknown[];
  logical_operator?: string;
  children?: SdpCriterion[];
}

/** An off-contract call: answered with this HTTP status and recorded as a violation. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Person {
  id: string;
  name: string;
  email_id: string;
  /** The user sample's login_name (help.servicedeskplus.com/user-operations); people added in SDP have one. */
  login_name?: string;
}

/** What SDP answers for a record that does not exist: a documented outcome, not an off-contract call. */
export class Missing extends Refusal {
  constructor(message: string) {
    super(404, message);
  }
}

export interface Note {
  id: string;
  description: string;
  show_to_requester: boolean;
  added: number;
  by: Person;
}

export interface Worklog {
  id: string;
  description: string;
  owner: Person;
  start: number;
  end: number;
  minutes: number;
}

export interface Req {
  id: string;
  subject: string;
  description: string;
  status: string;
  priority: string;
  category?: string;
  /** The request template and subcategory named on add (fixtures/requests.json). */
  template?: string;
  subcategory?: string;
  requester: Person;
  created: number;
  updated: number;
  updatedBy: Person;
  udf: Record<string, string>;
  assets: string[];
  site?: string;
  account?: string;
  notes: Note[];
  worklogs: Worklog[];
  attachments: { id: string; name: string; size: number; content: Buffer }[];
  closureCode?: string;
}

export interface Workstation {
  id: string;
  name: string;
  product: string;
  state: string;
  serviceTag?: string;
  manufacturer?: string;
  os?: string;
  model?: string;
  macs: string[];
  lastLoggedUser?: string;
  description?: string;
  /** Additional fields, by API name (udf_...). */
  udf: Record<string, unknown>;
  /** computer_system.bios_manufacturer, bios_version, bios_date. */
  bios?: { manufacturer?: string | undefined; version?: string | undefined; date?: string | undefined };
  /** Set by a person in SDP, never by the connector. */
  site?: string;
}

export type Row = Record<string, unknown>;

export class ContractState {
  readonly requests = new Map<string, Req>();
  readonly requesters = new Map<string, Person>();
  readonly workstations = new Map<string, Workstation>();
  private next = 100_000_000_000_001n;

  nextId(): string {
    return String(this.next++);
  }

  /** Someone adds a requester in SDP (or SDP imports one from AD): with a login name, perhaps without an email. */
  addRequester(name: string, loginName: string, email = ''): Person {
    const p = { id: this.nextId(), name, email_id: email, login_name: loginName };
    this.requesters.set(p.id, p);
    return p;
  }

  /** A request logged in SDP itself (a phone call). */
  phoneRequest(subject: string, requester: Person, by: Person, at: number): string {
    const id = this.nextId();
    const made = { id, subject, description: '<div>Called in.</div>', status: 'Open', priority: 'Normal', requester, created: at };
    this.requests.set(id, { ...made, updated: at, updatedBy: by, udf: {}, assets: [], notes: [], worklogs: [], attachments: [] });
    return id;
  }

  requester(email: string, name?: string): Person {
    const known = [...this.requesters.values()].find((p) => p.email_id.toLowerCase() === email.toLowerCase());
    if (known) return known;
    const p = { id: this.nextId(), name: name ?? email, email_id: email };
    this.requesters.set(p.id, p);
    return p;
  }
}

const time = (ms: number) => ({ value: String(ms), display_value: new Date(ms).toUTCString() });
const person = (p: Person) => ({ id: p.id, name: p.name, email_id: p.email_id });

export function requestOut(r: Req): Row {
  return {
    id: r.id,
    subject: r.subject,
    description: r.description,
    status: { name: r.status },
    priority: { name: r.priority },
    ...(r.category ? { category: { name: r.category } } : {}),
    requester: person(r.requester),
    created_time: time(r.created),
    last_updated_time: time(r.updated),
    last_updated_by: person(r.updatedBy),
    udf_fields: { ...r.udf },
    assets: r.assets.map((id) => ({ id })),
    ...(r.site ? { site: { name: r.site } } : {}),
    ...(r.account ? { account: { name: r.account } } : {}),
    ...(r.closureCode ? { closure_info: { closure_code: { name: r.closureCode } } } : {}),
  };
}

export function noteOut(n: Note): Row {
  return {
    id: n.id,
    description: n.description,
    show_to_requester: n.show_to_requester,
    added_time: time(n.added),
    added_by: person(n.by),
  };
}

export function worklogOut(w: Worklog, flavour: 'onprem' | 'cloud'): Row {
  const spent =
    flavour === 'cloud'
      ? { value: String(w.minutes * 60_000) }
      : { hours: String(Math.floor(w.minutes / 60)), minutes: String(w.minutes % 60) };
  return {
    id: w.id,
    description: w.description,
    owner: person(w.owner),
    start_time: time(w.start),
    end_time: time(w.end),
    time_spent: spent,
  };
}

/** Old API: additional fields under workstation_udf_fields; the per-product API: udf_<name> keys. */
export function workstationOut(w: Workstation, api: 'old' | 'new'): Row {
  return {
    id: w.id,
    name: w.name,
    product: { name: w.product },
    state: { name: w.state },
    computer_system: { service_tag: w.serviceTag ?? null, system_manufacturer: w.manufacturer ?? null, model: w.model ?? null },
    operating_system: { os: w.os ?? null },
    network_adapters: w.macs.map((m) => ({ mac_address: m })),
    last_logged_user: w.lastLoggedUser ?? null,
    description: w.description ?? null,
    site: w.site ? { name: w.site } : null,
    ...(api === 'old' ? { workstation_udf_fields: { ...w.udf } } : { ...w.udf }),
  };
}

/** Field readers for the searches the contract allows, per list. */
export const SEARCHABLE = {
  requests: {
    last_updated_time: (r: Row) => Number((r.last_updated_time as { value: string }).value),
    created_time: (r: Row) => Number((r.created_time as { value: string }).value),
    udf: (r: Row, field: string) => (r.udf_fields as Record<string, string>)[field.slice('udf_fields.'.length)],
  },
  requesters: { email_id: (r: Row) => r.email_id, login_name: (r: Row) => r.login_name },
  products: { name: (r: Row) => r.name, part_no: (r: Row) => r.part_no },
  workstations: {
    name: (r: Row) => r.name,
    'computer_system.service_tag': (r: Row) => (r.computer_system as { service_tag: string | null }).service_tag,
    'network_adapters.mac_address': (r: Row) => (r.network_adapters as { mac_address: string }[]).map((n) => n.mac_address),
  },
} as const;

export type ListName = keyof typeof SEARCHABLE;

/** Reads a field for a criterion, or throws naming what the contract does not allow. */
function read(list: ListName, row: Row, field: string): unknown {
  if (list === 'requests') {
    const s = SEARCHABLE.requests;
    if (field.startsWith('udf_fields.')) return s.udf(row, field);
    if (field === 'last_updated_time' || field === 'created_time') return s[field](row);
  } else {
    const readers = SEARCHABLE[list] as Record<string, (r: Row) => unknown>;
    const reader = readers[field];
    if (reader) return reader(row);
  }
  throw new Error(`search on "${field}" is not part of this contract for ${list}`);
}

export function matches(list: ListName, row: Row, c: SdpCriterion): boolean {
  const actual = read(list, row, c.field);
  const wanted = c.values ?? [c.value];
  const own = Array.isArray(actual) ? (actual as unknown[]) : [actual];
  const eq = (a: unknown, b: unknown) => String(a).toLowerCase() === String(b).toLowerCase();
  let ok: boolean;
  switch (c.condition) {
    case 'is':
      ok = own.some((a) => wanted.some((w) => eq(a, w)));
      break;
    case 'greater or equal':
      ok = Number(actual) >= Number(c.value);
      break;
    case 'greater than':
      ok = Number(actual) > Number(c.value);
      break;
    default:
      throw new Error(`condition "${c.condition}" is not part of this contract`);
  }
  for (const child of c.children ?? []) {
    const v = matches(list, row, child);
    ok = /^or$/i.test(child.logical_operator ?? 'and') ? ok || v : ok && v;
  }
  return ok;
}
