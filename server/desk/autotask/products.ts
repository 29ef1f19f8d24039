// The package store's catalog in Autotask: one Product per package. Datto's Products page
// describes the entity as "hardware, software, or a material item ... that a company sells or
// supports" and lists `Products/query`, `Products (POST, PATCH)`; no delete. Its field table was not
// available, so the fields come from Datto's own field information as published in two generated
// clients (test/desk/autotask/fixtures/products.json names them): required on create `name` (100),
// `isActive`, `isSerialized` and `productBillingCodeID` (a billing code the admin names); Outpost's
// package id goes in `externalProductID` (50), the details in `description` (2000). A retired
// package's product is made inactive (`isActive` false), as Autotask retires products.
import { z } from 'zod';
import { DeskError } from '../errors.js';
import { deskPackageName, deskPackageSummary, type DeskId, type DeskPackage } from '../types.js';
import type { AutotaskClient } from './client.js';
import { atId } from './notes.js';

const NAME_MAX = 100;
const DESCRIPTION_MAX = 2000;
const PRODUCTS = '/v1.0/Products';

const ProductSchema = z.object({ id: z.number().int(), externalProductID: z.string().nullish(), isActive: z.boolean().nullish() });

export class AutotaskProducts {
  constructor(
    private readonly client: AutotaskClient,
    /** The billing code (Admin > Billing Codes, a Material code) every package's product is billed under. */
    private readonly billingCodeId: number,
  ) {}

  /** By externalProductID = Outpost's package id: names are for people and may be changed in Autotask. */
  async find(pkg: DeskPackage): Promise<DeskId | null> {
    const found = await this.client.query('Products', [{ op: 'eq', field: 'externalProductID', value: pkg.outpostId }], ProductSchema, 1);
    return found[0] ? String(found[0].id) : null;
  }

  async save(pkg: DeskPackage, id?: DeskId): Promise<DeskId> {
    const fields = {
      name: deskPackageName(pkg).slice(0, NAME_MAX),
      description: deskPackageSummary(pkg).slice(0, DESCRIPTION_MAX),
      externalProductID: pkg.outpostId,
      isActive: true,
    };
    if (id === undefined) {
      return String(await this.client.create(PRODUCTS, { ...fields, isSerialized: false, productBillingCodeID: this.billingCodeId }));
    }
    await this.existing(id);
    await this.client.patch(PRODUCTS, { id: atId(id, 'product'), ...fields });
    return id;
  }

  /** Inactive: Autotask keeps the product for what already refers to it, and offers it no more. */
  async retire(id: DeskId): Promise<void> {
    await this.existing(id);
    await this.client.patch(PRODUCTS, { id: atId(id, 'product'), isActive: false });
  }

  /** A PATCH of a product someone deleted must say so: the catalog then makes it again. */
  private async existing(id: DeskId): Promise<void> {
    if (!(await this.client.item('Products', atId(id, 'product'), ProductSchema)))
      throw new DeskError('E_DESK_NOT_FOUND', `Autotask has no product ${id}`);
  }
}
