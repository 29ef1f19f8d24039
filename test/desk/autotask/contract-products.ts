// Products in the Autotask contract server, from fixtures/products.json: the types and lengths the
// API's field information gives, and productBillingCodeID naming a billing code the database has.
// Creation's required fields and unknown fields are checked with every entity's (contract-server.ts).
import { PRODUCTS, Refusal } from './contract-state.js';

const BOOLEANS = ['isActive', 'isSerialized'];

/** The product as it would be stored, or a refusal naming the first field off the contract. */
export function checkProduct(r: Record<string, unknown>, billingCodes: number[]): Record<string, unknown> {
  for (const [field, max] of Object.entries(PRODUCTS.maxLength)) {
    const v = r[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new Refusal(500, `Products.${field} is a string`);
    if (v.length > max) throw new Refusal(500, `Products.${field} holds at most ${max} characters`);
  }
  for (const field of BOOLEANS)
    if (r[field] !== undefined && typeof r[field] !== 'boolean') throw new Refusal(500, `Products.${field} is a boolean`);
  if (!billingCodes.includes(r.productBillingCodeID as number))
    throw new Refusal(
      500,
      `Products.productBillingCodeID: ${JSON.stringify(r.productBillingCodeID)} is not a billing code of this database`,
    );
  return r;
}
