// The package store's catalog in RT: one asset per package in its own catalog (packageCatalog,
// "Outpost packages"), named "GIMP 2.10.38 (deb)", its Description saying what it installs with,
// for which platforms, whether the tray offers it, its file's hash and Outpost's package id. RT
// assets live in catalogs (RT's Assets documentation); no custom field is needed.
import { z } from 'zod';
import { deskPackageName, deskPackageSummary, type DeskId, type DeskPackage } from '../types.js';
import type { RtClient } from './client.js';
import type { RtConfig } from './config.js';
import { rtAssetName, rtId, rtSqlString } from './mapping.js';
import { RtCreatedSchema } from './schemas.js';

/** RT's asset Name and Description columns hold 255 characters. */
const MAX = 255;
const assetName = (p: DeskPackage) => rtAssetName(deskPackageName(p)).slice(0, 200);
const FoundSchema = z.object({ id: z.union([z.string(), z.number()]).transform(String), Description: z.string().nullish() });

export class RtPackages {
  constructor(
    private readonly client: RtClient,
    private readonly config: RtConfig,
  ) {}

  /** The asset of this name whose description names this package's id (two packages may share a name). */
  async find(pkg: DeskPackage): Promise<DeskId | null> {
    const query = `Catalog = ${rtSqlString(this.config.packageCatalog)} AND Name = ${rtSqlString(assetName(pkg))}`;
    const page = await this.client.page('/assets', FoundSchema, {
      query,
      fields: 'Description',
      per_page: '20',
      orderby: 'id',
      order: 'ASC',
    });
    return page.items.find((a) => (a.Description ?? '').endsWith(`outpost:${pkg.outpostId}`))?.id ?? null;
  }

  async save(pkg: DeskPackage, id?: DeskId): Promise<DeskId> {
    const fields = { Name: assetName(pkg), Description: summary(pkg) };
    if (id !== undefined) {
      await this.client.put(`/asset/${rtId(id, 'asset')}`, fields);
      return id;
    }
    const body = { ...fields, Catalog: this.config.packageCatalog, Status: this.config.assetStatus };
    return (await this.client.post('/asset', RtCreatedSchema, body)).data.id;
  }

  /** The asset's status set to packageRetiredStatus (default "recycled", inactive in RT's assets lifecycle). */
  async retire(id: DeskId): Promise<void> {
    await this.client.put(`/asset/${rtId(id, 'asset')}`, { Status: this.config.packageRetiredStatus });
  }
}

/** The summary, shortened in the middle so Outpost's id at its end always fits. */
function summary(pkg: DeskPackage): string {
  const text = deskPackageSummary(pkg);
  if (text.length <= MAX) return text;
  const tail = `; outpost:${pkg.outpostId}`;
  return `${text.slice(0, MAX - tail.length - 1)}…${tail}`;
}
