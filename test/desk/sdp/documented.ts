// The documented samples (./fixtures) as the contract: a body is accepted only when every key in
// it appears at the same place, and of the same kind, in the documented sample, and the required
// paths are there. The connector's own types (server/desk/sdp/shapes.ts) are never consulted.
import { readFileSync } from 'node:fs';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function fixture(name: string): Record<string, Json> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, Json>;
}

const requests = fixture('requests.json') as Record<string, { sample: Json; required: string[]; conditions?: string[] }>;
const notes = fixture('notes-worklogs.json') as Record<string, { samples: Record<Flavour, Json>; required: Record<Flavour, string[]> }>;
const requesters = fixture('requesters.json') as unknown as { sample: Json; required: string[] };
const workstations = fixture('workstations.json') as unknown as Record<
  'old' | 'new',
  { sample: Json; required: string[]; root: string; list: string; path: string }
>;
export const TRANSPORT = fixture('transport.json') as unknown as { accept: string; form: string; upload: { field: string } };

export type Flavour = 'onprem' | 'cloud';

export interface Documented {
  sample: Json;
  required: string[];
}

export const DOCS = {
  requestAdd: pick(requests.add!),
  requestUpdate: pick(requests.update!),
  requestClose: pick(requests.close!),
  list: { sample: requests.list!.sample, required: [] } as Documented,
  note: (f: Flavour): Documented => ({ sample: notes.note!.samples[f], required: notes.note!.required[f] }),
  worklog: (f: Flavour): Documented => ({ sample: notes.worklog!.samples[f], required: notes.worklog!.required[f] }),
  requester: pick(requesters),
  workstationOld: pick(workstations.old),
  workstationNew: pick(workstations.new),
};
export const CONDITIONS: readonly string[] = requests.list!.conditions ?? [];
export const ASSET_APIS = { old: workstations.old, new: workstations.new };

function pick(d: { sample: Json; required: string[] }): Documented {
  return { sample: d.sample, required: d.required };
}

/** Problems with `input` against the documented sample; empty when it conforms. */
export function check(doc: Documented, input: unknown): string[] {
  const problems: string[] = [];
  within(doc.sample, input, '', problems);
  for (const path of doc.required) if (at(input, path) === undefined) problems.push(`${path} is required`);
  return problems;
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'object' : 'value';
}

function within(sample: unknown, input: unknown, path: string, out: string[]): void {
  const [s, i] = [kind(sample), kind(input)];
  if (i === 'null') return;
  if (s !== i && !(s === 'value' && i === 'value')) {
    out.push(`${path || 'input_data'}: a ${i} where the documentation has a ${s}`);
    return;
  }
  if (i === 'list') {
    const element = (sample as unknown[])[0];
    (input as unknown[]).forEach((x, n) => within(element, x, `${path}[${n}]`, out));
  } else if (i === 'object') {
    // A `children` list of criteria nests the criterion itself.
    for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
      const documented = (sample as Record<string, unknown>)[k];
      const here = path ? `${path}.${k}` : k;
      if (k === 'children' && Array.isArray(v)) v.forEach((c, n) => within(sample, c, `${here}[${n}]`, out));
      // Additional fields are named by the admin (udf_sline_301...): any udf_ name where the sample has one.
      else if (documented === undefined && /^udf_[a-z0-9_]+$/.test(k) && Object.keys(sample as object).some((x) => x.startsWith('udf_')))
        continue;
      else if (documented === undefined) out.push(`${here} is not in the documented sample`);
      else within(documented, v, here, out);
    }
  }
}

function at(v: unknown, path: string): unknown {
  let cur: unknown = v;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
