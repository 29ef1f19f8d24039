// Endpoints as RT assets in one catalog, with Outpost's custom fields; lookups for device matching.
import { isDeskError } from '../errors.js';
import type { AssetLookup, DeskAsset, DeskAssetFields, DeskId } from '../types.js';
import type { RtClient } from './client.js';
import type { RtConfig } from './config.js';
import { assetCustomFields, cfValue, rtAssetName, rtId, rtSqlString, toDeskAsset } from './mapping.js';
import { RtAssetSchema, RtCreatedSchema } from './schemas.js';

const MAX_MATCHES = '20';

export class RtAssets {
  constructor(
    private readonly client: RtClient,
    private readonly config: RtConfig,
  ) {}

  /** Resolves with what was written; RT holds exactly these values for the fields Outpost owns. */
  async save(asset: DeskAssetFields, id?: DeskId): Promise<DeskAsset> {
    const name = rtAssetName(asset.name);
    const fields = {
      Name: name,
      ...(asset.description ? { Description: asset.description.slice(0, 255) } : {}),
      CustomFields: assetCustomFields(this.config, asset, id !== undefined),
    };
    let assetId = id;
    if (assetId === undefined) {
      assetId = await this.create({ ...fields, Catalog: this.config.catalog, Status: this.config.assetStatus });
    } else {
      // RT skips fields it does not have on an update; the preflight names them.
      await this.client.put(`/asset/${rtId(assetId, 'asset')}`, fields);
    }
    return { ...asset, id: assetId, name, macs: asset.macs.map((m) => m.toLowerCase()) };
  }

  /**
   * RT refuses a create naming a custom field the catalog lacks. The asset is made without each
   * missing field in turn rather than not at all: the preflight shows the gap, tickets keep
   * their device link.
   */
  private async create(body: { CustomFields: Record<string, unknown> } & Record<string, unknown>): Promise<DeskId> {
    const fields = { ...body.CustomFields };
    for (;;) {
      try {
        return (await this.client.post('/asset', RtCreatedSchema, { ...body, CustomFields: fields })).data.id;
      } catch (err) {
        const missing =
          isDeskError(err) && err.code === 'E_DESK_REJECTED' ? /Custom field (.+?) not found/.exec(err.message)?.[1] : undefined;
        if (missing === undefined || !(missing in fields)) throw err;
        delete fields[missing];
      }
    }
  }

  async fetch(id: DeskId): Promise<DeskAsset> {
    return toDeskAsset(this.config, await this.client.get(`/asset/${rtId(id, 'asset')}`, RtAssetSchema));
  }

  async customField(id: DeskId, field: string): Promise<string | null> {
    const asset = await this.client.get(`/asset/${rtId(id, 'asset')}`, RtAssetSchema);
    return cfValue(asset.CustomFields, field)?.trim() || null;
  }

  async find(lookup: AssetLookup): Promise<DeskAsset[]> {
    const query = this.assetSql(lookup);
    if (query === null) return [];
    const page = await this.client.page('/assets', RtAssetSchema, {
      query,
      fields: 'Name,Description,CustomFields',
      per_page: MAX_MATCHES,
      orderby: 'id',
      order: 'ASC',
    });
    return page.items.map((a) => toDeskAsset(this.config, a));
  }

  private assetSql(lookup: AssetLookup): string | null {
    const f = this.config.fields;
    const inCatalog = `Catalog = ${rtSqlString(this.config.catalog)}`;
    const cf = (field: string, value: string) => `'CF.{${field}}' = ${rtSqlString(value)}`;
    switch (lookup.by) {
      case 'serviceTag':
        return `${inCatalog} AND ${cf(f.serviceTag, lookup.value)}`;
      case 'outpostDeviceId':
        return `${inCatalog} AND ${cf(f.outpostDeviceId, lookup.value)}`;
      case 'name':
        return `${inCatalog} AND Name = ${rtSqlString(rtAssetName(lookup.value))}`;
      case 'mac': {
        const macs = [...new Set(lookup.values.map((m) => m.toLowerCase()))];
        if (macs.length === 0) return null;
        return `${inCatalog} AND (${macs.map((m) => cf(f.macs, m)).join(' OR ')})`;
      }
    }
  }
}
