// A ServiceDesk Plus v3 stand-in for tests, rebuilt from ManageEngine's documentation: real HTTP
// on port 0 that checks every call's method, path, headers and input_data against the documented
// samples (./fixtures, through ./documented.ts) and answers in the documented envelopes. Anything
// off-contract is refused and recorded in `violations`, so a test that asserts it empty fails on
// any wrong header, path or body. It never imports the connector's own types.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContractState, matches, Missing, Refusal, type ListName, type Person, type Row, type SdpCriterion } from './contract-state.js';
import { ContractApprovals } from './contract-approvals.js';
import { ContractProducts } from './contract-products.js';
import { handlers, type Route } from './contract-routes.js';
import { check, CONDITIONS, DOCS, TRANSPORT, type Flavour } from './documented.js';

export interface ListInput {
  list_info: {
    row_count?: number | string;
    start_index?: number;
    sort_field?: string;
    sort_order?: 'asc' | 'desc';
    search_criteria?: SdpCriterion | SdpCriterion[];
  };
}

export interface ContractServerOptions {
  flavour: Flavour;
  token: string;
  /** A portal's URL name: every call must then name it, /app/<portal>/api/v3/... */
  portal?: string;
  /** Technicians who may own worklogs; the first is the API technician. */
  technicians: Person[];
  /** Products that exist (a workstation's product must be one). */
  products?: string[];
  /** Product types the instance has (a product's product_type must be one). */
  productTypes?: string[];
  /** 'old-only': a build before 15100, without the per-product asset APIs. */
  assetApi?: 'per-product' | 'old-only';
  /** The closure rules make a closure code mandatory. */
  closureCodeRequired?: boolean;
  /**
   * The request additional fields the instance has (API names). A search on another one is
   * refused as a failure (status 4000); every name is accepted when absent.
   */
  requestUdfs?: string[];
  now?: () => number;
}

const SDP_ACCEPT = TRANSPORT.accept;
const SDP_FORM = TRANSPORT.form;

const MAX_BODY = 1024 * 1024;

export class SdpContractServer {
  readonly state = new ContractState();
  readonly violations: string[] = [];
  /** Every call that passed the checks, as "METHOD /path". */
  readonly calls: string[] = [];
  private server: Server | null = null;
  private readonly routes: Route[];
  /** Approval levels and approvals people decide in SDP (./contract-approvals.ts). */
  readonly approvals: ContractApprovals;
  /** Products (./contract-products.ts), of the product types `productTypes` names. */
  readonly products: ContractProducts;
  readonly now: () => number;
  readonly opts: ContractServerOptions & { products: string[] };
  /** True: every connection is cut (an outage); the data stays. */
  down = false;
  /** The next call matching this ("METHOD /path" pattern) is carried out, but its answer is lost. */
  loseAnswerOf: RegExp | null = null;

