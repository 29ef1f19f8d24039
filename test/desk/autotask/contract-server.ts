// An Autotask REST stand-in for tests, built from Datto's documentation (./fixtures, README.md
// there): real HTTP on port 0, zone discovery, the three auth headers, the documented filter
// language and envelopes, entity fields as the entity pages list them, and the hourly request
// threshold. Anything off-contract is refused with `{errors: [...]}` and recorded in `violations`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutotaskState, CONVENTIONS, ENTITIES, matches, PICKLISTS, Refusal, type EntityName, type Row } from './contract-state.js';
import { checkProduct } from './contract-products.js';

export interface AutotaskContractOptions {
  integrationCode: string;
  user: string;
  secret: string;
  /** The database's hourly allowance (documented: 10,000). */
  threshold?: number;
  now?: () => number;
  /** The ticket UDFs the database defines (Tickets/entityInformation/userDefinedFields); "Outpost Key" when absent. */
  ticketUdfs?: string[];
  /** The database's billing codes a product may be billed under (productBillingCodeID); [BILLING_CODE] when absent. */
  billingCodes?: number[];
}

/** The Material billing code a fresh contract database has. */
export const BILLING_CODE = 29682801;

const HOUR = 3_600_000;
const ZONE = '/atservicesrest';

export class AutotaskContractServer {
  readonly state = new AutotaskState();
  readonly violations: string[] = [];
  /** Every call that passed the checks, as "METHOD /path". */
  readonly calls: string[] = [];
  /** True: every connection is cut (an outage); the data stays. */
  down = false;
  /** The next call matching this ("METHOD /path" pattern) is carried out, but its answer is lost. */
  loseAnswerOf: RegExp | null = null;
  /** Requests counted against the threshold in the current hour. */
  requestCount = 0;
  private windowStart = 0;
  private server: Server | null = null;
  private origin = '';
  private readonly pages = new Map<string, number[]>();
  readonly now: () => number;
  /** The API user's own resource. */
  readonly api: Row;

  constructor(readonly opts: AutotaskContractOptions) {
    this.now = opts.now ?? Date.now;
    this.api = this.state.add('Resources', { userName: opts.user, email: opts.user, firstName: 'Outpost', lastName: 'API' });
  }

