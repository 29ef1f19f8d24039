// The endpoints of the SDP contract server: what each documented call does to the records and
// answers. Bodies are checked against the documented samples (./documented.ts); values SDP would
// refuse (unknown status, priority, technician, requester, asset) are refused.
import { ASSET_APIS, DOCS, type Documented } from './documented.js';
import {
  noteOut,
  Refusal,
  requestOut,
  workstationOut,
  worklogOut,
  type Person,
  type Req,
  type Row,
  type Workstation,
} from './contract-state.js';
import type { ListInput, SdpContractServer } from './contract-server.js';

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  path: RegExp;
  /** The documented sample input_data must conform to; 'list' for list_info; 'file' for an upload. */
  input?: Documented | 'list' | 'file';
  handle(params: string[], input: unknown): { status?: number; body: Row };
}

/** SDP's out-of-the-box values; the contract refuses others as SDP would. */
export const CONTRACT_STATUSES = ['Open', 'In Progress', 'On Hold', 'Resolved', 'Closed', 'Canceled'];
export const CONTRACT_PRIORITIES = ['Low', 'Medium', 'High', 'Urgent', 'Normal'];
export const CONTRACT_CLOSURE_CODES = ['success', 'Canceled', 'Failed', 'Postponed', 'Rejected', 'Unable to Reproduce'];

type Named = { name: string };
type RequestIn = {
  request: {
    subject: string;
    description?: string;
    requester: { id?: string; name?: string; email_id?: string };
    priority?: Named;
    template?: Named;
    category?: Named;
    subcategory?: Named;
    status?: Named;
    assets?: { id: string }[];
    site?: Named;
    account?: Named;
    udf_fields?: Record<string, string>;
  };
};
type CloseIn = { request: { closure_info: { closure_code?: Named; closure_comments?: string } } };
type WorklogIn = {
  owner: { id?: string; name?: string; email_id?: string };
  description?: string;
  start_time: { value: string };
  end_time: { value: string };
  time_spent?: { hours?: string; minutes?: string; value?: string };
};

const ok = (key: string, record: Row, status = 200) => ({
  status,
  body: { [key]: record, response_status: { status_code: 2000, status: 'success' } },
});