  constructor(opts: ContractServerOptions) {
    this.opts = { products: ['Workstation'], ...opts };
    this.now = opts.now ?? Date.now;
    this.approvals = new ContractApprovals(this);
    this.products = new ContractProducts(this, opts.productTypes ?? ['Workstation', 'Software Package']);
    this.routes = [...handlers(this), ...this.approvals.routes(), ...this.products.routes()];
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A person in SDP changes a request's status. */
  personSetsStatus(id: string, status: string, by: Person): void {
    const r = this.request(id);
    Object.assign(r, { status, updated: this.now(), updatedBy: by });
  }

  /** A person in SDP adds a note (shown to the requester or not). */
  personAddsNote(id: string, text: string, showToRequester: boolean, by: Person): void {
    const r = this.request(id);
    const at = this.now();
    r.notes.push({ id: this.state.nextId(), description: `<div>${text}</div>`, show_to_requester: showToRequester, added: at, by });
    Object.assign(r, { updated: at, updatedBy: by });
  }

  /** A technician logs a phone call as a request in SDP itself: Outpost never sees it being made. */
  personRaisesRequest(subject: string, requester: Person, by: Person): string {
    return this.state.phoneRequest(subject, requester, by, this.now());
  }

  /** A person in SDP fills a workstation's additional field or site. */
  personSetsWorkstationField(id: string, field: string, value: string): void {
    const w = this.state.workstations.get(id);
    if (!w) throw new Refusal(404, `no workstation ${id}`);
    if (field === 'site') w.site = value;
    else w.udf[field] = value;
  }

  request(id: string) {
    const r = this.state.requests.get(id);
    if (!r) throw new Missing(`no request ${id}`);
    return r;
  }

  /** A list answer: filtered by search_criteria, sorted, paged as documented. */
  list(name: ListName, key: string, rows: Row[], input: ListInput | undefined): Row {
    const info = input?.list_info ?? {};
    const criteria = info.search_criteria === undefined ? [] : [info.search_criteria].flat();
    const udfs = this.opts.requestUdfs;
    for (const c of criteria) {
      const udf = name === 'requests' && c.field.startsWith('udf_fields.') ? c.field.slice('udf_fields.'.length) : null;
      if (udfs && udf !== null && !udfs.includes(udf)) throw new Refusal(400, `no additional field ${udf} on requests`);
    }
    let out = rows.filter((row) =>
      criteria.reduce<boolean>((ok, c: SdpCriterion, i) => {
        const v = matchOrRefuse(name, row, c);
        return i > 0 && /^or$/i.test(c.logical_operator ?? 'and') ? ok || v : ok && v;
      }, true),
    );
    if (info.sort_field) out = sortRows(name, out, info.sort_field, info.sort_order ?? 'asc');
    const start = info.start_index ?? 1;
    const count = Number(info.row_count ?? 10);
    const page = out.slice(start - 1, start - 1 + count);
    return {
      [key]: page,
      list_info: { has_more_rows: start - 1 + count < out.length, start_index: start, row_count: page.length },
      response_status: [{ status_code: 2000, status: 'success' }],
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://contract.invalid');
    const line = `${req.method} ${url.pathname}`;
    try {
      const body = await readBody(req);
      this.checkHeaders(req);
      const { route, params } = this.match(req.method ?? '', url.pathname);
      const input = route.input === 'file' ? await fileOf(req, body) : this.input(req, url, body.toString('utf8'), route);
      const out = route.handle(params, input);
      this.calls.push(`${route.method} ${url.pathname}`);
      if (this.loseAnswerOf?.test(line)) {
        this.loseAnswerOf = null;
        req.socket.destroy();
        return;
      }
      send(res, out.status ?? 200, out.body);
    } catch (err) {
      const refusal = err instanceof Refusal ? err : new Refusal(500, err instanceof Error ? err.message : String(err));
      // A build before 15100 has no per-product asset API: asking whether it does is no violation.
      const probe = this.opts.assetApi === 'old-only' && refusal.status === 404 && /\/_metainfo$/.test(url.pathname);
      if (!probe && !(refusal instanceof Missing)) this.violations.push(`${line}: ${refusal.message}`);
      send(res, refusal.status, {
        response_status: {
          status_code: refusal.status === 401 ? 4002 : 4000,
          status: 'failed',
          messages: [{ status_code: 4000, message: refusal.message }],
        },
      });
    }
  }

  private checkHeaders(req: IncomingMessage): void {
    if (req.headers.accept !== SDP_ACCEPT) throw new Refusal(400, `Accept must be ${SDP_ACCEPT}, not ${req.headers.accept ?? '(none)'}`);
    const { flavour, token } = this.opts;
    if (flavour === 'onprem') {
      if (req.headers.authorization !== undefined)
        throw new Refusal(401, 'on-premises takes the technician key in an authtoken header, not Authorization');
      if (req.headers.authtoken !== token) throw new Refusal(401, 'authtoken header missing or wrong');
    } else {
      if (req.headers.authtoken !== undefined)
        throw new Refusal(401, 'cloud takes Authorization: Zoho-oauthtoken, not an authtoken header');
      if (req.headers.authorization !== `Zoho-oauthtoken ${token}`)
        throw new Refusal(401, 'Authorization: Zoho-oauthtoken <token> missing or wrong');
    }
    const ua = req.headers['user-agent'] ?? '';
    if (/mozilla/i.test(ua)) throw new Refusal(400, 'a connector must not pose as a browser');
  }

  private match(method: string, pathname: string): { route: Route; params: string[] } {
    const prefix = this.opts.portal ? `/app/${this.opts.portal}` : '';
    if (!pathname.startsWith(`${prefix}/api/v3/`))
      throw new Refusal(404, `not an API v3 path${prefix ? ` of portal ${this.opts.portal}` : ''}: ${pathname}`);
    const path = pathname.slice(prefix.length);
    const candidates = this.routes.filter((r) => r.path.test(path));
    if (candidates.length === 0) throw new Refusal(404, `no such endpoint: ${path}`);
    const route = candidates.find((r) => r.method === method);
    if (!route) throw new Refusal(405, `${method} is not documented for ${path}`);
    return { route, params: (route.path.exec(path) ?? []).slice(1) };
  }

  private input(req: IncomingMessage, url: URL, body: string, route: Route): unknown {
    let raw: string | null;
    if (route.method === 'GET') {
      const extra = [...url.searchParams.keys()].filter((k) => k !== 'input_data');
      if (extra.length) throw new Refusal(400, `unknown query parameters: ${extra.join(', ')}`);
      if (body) throw new Refusal(400, 'a GET carries input_data in the query, not a body');
      raw = url.searchParams.get('input_data');
    } else {
      if (!(req.headers['content-type'] ?? '').startsWith(SDP_FORM)) throw new Refusal(400, `Content-Type must be ${SDP_FORM}`);
      const form = new URLSearchParams(body);
      const keys = [...form.keys()];
      if (keys.length !== 1 || keys[0] !== 'input_data')
        throw new Refusal(400, `the body must be the one form field input_data, not ${keys.join(', ') || 'nothing'}`);
      raw = form.get('input_data');
    }
    if (raw === null) {
      if (route.input && route.input !== 'list') throw new Refusal(400, 'input_data is required');
      return undefined;
    }
    if (!route.input) throw new Refusal(400, 'this endpoint takes no input_data');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new Refusal(400, 'input_data is not JSON');
    }
    const problems = check(
      route.input === 'list' ? DOCS.list : (route.input as Exclude<Route['input'], 'file' | 'list' | undefined>),
      json,
    );
    if (problems.length) throw new Refusal(400, `input_data does not match the documented sample: ${problems.join('; ')}`);
    if (route.input === 'list') for (const c of [(json as ListInput).list_info.search_criteria ?? []].flat()) checkCondition(c);
    return json;
  }
}

function matchOrRefuse(name: ListName, row: Row, c: SdpCriterion): boolean {
  try {
    return matches(name, row, c);
  } catch (err) {
    throw new Refusal(400, err instanceof Error ? err.message : String(err));
  }
}

function sortRows(name: ListName, rows: Row[], field: string, order: 'asc' | 'desc'): Row[] {
  const allowed = name === 'requests' && (field === 'last_updated_time' || field === 'created_time');
  if (!allowed) throw new Refusal(400, `sorting ${name} by "${field}" is not part of this contract`);
  const at = (r: Row) => Number((r[field] as { value: string }).value) * 1e6 + Number(String(r.id).slice(-6));
  return [...rows].sort((a, b) => (order === 'asc' ? at(a) - at(b) : at(b) - at(a)));
}

function checkCondition(c: SdpCriterion): void {
  if (!CONDITIONS.includes(c.condition)) throw new Refusal(400, `"${c.condition}" is not a documented condition`);
  for (const child of c.children ?? []) checkCondition(child);
}

/** The upload call: one multipart field, input_file, holding one file. */
async function fileOf(req: IncomingMessage, body: Buffer): Promise<{ name: string; size: number; content: Buffer }> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) throw new Refusal(400, 'an upload is multipart/form-data');
  const form = await new Request('http://contract.invalid/', {
    method: 'PUT',
    headers: { 'content-type': type },
    body: new Uint8Array(body),
  }).formData();
  const keys: string[] = [];
  form.forEach((_value, key) => keys.push(key));
  if (keys.length !== 1 || keys[0] !== TRANSPORT.upload.field)
    throw new Refusal(400, `an upload carries one field ${TRANSPORT.upload.field}, not ${keys.join(', ') || 'nothing'}`);
  const file = form.get(TRANSPORT.upload.field);
  if (!(file instanceof Blob)) throw new Refusal(400, `${TRANSPORT.upload.field} must be a file`);
  return { name: file.name, size: file.size, content: Buffer.from(await file.arrayBuffer()) };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Refusal(413, 'body larger than the contract server accepts');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: Row): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
