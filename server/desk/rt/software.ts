// The fleet's software catalog in RT: one asset per package name in its own catalog, with the
// publisher, the versions installed and how many devices have it in custom fields.
import type { DeskId, DeskSoftware } from '../types.js';
import type { RtClient } from './client.js';
import type { RtConfig } from './config.js';
import { rtAssetName, rtId, rtSqlString } from './mapping.js';
import { RtCreatedSchema, RtRefSchema } from './schemas.js';

/** The asset's Name: what find() looks a package up by. */
const assetName = (name: string) => rtAssetName(name).slice(0, 200);

/** A version as one value of the multi-value Versions field: "2.4.1 (12 devices)". */
function versionValue(v: { version: string | null; devices: number }): string {
  return `${v.version ?? 'no version'} (${v.devices} device${v.devices === 1 ? '' : 's'})`.slice(0, 255);
}

/** On an update a publisher no longer reported is cleared (null deletes an RT value); on a create it is left out. */
function softwareFields(config: RtConfig, sw: DeskSoftware, update: boolean): Record<string, unknown> {
  const f = config.fields;
  return {
    Name: assetName(sw.name),
    Description: (sw.publisher ?? '').slice(0, 255),
    CustomFields: {
      ...(sw.publisher || update ? { [f.publisher]: sw.publisher ?? null } : {}),
      [f.versions]: sw.versions.map(versionValue),
      [f.installations]: String(sw.devices),
    },
  };
}

export class RtSoftware {
  constructor(
    private readonly client: RtClient,
    private readonly config: RtConfig,
  ) {}

  /** Oldest first: if two ever exist, every run settles on the same one. */
  async find(name: string): Promise<DeskId | null> {
    const query = `Catalog = ${rtSqlString(this.config.softwareCatalog)} AND Name = ${rtSqlString(assetName(name))}`;
    const page = await this.client.page('/assets', RtRefSchema, { query, per_page: '1', orderby: 'id', order: 'ASC' });
    return page.items[0]?.id ?? null;
  }

  async save(sw: DeskSoftware, id?: DeskId): Promise<DeskId> {
    const fields = softwareFields(this.config, sw, id !== undefined);
    if (id !== undefined) {
      await this.client.put(`/asset/${rtId(id, 'asset')}`, fields);
      return id;
    }
    const body = { ...fields, Catalog: this.config.softwareCatalog, Status: this.config.assetStatus };
    return (await this.client.post('/asset', RtCreatedSchema, body)).data.id;
  }
}
