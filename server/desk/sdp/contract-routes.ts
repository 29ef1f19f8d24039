// The endpoints of the SDP contract server: what each documented call does to the records and
// answers. Values SDP would refuse (unknown status, priority, technician, asset) are refused.
import type { z } from 'zod';
import { noteOut, Refusal, requestOut, softwareOut, workstationOut, worklogOut, type Person, type Req, type Row, type Software, type Workstation } from './contract-state.js';
import type { SdpContractServer } from './contract-server.js';
import {
  ListInputSchema,
  NoteInputSchemas,
  RequesterInputSchema,
  RequestInputSchema,
  RequestUpdateSchema,
  SDP_KEYS,
  SoftwareInputSchema,
  WorkstationInputSchema,
  WorklogInputSchemas,
  type ListInput,
} from './shapes.js';

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  path: RegExp;
  /** Schema for input_data; GETs of lists take ListInputSchema. */
  input?: z.ZodType;
  handle(params: string[], input: unknown): { status?: number; body: Row };
}

/** SDP's out-of-the-box values; the contract refuses others as SDP would. */
export const CONTRACT_STATUSES = ['Open', 'In Progress', 'On Hold', 'Resolved', 'Closed', 'Canceled'];
export const CONTRACT_PRIORITIES = ['Low', 'Medium', 'High', 'Urgent', 'Normal'];

const ok = (key: string, record: Row, status = 200) => ({ status, body: { [key]: record, response_status: { status_code: 2000, status: 'success' } } });

