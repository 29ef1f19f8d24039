// Autotask devices (ConfigurationItems) are Autotask's: Outpost finds them by serial or name and
// reads their fields (a company for the ticket), and never creates or overwrites one.
import { DeskError } from '../errors.js';
import type { AssetLookup, DeskAsset, DeskAssetFields, DeskId } from '../types.js';
import type { AutotaskClient } from './client.js';
import { atId } from './notes.js';
import { ConfigurationItemSchema, type ConfigurationItem, type Filter } from './schemas.js';

export class AutotaskDevices {
  constructor(private readonly client: AutotaskClient) {}

  /** An existing device is read back unchanged; a new one is refused. */
  async save(asset: DeskAssetFields, id?: DeskId): Promise<DeskAsset> {
    if (id === undefined)
      throw new DeskError(
        'E_DESK_UNSUPPORTED',
        `Autotask devices are not created by Outpost (${asset.name}): add it in Autotask with its serial number`,
      );
    return toDeskAsset(await this.existing(id));
  }

  async find(lookup: AssetLookup): Promise<DeskAsset[]> {
    let filter: Filter;
    if (lookup.by === 'serviceTag') {
      filter = {
        op: 'or',
        items: [
          { op: 'eq', field: 'referenceNumber', value: lookup.value },
          { op: 'eq', field: 'serialNumber', value: lookup.value },
        ],
      };
    } else if (lookup.by === 'name') {
      filter = { op: 'eq', field: 'referenceTitle', value: lookup.value };
    } else {
      return []; // no MAC or Outpost id on an Autotask device without admin-made fields
    }
    return (
      await this.client.query('ConfigurationItems', [filter, { op: 'eq', field: 'isActive', value: true }], ConfigurationItemSchema, 20)
    ).map(toDeskAsset);
  }

  /** A device field (e.g. companyID) or one of its user-defined fields, by name. */
  async readField(id: DeskId, field: string): Promise<string | null> {
    const ci = await this.existing(id);
    const top = Object.entries(ci).find(([k]) => k.toLowerCase() === field.toLowerCase())?.[1];
    const value: unknown = top ?? ci.userDefinedFields?.find((u) => u.name === field)?.value;
    return (typeof value === 'string' && value.trim()) || typeof value === 'number' ? String(value).trim() : null;
  }

  private async existing(id: DeskId): Promise<ConfigurationItem> {
    const ci = await this.client.item('ConfigurationItems', atId(id, 'device'), ConfigurationItemSchema);
    if (!ci) throw new DeskError('E_DESK_NOT_FOUND', `Autotask has no device ${id}`);
    return ci;
  }
}

function toDeskAsset(ci: ConfigurationItem): DeskAsset {
  const serial = ci.serialNumber || ci.referenceNumber;
  return { id: String(ci.id), name: ci.referenceTitle ?? '', macs: [], ...(serial ? { serviceTag: serial } : {}) };
}