export function handlers(s: SdpContractServer): Route[] {
  const f = s.opts.flavour;
  const keys =
    f === 'onprem'
      ? { note: 'note', notes: 'notes', worklog: 'worklog', worklogs: 'worklogs' }
      : { note: 'request_note', notes: 'request_notes', worklog: 'request_worklog', worklogs: 'request_worklogs' };
  const api = s.opts.technicians[0];
  if (!api) throw new Error('the contract server needs at least one technician');
  const technician = (o: { id?: string; name?: string; email_id?: string }): Person => {
    const t = s.opts.technicians.find((p) => p.id === o.id || p.name === o.name || p.email_id === o.email_id);
    if (!t) throw new Refusal(400, `worklog owner is not a technician: ${JSON.stringify(o)}`);
    return t;
  };
  const known = (value: string, list: string[], what: string) => {
    if (!list.includes(value)) throw new Refusal(400, `unknown ${what}: ${value}`);
    return value;
  };
  const requester = (r: RequestIn['request']['requester']): Person => {
    if (r.id) {
      const p = s.state.requesters.get(r.id);
      if (!p) throw new Refusal(400, `no requester ${r.id}`);
      return p;
    }
    if (!r.email_id) throw new Refusal(400, 'a requester needs an id or an email_id');
    return s.state.requester(r.email_id, r.name);
  };

  const routes: Route[] = [
    {
      method: 'POST',
      path: /^\/api\/v3\/requests$/,
      input: DOCS.requestAdd,
      handle: (_p, input) => {
        const { request: r } = input as RequestIn;
        const at = s.now();
        for (const a of r.assets ?? []) if (!s.state.workstations.has(a.id)) throw new Refusal(400, `no asset ${a.id}`);
        const req: Req = {
          id: s.state.nextId(),
          subject: r.subject,
          description: r.description ?? '',
          status: known(r.status?.name ?? 'Open', CONTRACT_STATUSES, 'status'),
          priority: known(r.priority?.name ?? 'Normal', CONTRACT_PRIORITIES, 'priority'),
          ...(r.category ? { category: r.category.name } : {}),
          ...(r.template ? { template: r.template.name } : {}),
          ...(r.subcategory ? { subcategory: r.subcategory.name } : {}),
          requester: requester(r.requester),
          created: at,
          updated: at,
          updatedBy: api,
          udf: { ...(r.udf_fields ?? {}) },
          assets: (r.assets ?? []).map((a) => a.id),
          ...(r.site ? { site: r.site.name } : {}),
          ...(r.account ? { account: r.account.name } : {}),
          notes: [],
          worklogs: [],
          attachments: [],
        };
        s.state.requests.set(req.id, req);
        return ok('request', requestOut(req), 201);
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v3\/requests$/,
      input: 'list',
      handle: (_p, input) => ({
        body: s.list('requests', 'requests', [...s.state.requests.values()].map(requestOut), input as ListInput | undefined),
      }),
    },
    { method: 'GET', path: /^\/api\/v3\/requests\/(\d+)$/, handle: ([id]) => ok('request', requestOut(s.request(id!))) },
    {
      method: 'PUT',
      path: /^\/api\/v3\/requests\/(\d+)$/,
      input: DOCS.requestUpdate,
      handle: ([id], input) => {
        const r = s.request(id!);
        const name = (input as { request: { status?: Named } }).request.status?.name;
        if (name === undefined) throw new Refusal(400, 'this contract edits the status only');
        // Closing is the close call's: closure rules and code apply there.
        if (known(name, CONTRACT_STATUSES, 'status') === 'Closed')
          throw new Refusal(400, 'close a request with PUT /api/v3/requests/{id}/close, not by writing its status');
        Object.assign(r, { status: name, updated: s.now(), updatedBy: api });
        return ok('request', requestOut(r));
      },
    },
    {
      method: 'PUT',
      path: /^\/api\/v3\/requests\/(\d+)\/close$/,
      input: DOCS.requestClose,
      handle: ([id], input) => {
        const r = s.request(id!);
        const info = (input as CloseIn).request.closure_info;
        if (s.opts.closureCodeRequired && !info.closure_code) throw new Refusal(400, 'the closure rules require a closure code');
        if (info.closure_code) known(info.closure_code.name, CONTRACT_CLOSURE_CODES, 'closure code');
        Object.assign(r, { status: 'Closed', closureCode: info.closure_code?.name, updated: s.now(), updatedBy: api });
        return ok('request', requestOut(r));
      },
    },
    {
      method: 'PUT',
      path: /^\/api\/v3\/requests\/(\d+)\/upload$/,
      input: 'file',
      handle: ([id], input) => {
        const r = s.request(id!);
        const file = input as { name: string; size: number; content: Buffer };
        const att = { id: s.state.nextId(), name: file.name, size: file.size, content: file.content };
        r.attachments.push(att);
        return {
          body: {
            attachments: [{ id: att.id, name: att.name, size: String(att.size) }],
            response_status: [{ status_code: 2000, status: 'success' }],
          },
        };
      },
    },
    {
      method: 'POST',
      path: /^\/api\/v3\/requests\/(\d+)\/notes$/,
      input: DOCS.note(f),
      handle: ([id], input) => {
        const r = s.request(id!);
        const body = (input as Record<string, { description: string; show_to_requester?: boolean }>)[keys.note];
        if (!body) throw new Refusal(400, `the note goes under ${keys.note}`);
        const at = s.now();
        const note = {
          id: s.state.nextId(),
          description: body.description,
          show_to_requester: body.show_to_requester ?? false,
          added: at,
          by: api,
        };
        r.notes.push(note);
        Object.assign(r, { updated: at, updatedBy: api });
        return ok(keys.note, noteOut(note), 201);
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v3\/requests\/(\d+)\/notes$/,
      input: 'list',
      handle: ([id], input) => ({ body: s.list('requests', keys.notes, s.request(id!).notes.map(noteOut), pagingOnly(input)) }),
    },
    {
      method: 'POST',
      path: /^\/api\/v3\/requests\/(\d+)\/worklogs$/,
      input: DOCS.worklog(f),
      handle: ([id], input) => {
        const r = s.request(id!);
        const w = (input as Record<string, WorklogIn>)[keys.worklog];
        if (!w) throw new Refusal(400, `the worklog goes under ${keys.worklog}`);
        const [start, end] = [Number(w.start_time.value), Number(w.end_time.value)];
        if (!(end >= start)) throw new Refusal(400, 'end_time is before start_time');
        const t = w.time_spent ?? {};
        const minutes = t.value !== undefined ? Number(t.value) / 60_000 : Number(t.hours ?? 0) * 60 + Number(t.minutes ?? 0);
        const log = { id: s.state.nextId(), description: w.description ?? '', owner: technician(w.owner), start, end, minutes };
        r.worklogs.push(log);
        Object.assign(r, { updated: s.now(), updatedBy: api });
        return ok(keys.worklog, worklogOut(log, f), 201);
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v3\/requests\/(\d+)\/worklogs$/,
      input: 'list',
      handle: ([id], input) => ({
        body: s.list(
          'requests',
          keys.worklogs,
          s.request(id!).worklogs.map((w) => worklogOut(w, f)),
          pagingOnly(input),
        ),
      }),
    },
    {
      method: 'GET',
      path: /^\/api\/v3\/requesters$/,
      input: 'list',
      handle: (_p, input) => ({
        body: s.list(
          'requesters',
          'requesters',
          [...s.state.requesters.values()].map((p) => ({ ...p })),
          input as ListInput | undefined,
        ),
      }),
    },
    {
      method: 'POST',
      path: /^\/api\/v3\/requesters$/,
      input: DOCS.requester,
      handle: (_p, input) => {
        const { requester: r } = input as { requester: { name: string; email_id?: string } };
        if (!r.email_id) throw new Refusal(400, 'Outpost requesters need an email_id');
        return ok('requester', { ...s.state.requester(r.email_id, r.name) }, 201);
      },
    },
  ];
  const apis = s.opts.assetApi === 'old-only' ? (['old'] as const) : (['new', 'old'] as const);
  for (const which of apis) routes.push(...workstationRoutes(s, which));
  return routes;
}

function workstationRoutes(s: SdpContractServer, which: 'old' | 'new'): Route[] {
  const doc = ASSET_APIS[which];
  const base = doc.path.replace(/\//g, '\\/');
  const input = which === 'new' ? DOCS.workstationNew : DOCS.workstationOld;
  const save = (id: string, body: unknown): Workstation => {
    const w = (body as Record<string, Record<string, unknown>>)[doc.root]!;
    const cs = (w.computer_system ?? {}) as Record<string, string | undefined>;
    const udf =
      which === 'old'
        ? { ...((w.workstation_udf_fields ?? {}) as Record<string, unknown>) }
        : Object.fromEntries(Object.entries(w).filter(([k]) => k.startsWith('udf_')));
    const prev = s.state.workstations.get(id);
    const product = (w.product as { name: string }).name;
    if (!s.opts.products.includes(product)) throw new Refusal(400, `no product named ${product}`);
    const ws: Workstation = {
      id,
      name: w.name as string,
      product,
      state: (w.state as { name: string }).name,
      // A field left out of an update keeps its value (a desk-owned field Outpost does not send).
      macs: w.network_adapters
        ? (w.network_adapters as unknown as { mac_address: string }[]).map((n) => n.mac_address)
        : (prev?.macs ?? []),
      udf: { ...(prev?.udf ?? {}), ...udf },
      ...(cs.bios_manufacturer || cs.bios_version || cs.bios_date
        ? { bios: { manufacturer: cs.bios_manufacturer, version: cs.bios_version, date: cs.bios_date } }
        : prev?.bios
          ? { bios: prev.bios }
          : {}),
      ...(cs.service_tag ? { serviceTag: cs.service_tag } : {}),
      ...(cs.system_manufacturer ? { manufacturer: cs.system_manufacturer } : {}),
      ...(cs.model ? { model: cs.model } : {}),
      ...(w.operating_system ? { os: (w.operating_system as { os: string }).os } : {}),
      ...(w.last_logged_user ? { lastLoggedUser: w.last_logged_user as string } : {}),
      ...(w.description ? { description: w.description as string } : {}),
      ...(prev?.site ? { site: prev.site } : {}),
    };
    s.state.workstations.set(id, ws);
    return ws;
  };
  const one = (id: string) => {
    const w = s.state.workstations.get(id);
    if (!w) throw new Refusal(404, `no workstation ${id}`);
    return w;
  };
  const routes: Route[] = [
    {
      method: 'POST',
      path: new RegExp(`^${base}$`),
      input,
      handle: (_p, body) => ok(doc.root, workstationOut(save(s.state.nextId(), body), which), 201),
    },
    {
      method: 'PUT',
      path: new RegExp(`^${base}\\/(\\d+)$`),
      input,
      handle: ([id], body) => ok(doc.root, workstationOut(save(one(id!).id, body), which)),
    },
    { method: 'GET', path: new RegExp(`^${base}\\/(\\d+)$`), handle: ([id]) => ok(doc.root, workstationOut(one(id!), which)) },
    {
      method: 'GET',
      path: new RegExp(`^${base}$`),
      input: 'list',
      handle: (_p, l) => ({
        body: s.list(
          'workstations',
          doc.list,
          [...s.state.workstations.values()].map((w) => workstationOut(w, which)),
          l as ListInput | undefined,
        ),
      }),
    },
  ];
  if (which === 'new') {
    routes.unshift({
      method: 'GET',
      path: new RegExp(`^${base}\\/_metainfo$`),
      handle: () => ({ body: { metainfo: { entity: doc.root }, response_status: { status_code: 2000, status: 'success' } } }),
    });
  }
  return routes;
}

/** Notes and worklogs are listed whole; the contract allows paging but no search on them. */
function pagingOnly(input: unknown): ListInput | undefined {
  const l = input as ListInput | undefined;
  if (l?.list_info.search_criteria !== undefined || l?.list_info.sort_field !== undefined)
    throw new Refusal(400, 'notes and worklogs take paging only');
  return l;
}