export function handlers(s: SdpContractServer): Route[] {
  const keys = SDP_KEYS[s.opts.flavour];
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

  return [
    {
      method: 'POST',
      path: /^\/api\/v3\/requests$/,
      input: RequestInputSchema,
      handle: (_p, input) => {
        const { request: r } = input as z.infer<typeof RequestInputSchema>;
        const at = s.now();
        for (const a of r.assets ?? []) if (!s.state.workstations.has(a.id)) throw new Refusal(400, `no asset ${a.id}`);
        const req: Req = {
          id: s.state.nextId(),
          subject: r.subject,
          description: r.description,
          status: known(r.status?.name ?? 'Open', CONTRACT_STATUSES, 'status'),
          priority: known(r.priority?.name ?? 'Normal', CONTRACT_PRIORITIES, 'priority'),
          ...(r.category ? { category: r.category.name } : {}),
          requester: s.state.requester(r.requester.email_id, 'name' in r.requester ? r.requester.name : undefined),
          created: at,
          updated: at,
          updatedBy: api,
          udf: { ...(r.udf_fields ?? {}) },
          assets: (r.assets ?? []).map((a) => a.id),
          ...(r.site ? { site: r.site.name } : {}),
          ...(r.account ? { account: r.account.name } : {}),
          notes: [],
          worklogs: [],
        };
        s.state.requests.set(req.id, req);
        return ok('request', requestOut(req), 201);
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v3\/requests$/,
      input: ListInputSchema,
      handle: (_p, input) => ({ body: s.list('requests', 'requests', [...s.state.requests.values()].map(requestOut), input as ListInput | undefined) }),
    },
    { method: 'GET', path: /^\/api\/v3\/requests\/(\d+)$/, handle: ([id]) => ok('request', requestOut(s.request(id!))) },
    {
      method: 'PUT',
      path: /^\/api\/v3\/requests\/(\d+)$/,
      input: RequestUpdateSchema,
      handle: ([id], input) => {
        const r = s.request(id!);
        const status = known((input as z.infer<typeof RequestUpdateSchema>).request.status.name, CONTRACT_STATUSES, 'status');
        Object.assign(r, { status, updated: s.now(), updatedBy: api });
        return ok('request', requestOut(r));
      },
    },
    {
      method: 'POST',
      path: /^\/api\/v3\/requests\/(\d+)\/notes$/,
      input: NoteInputSchemas[s.opts.flavour],
      handle: ([id], input) => {
        const r = s.request(id!);
        const body = (input as Record<string, { description: string; show_to_requester: boolean }>)[keys.note]!;
        const at = s.now();
        const note = { id: s.state.nextId(), description: body.description, show_to_requester: body.show_to_requester, added: at, by: api };
        r.notes.push(note);
        Object.assign(r, { updated: at, updatedBy: api });
        return ok(keys.note, noteOut(note), 201);
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v3\/requests\/(\d+)\/notes$/,
      input: ListInputSchema,
      handle: ([id], input) => ({ body: s.list('requests', keys.notes, s.request(id!).notes.map(noteOut), stripSearch(input)) }),
    },
    {
      method: 'POST',
      path: /^\/api\/v3\/requests\/(\d+)\/worklogs$/,
      input: WorklogInputSchemas[s.opts.flavour],
      handle: ([id], input) => {
        const r = s.request(id!);
        const w = (input as Record<string, WorklogIn>)[keys.worklog]!;
        const start = Number(w.start_time.value);
        const end = Number(w.end_time.value);
        if (end < start) throw new Refusal(400, 'end_time is before start_time');
        const minutes = 'value' in w.time_spent ? Number(w.time_spent.value) / 60_000 : Number(w.time_spent.hours) * 60 + Number(w.time_spent.minutes);
        const log = { id: s.state.nextId(), description: w.description ?? '', owner: technician(w.owner), start, end, minutes };
        r.worklogs.push(log);
        Object.assign(r, { updated: s.now(), updatedBy: api });
        return ok(keys.worklog, worklogOut(log, s.opts.flavour), 201);
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v3\/requests\/(\d+)\/worklogs$/,
      input: ListInputSchema,
      handle: ([id], input) => ({ body: s.list('requests', keys.worklogs, s.request(id!).worklogs.map((w) => worklogOut(w, s.opts.flavour)), stripSearch(input)) }),
    },
    {
      method: 'GET',
      path: /^\/api\/v3\/requesters$/,
      input: ListInputSchema,
      handle: (_p, input) => ({ body: s.list('requesters', 'requesters', [...s.state.requesters.values()].map((p) => ({ ...p })), input as ListInput | undefined) }),
    },
    {
      method: 'POST',
      path: /^\/api\/v3\/requesters$/,
      input: RequesterInputSchema,
      handle: (_p, input) => {
        const { requester } = input as z.infer<typeof RequesterInputSchema>;
        return ok('requester', { ...s.state.requester(requester.email_id, requester.name) }, 201);
      },
    },
    {
      method: 'POST',
      path: /^\/api\/v3\/workstations$/,
      input: WorkstationInputSchema,
      handle: (_p, input) => {
        const w = workstationFrom(s.state.nextId(), input as z.infer<typeof WorkstationInputSchema>);
        s.state.workstations.set(w.id, w);
        return ok('workstation', workstationOut(w), 201);
      },
    },
    {
      method: 'PUT',
      path: /^\/api\/v3\/workstations\/(\d+)$/,
      input: WorkstationInputSchema,
      handle: ([id], input) => {
        if (!s.state.workstations.has(id!)) throw new Refusal(404, `no workstation ${id}`);
        const site = s.state.workstations.get(id!)?.site;
        const w = { ...workstationFrom(id!, input as z.infer<typeof WorkstationInputSchema>), ...(site ? { site } : {}) };
        s.state.workstations.set(w.id, w);
        return ok('workstation', workstationOut(w));
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v3\/workstations\/(\d+)$/,
      handle: ([id]) => {
        const w = s.state.workstations.get(id!);
        if (!w) throw new Refusal(404, `no workstation ${id}`);
        return ok('workstation', workstationOut(w));
      },
    },
    {
      method: 'POST',
      path: /^\/api\/v3\/softwares$/,
      input: SoftwareInputSchema,
      handle: (_p, input) => {
        const sw = softwareFrom(s.state.nextId(), input as z.infer<typeof SoftwareInputSchema>);
        s.state.softwares.set(sw.id, sw);
        return ok('software', softwareOut(sw), 201);
      },
    },
    {
      method: 'PUT',
      path: /^\/api\/v3\/softwares\/(\d+)$/,
      input: SoftwareInputSchema,
      handle: ([id], input) => {
        if (!s.state.softwares.has(id!)) throw new Refusal(404, `no software ${id}`);
        const sw = softwareFrom(id!, input as z.infer<typeof SoftwareInputSchema>);
        s.state.softwares.set(sw.id, sw);
        return ok('software', softwareOut(sw));
      },
    },
    {
      method: 'GET',
      path: /^\/api\/v3\/softwares$/,
      input: ListInputSchema,
      handle: (_p, input) => ({ body: s.list('softwares', 'softwares', [...s.state.softwares.values()].map(softwareOut), input as ListInput | undefined) }),
    },
    {
      method: 'GET',
      path: /^\/api\/v3\/workstations$/,
      input: ListInputSchema,
      handle: (_p, input) => ({ body: s.list('workstations', 'workstations', [...s.state.workstations.values()].map(workstationOut), input as ListInput | undefined) }),
    },
  ];
}

type WorklogIn = {
  owner: { id?: string; name?: string; email_id?: string };
  description?: string;
  start_time: { value: string };
  end_time: { value: string };
  time_spent: { hours: string; minutes: string } | { value: string };
};

/** Notes and worklogs are listed whole; the contract allows paging but no search on them. */
function stripSearch(input: unknown): ListInput | undefined {
  const l = input as ListInput | undefined;
  if (l?.list_info.search_criteria !== undefined || l?.list_info.sort_field !== undefined) throw new Refusal(400, 'notes and worklogs take paging only');
  return l;
}

function workstationFrom(id: string, input: z.infer<typeof WorkstationInputSchema>): Workstation {
  const w = input.workstation;
  return {
    id,
    name: w.name,
    product: w.product.name,
    state: w.state.name,
    macs: (w.network_adapters ?? []).map((n) => n.mac_address),
    ...(w.computer_system?.service_tag ? { serviceTag: w.computer_system.service_tag } : {}),
    ...(w.computer_system?.system_manufacturer ? { manufacturer: w.computer_system.system_manufacturer } : {}),
    ...(w.operating_system ? { os: w.operating_system.os } : {}),
    ...(w.last_logged_user ? { lastLoggedUser: w.last_logged_user } : {}),
    ...(w.description ? { description: w.description } : {}),
  };
}

function softwareFrom(id: string, input: z.infer<typeof SoftwareInputSchema>): Software {
  const sw = input.software;
  return {
    id,
    name: sw.name,
    ...(sw.manufacturer ? { manufacturer: sw.manufacturer.name } : {}),
    ...(sw.software_type ? { type: sw.software_type.name } : {}),
    ...(sw.description ? { description: sw.description } : {}),
  };
}