  /** The zone discovery base the connector is given (its `discoveryUrl`). */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return `${this.origin}${ZONE}`;
  }

  /** The zone's REST base, as ZoneInformation answers it, with the version. */
  get restUrl(): string {
    return `${this.origin}/ATServicesRest/V1.0`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  addResource(firstName: string, lastName: string, email: string): Row {
    return this.state.add('Resources', { userName: email, email, firstName, lastName });
  }

  addDevice(ci: { referenceTitle: string; serialNumber?: string; referenceNumber?: string; companyID: number }): Row {
    return this.state.add('ConfigurationItems', { isActive: true, productID: 1, userDefinedFields: [], ...ci });
  }

  /** A person in Autotask changes a ticket's status (by label). */
  personSetsStatus(ticketId: string, label: string, by: Row): void {
    const t = this.state.get('Tickets', Number(ticketId));
    Object.assign(t, { status: this.state.label('Tickets', 'status', label), ...this.touched(by) });
  }

  /** A person in Autotask adds a note with a publish level (by label). */
  personAddsNote(ticketId: string, text: string, publishLabel: string, by: Row): Row {
    const t = this.state.get('Tickets', Number(ticketId));
    Object.assign(t, this.touched(by));
    return this.state.add('TicketNotes', {
      ticketID: t.id,
      title: 'Update',
      description: text,
      noteType: 1,
      publish: this.state.label('TicketNotes', 'publish', publishLabel),
      createDateTime: this.stamp(),
      lastActivityDate: this.stamp(),
      creatorResourceID: by.id,
      createdByContactID: null,
    });
  }

  private stamp(): string {
    return new Date(this.now()).toISOString();
  }

  private touched(by: Row) {
    return { lastActivityDate: this.stamp(), lastActivityResourceID: by.id };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', this.origin);
    const line = `${req.method} ${url.pathname}`;
    try {
      const body = await readBody(req);
      const path = url.pathname.replace(/^\/atservicesrest\/v1\.0\//i, '/');
      if (path === url.pathname) throw new Refusal(404, `not an Autotask REST path: ${url.pathname}`);
      if (/^\/zoneInformation$/i.test(path)) {
        if (url.searchParams.get('user') !== this.opts.user) throw new Refusal(500, 'zoneInformation needs ?user= of an Autotask user');
        this.calls.push(line);
        send(res, 200, { zoneName: 'Contract zone', url: `${this.origin}/ATServicesRest/`, webUrl: `${this.origin}/`, ci: 1 });
        return;
      }
      this.checkHeaders(req, body);
      this.countRequest();
      const out = this.route(req.method ?? 'GET', path, body, url);
      this.calls.push(line);
      if (this.loseAnswerOf?.test(line)) {
        this.loseAnswerOf = null;
        req.socket.destroy();
        return;
      }
      send(res, 200, out);
    } catch (err) {
      const refusal = err instanceof Refusal ? err : new Refusal(500, err instanceof Error ? err.message : String(err));
      if (refusal.status !== 429) this.violations.push(`${line}: ${refusal.message}`);
      send(res, refusal.status, { errors: [refusal.message] });
    }
  }

  private checkHeaders(req: IncomingMessage, body: string): void {
    const h = req.headers;
    if (h.authorization !== undefined) throw new Refusal(401, 'the REST API takes UserName/Secret headers, not Authorization');
    if (h.apiintegrationcode !== this.opts.integrationCode) throw new Refusal(401, 'ApiIntegrationCode header missing or wrong');
    if (h.username !== this.opts.user || h.secret !== this.opts.secret)
      throw new Refusal(401, 'UserName or Secret header missing or wrong');
    if (body && !(h['content-type'] ?? '').startsWith('application/json')) throw new Refusal(400, 'a body must be application/json');
    if (/mozilla/i.test(h['user-agent'] ?? '')) throw new Refusal(400, 'a connector must not pose as a browser');
  }

  /** The documented hourly threshold; over it, requests are refused until the hour rolls on. */
  private countRequest(): void {
    if (this.now() - this.windowStart >= HOUR) [this.windowStart, this.requestCount] = [this.now(), 0];
    this.requestCount++;
    if (this.requestCount > (this.opts.threshold ?? 10_000)) throw new Refusal(429, 'API request threshold exceeded for this database');
  }

  private route(method: string, path: string, raw: string, url: URL): unknown {
    const body = raw ? parseJson(raw) : undefined;
    let m: RegExpExecArray | null;
    if (method === 'GET' && /^\/ThresholdInformation$/i.test(path)) {
      return {
        externalRequestThreshold: this.opts.threshold ?? 10_000,
        requestThresholdTimeframe: 60,
        currentTimeframeRequestCount: this.requestCount,
      };
    }
    if (method === 'GET' && (m = /^\/(\w+)\/entityInformation\/fields$/.exec(path))) return this.fields(m[1]!);
    if (method === 'GET' && /^\/Tickets\/entityInformation\/userDefinedFields$/.test(path)) return this.ticketUdfs();
    if (method === 'POST' && (m = /^\/(\w+)\/query$/.exec(path))) return this.query(entity(m[1]!), body);
    if (method === 'GET' && (m = /^\/(\w+)\/query\/next$/.exec(path)))
      return this.nextPage(entity(m[1]!), url.searchParams.get('paging') ?? '');
    if (method === 'GET' && (m = /^\/(\w+)\/(\d+)$/.exec(path))) return { item: this.state.get(entity(m[1]!), Number(m[2])) };
    if (method === 'POST' && /^\/Tickets$/.test(path))
      return this.create('Tickets', body, (r) => ({ ...r, createDate: this.stamp(), ...this.touched(this.api) }));
    if (method === 'PATCH' && /^\/Tickets$/.test(path)) return this.patchTicket(body);
    if (method === 'POST' && (m = /^\/Tickets\/(\d+)\/Notes$/.exec(path))) return this.createNote(Number(m[1]), body);
    if (method === 'POST' && /^\/TimeEntries$/.test(path)) return this.createTimeEntry(body);
    if (method === 'POST' && /^\/Products$/.test(path)) return this.create('Products', body, (r) => this.product(r));
    if (method === 'PATCH' && /^\/Products$/.test(path)) return this.patchProduct(body);
    if (method === 'POST' && (m = /^\/Companies\/(\d+)\/Contacts$/.exec(path))) {
      const companyID = Number(m[1]);
      return this.create('Contacts', body, (r) => {
        if (r.companyID !== companyID) throw new Refusal(500, 'companyID must be the parent company');
        return r;
      });
    }
    if (method === 'POST' && /^\/(TicketNotes|Contacts)$/.test(path))
      throw new Refusal(405, `${path.slice(1)} is a child entity: create it through its parent`);
    throw new Refusal(404, `no such endpoint: ${method} ${path}`);
  }

  private fields(name: string) {
    const lists = PICKLISTS[name] ?? {};
    const fields = ENTITIES[entity(name)].fields.map((f) => ({
      name: f,
      isPickList: f in lists,
      picklistValues: (lists[f] ?? []).map(([value, label, parent], i) => ({
        value: String(value),
        label,
        isActive: true,
        isDefaultValue: false,
        sortOrder: i + 1,
        ...(parent === undefined ? {} : { parentValue: String(parent) }),
      })),
    }));
    return { fields };
  }

  /** The same envelope as entityInformation/fields (REST_EntityInformationCall.htm), one entry per UDF. */
  private ticketUdfs() {
    const names = this.opts.ticketUdfs ?? ['Outpost Key'];
    return {
      fields: names.map((name) => ({ name, label: name, dataType: 'string', isRequired: false, isReadOnly: false, isQueryable: true })),
    };
  }

  private query(name: EntityName, body: unknown) {
    const q = body as { MaxRecords?: unknown; filter?: unknown; IncludeFields?: unknown } | undefined;
    if (!q || !Array.isArray(q.filter) || q.filter.length === 0) throw new Refusal(500, 'a query needs a filter');
    const extra = Object.keys(q).filter((k) => !['MaxRecords', 'filter', 'IncludeFields'].includes(k));
    if (extra.length) throw new Refusal(500, `unknown query keys: ${extra.join(', ')}`);
    const max = q.MaxRecords === undefined ? CONVENTIONS.maxRecords.max : Number(q.MaxRecords);
    if (!Number.isInteger(max) || max < CONVENTIONS.maxRecords.min || max > CONVENTIONS.maxRecords.max)
      throw new Refusal(500, 'MaxRecords must be 1 to 500');
    const filter = q.filter as unknown[];
    matches(name, { id: 0 }, filter); // the grammar is checked even when there is nothing to match
    const ids = [...this.state.rows[name].values()].filter((r) => matches(name, r, filter)).map((r) => r.id);
    return this.page(name, ids, max);
  }

  private page(name: EntityName, ids: number[], max: number) {
    const rest = ids.slice(max);
    let next: string | null = null;
    if (rest.length) {
      const token = String(this.state.nextId());
      this.pages.set(token, rest);
      next = `${this.origin}/ATServicesRest/V1.0/${name}/query/next?paging=${token}`;
    }
    const items = ids.slice(0, max).map((id) => this.state.get(name, id));
    return { items, pageDetails: { count: items.length, requestCount: max, prevPageUrl: null, nextPageUrl: next } };
  }

  private nextPage(name: EntityName, token: string) {
    const ids = this.pages.get(token);
    if (!ids) throw new Refusal(500, 'unknown page');
    this.pages.delete(token);
    return this.page(name, ids, CONVENTIONS.maxRecords.max);
  }

  /** Fields the entity page lists, the required ones present; picklists hold known values. */
  private checked(name: EntityName, body: unknown, creating: boolean): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Refusal(500, 'the body must be one JSON object');
    const r = body as Record<string, unknown>;
    const doc = ENTITIES[name];
    const unknown = Object.keys(r).filter((k) => !doc.fields.includes(k));
    if (unknown.length) throw new Refusal(500, `${name} has no field(s) ${unknown.join(', ')}`);
    if (creating) {
      if ('id' in r) throw new Refusal(500, 'id is set by Autotask');
      const missing = (doc.requiredOnCreate ?? []).filter((k) => r[k] === undefined || r[k] === null || r[k] === '');
      if (missing.length) throw new Refusal(500, `${name} requires ${missing.join(', ')}`);
    }
    for (const field of Object.keys(PICKLISTS[name] ?? {})) if (field in r) this.state.picklist(name, field, r[field]);
    return r;
  }

  private create(name: EntityName, body: unknown, extra: (r: Record<string, unknown>) => Record<string, unknown>) {
    const r = this.checked(name, body, true);
    if (name === 'Tickets') this.ticketRefs(r);
    return { itemId: this.state.add(name, extra({ ...r })).id };
  }

  private ticketRefs(r: Record<string, unknown>): void {
    if (typeof r.contactID === 'number') this.state.get('Contacts', r.contactID);
    if (typeof r.configurationItemID === 'number') {
      const ci = this.state.get('ConfigurationItems', r.configurationItemID);
      if (ci.companyID !== r.companyID) throw new Refusal(500, 'the device belongs to another company than the ticket');
    }
  }

  private patchTicket(body: unknown) {
    const r = this.checked('Tickets', body, false);
    if (typeof r.id !== 'number') throw new Refusal(500, 'PATCH needs the id of the record');
    const t = this.state.get('Tickets', r.id);
    Object.assign(t, r, this.touched(this.api));
    return { itemId: t.id };
  }

  private product(r: Record<string, unknown>): Record<string, unknown> {
    return checkProduct(r, this.opts.billingCodes ?? [BILLING_CODE]);
  }

  /** PATCH with the id: the fields given change, the others stay (the entity's URLs: Products (PATCH)). */
  private patchProduct(body: unknown) {
    const r = this.checked('Products', body, false);
    if (typeof r.id !== 'number') throw new Refusal(500, 'PATCH needs the id of the record');
    const p = this.state.get('Products', r.id);
    Object.assign(p, this.product({ ...p, ...r }));
    return { itemId: p.id };
  }

  private createNote(ticketId: number, body: unknown) {
    const t = this.state.get('Tickets', ticketId);
    return this.create('TicketNotes', body, (r) => {
      if (r.ticketID !== ticketId) throw new Refusal(500, 'ticketID must be the parent ticket');
      Object.assign(t, this.touched(this.api));
      return {
        ...r,
        createDateTime: this.stamp(),
        lastActivityDate: this.stamp(),
        creatorResourceID: this.api.id,
        createdByContactID: null,
      };
    });
  }

  private createTimeEntry(body: unknown) {
    return this.create('TimeEntries', body, (r) => {
      const hours = r.hoursWorked;
      if (typeof hours !== 'number' || hours <= 0 || hours > 24) throw new Refusal(500, 'hoursWorked must be more than 0 and at most 24');
      this.state.get('Resources', Number(r.resourceID));
      if (r.ticketID !== undefined) this.state.get('Tickets', Number(r.ticketID));
      for (const k of ['startDateTime', 'endDateTime'])
        if (r[k] !== undefined && (typeof r[k] !== 'string' || Number.isNaN(Date.parse(r[k]))))
          throw new Refusal(500, `${k} is not a date-time`);
      return r;
    });
  }
}

function entity(name: string): EntityName {
  const names: EntityName[] = ['Tickets', 'TicketNotes', 'TimeEntries', 'ConfigurationItems', 'Contacts', 'Resources', 'Products'];
  const found = names.find((e) => e.toLowerCase() === name.toLowerCase());
  if (!found) throw new Refusal(404, `no entity ${name} in this contract`);
  return found;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new Refusal(500, 'the body is not JSON');
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
