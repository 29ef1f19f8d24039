// Products in the SDP contract server, from the Product page (fixtures/products.json): add and
// edit against the page's sample (name and product_type mandatory, the product type one the
// instance has, names unique), get, and a list searchable by name and part_no.
import { readFileSync } from 'node:fs';
import type { Documented, Json } from './documented.js';
import { Missing, Refusal, type Row } from './contract-state.js';
import type { ListInput, SdpContractServer } from './contract-server.js';
import type { Route } from './contract-routes.js';

const FIXTURE = JSON.parse(readFileSync(new URL('./fixtures/products.json', import.meta.url), 'utf8')) as {
  path: string;
  root: string;
  list: string;
  sample: Json;
  required: string[];
};
const DOC: Documented = { sample: FIXTURE.sample, required: FIXTURE.required };

type ProductIn = { name: string; product_type: { name: string }; part_no?: string; comments?: string; manufacturer?: string };

export class ContractProducts {
  readonly byId = new Map<string, Row>();

  constructor(
    private readonly server: SdpContractServer,
    /** The product types the instance has (Admin > Product Types). */
    private readonly types: string[],
  ) {}

  routes(): Route[] {
    const base = FIXTURE.path.replace(/\//g, '\\/');
    return [
      { method: 'POST', path: new RegExp(`^${base}$`), input: DOC, handle: (_p, body) => this.save(this.server.state.nextId(), body, 201) },
      {
        method: 'PUT',
        path: new RegExp(`^${base}\\/(\\d+)$`),
        input: DOC,
        handle: ([id], body) => this.save(this.one(id!).id as string, body),
      },
      { method: 'GET', path: new RegExp(`^${base}\\/(\\d+)$`), handle: ([id]) => this.ok(this.one(id!)) },
      {
        method: 'GET',
        path: new RegExp(`^${base}$`),
        input: 'list',
        handle: (_p, l) => ({ body: this.server.list('products', FIXTURE.list, [...this.byId.values()], l as ListInput | undefined) }),
      },
    ];
  }

  private save(id: string, body: unknown, status = 200): { status: number; body: Row } {
    const p = (body as Record<string, ProductIn>)[FIXTURE.root]!;
    if (!this.types.includes(p.product_type.name)) throw new Refusal(400, `no product type named ${p.product_type.name}`);
    for (const other of this.byId.values()) {
      if (other.id !== id && String(other.name).toLowerCase() === p.name.toLowerCase())
        throw new Refusal(400, `a product named ${p.name} exists`);
    }
    const prev = this.byId.get(id) ?? {};
    const row: Row = {
      ...prev,
      id,
      name: p.name,
      product_type: { name: p.product_type.name, id: '1' },
      part_no: p.part_no ?? prev.part_no ?? null,
      comments: p.comments ?? prev.comments ?? null,
      manufacturer: p.manufacturer ?? prev.manufacturer ?? null,
    };
    this.byId.set(id, row);
    return { ...this.ok(row), status };
  }

  private one(id: string): Row {
    const p = this.byId.get(id);
    if (!p) throw new Missing(`no product ${id}`);
    return p;
  }

  private ok(row: Row) {
    return { body: { [FIXTURE.root]: row, response_status: { status_code: 2000, status: 'success' } } };
  }
}
