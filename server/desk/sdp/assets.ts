// Workstations in ServiceDesk Plus. From build 15100 each product type has its own API
// (/api/v3/asset_workstations, records under `asset_workstation`); /api/v3/workstations is only
// "temporarily supported" there (until April 2026) and is the only one on older builds. Which one
// this SDP has is found once, from whether it answers the new API's _metainfo.
import { DeskError } from '../errors.js';
import type { AssetLookup, DeskAsset, DeskAssetFields, DeskId } from '../types.js';
import type { SdpClient } from './client.js';
import type { SdpConfig } from './config.js';
import { sdpId, toDeskAsset, workstationField, workstationInput } from './mapping.js';
import { WorkstationOutSchema, type SdpCriterion } from './shapes.js';

interface AssetApi {
  path: string;
  one: string;
  many: string;
}
const NEW_API: AssetApi = { path: '/api/v3/asset_workstations', one: 'asset_workstation', many: 'asset_workstations' };
const OLD_API: AssetApi = { path: '/api/v3/workstations', one: 'workstation', many: 'workstations' };

export class SdpAssets {
  private api: Promise<AssetApi> | null = null;

  constructor(
    private readonly client: SdpClient,
    private readonly config: SdpConfig,
  ) {}

  /** The per-product API when this build has it, else the old one; asked once. */
  which(): Promise<AssetApi> {
    this.api ??= this.client.exists(`${NEW_API.path}/_metainfo`).then((yes) => (yes ? NEW_API : OLD_API));
    this.api.catch(() => (this.api = null));
    return this.api;
  }

  async save(asset: DeskAssetFields, id?: DeskId): Promise<DeskAsset> {
    const api = await this.which();
    const input = workstationInput(this.config, asset, api.one);
    const path = id === undefined ? api.path : `${api.path}/${sdpId(id, 'workstation')}`;
    return toDeskAsset(await this.client.one(id === undefined ? 'POST' : 'PUT', path, api.one, WorkstationOutSchema, input));
  }

  async find(lookup: AssetLookup): Promise<DeskAsset[]> {
    const criteria = assetCriteria(lookup);
    if (!criteria) return [];
    const api = await this.which();
    const page = await this.client.list(api.path, api.many, WorkstationOutSchema, {
      list_info: { row_count: 20, search_criteria: criteria },
    });
    return page.items.map(toDeskAsset);
  }

  async read(id: DeskId, field: string): Promise<string | null> {
    const api = await this.which();
    const w = await this.client.one('GET', `${api.path}/${sdpId(id, 'workstation')}`, api.one, WorkstationOutSchema);
    if (!w) throw new DeskError('E_DESK_NOT_FOUND', `no workstation ${id}`);
    return workstationField(w, field);
  }
}

function assetCriteria(lookup: AssetLookup): SdpCriterion | null {
  switch (lookup.by) {
    case 'serviceTag':
      return { field: 'computer_system.service_tag', condition: 'is', value: lookup.value };
    case 'name':
      return { field: 'name', condition: 'is', value: lookup.value };
    case 'mac':
      return lookup.values.length
        ? { field: 'network_adapters.mac_address', condition: 'is', values: lookup.values.map((m) => m.toLowerCase()) }
        : null;
    case 'outpostDeviceId':
      return null; // no field for it in SDP without an admin-made additional field
  }
}
