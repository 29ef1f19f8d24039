// The package store's catalog in ServiceDesk Plus: one product per package (the Product API,
// POST / PUT /api/v3/products, name and product_type mandatory), of a product type the admin
// made for them (packageProductType, default "Software Package"). SDP documents no call that
// writes its software module (that is its own scan), so products are where a catalog of
// deployable packages can be kept; part_no carries Outpost's package id, comments the details.
import { z } from 'zod';
import { deskPackageName, deskPackageSummary, type DeskId, type DeskPackage } from '../types.js';
import type { SdpClient } from './client.js';
import type { SdpConfig } from './config.js';
import { sdpId } from './mapping.js';

const PRODUCTS = '/api/v3/products';
/** The product page allows 250 characters of plain text; names are unique per instance. */
const MAX = 250;

const ProductOutSchema = z.object({ id: z.union([z.string(), z.number()]).transform(String), part_no: z.string().nullish() });

export class SdpProducts {
  constructor(
    private readonly client: SdpClient,
    private readonly config: SdpConfig,
  ) {}

  /** By part_no = Outpost's package id: names are the person-facing part and may be renamed in SDP. */
  async find(pkg: DeskPackage): Promise<DeskId | null> {
    const search = { field: 'part_no', condition: 'is' as const, value: pkg.outpostId };
    const page = await this.client.list(PRODUCTS, 'products', ProductOutSchema, { list_info: { row_count: 1, search_criteria: search } });
    return page.items[0]?.id ?? null;
  }

  async save(pkg: DeskPackage, id?: DeskId): Promise<DeskId> {
    const product = {
      name: deskPackageName(pkg).slice(0, MAX),
      product_type: { name: this.config.packageProductType },
      part_no: pkg.outpostId,
      comments: deskPackageSummary(pkg).slice(0, 2000),
    };
    if (id !== undefined) {
      await this.client.one('PUT', `${PRODUCTS}/${sdpId(id, 'product')}`, 'product', ProductOutSchema, { product });
      return id;
    }
    return (await this.client.one('POST', PRODUCTS, 'product', ProductOutSchema, { product })).id;
  }

  /**
   * The Product page documents no status for a product, so a retired package's product says so in
   * its name and comments (both documented); part_no still finds it.
   */
  async retire(pkg: DeskPackage, id: DeskId): Promise<void> {
    const product = {
      name: retiredName(pkg),
      product_type: { name: this.config.packageProductType },
      part_no: pkg.outpostId,
      comments: `${RETIRED_NOTE} ${deskPackageSummary(pkg)}`.slice(0, 2000),
    };
    await this.client.one('PUT', `${PRODUCTS}/${sdpId(id, 'product')}`, 'product', ProductOutSchema, { product });
  }
}

const RETIRED_SUFFIX = ' (retired)';
const RETIRED_NOTE = "Retired: no longer in Outpost's package store.";
const retiredName = (pkg: DeskPackage) => `${deskPackageName(pkg).slice(0, MAX - RETIRED_SUFFIX.length)}${RETIRED_SUFFIX}`;
