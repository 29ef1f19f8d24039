// The software catalog flow: the fleet's distinct software, one desk record per package name.
// Idempotent: a package Outpost linked before is overwritten, otherwise the desk is searched by
// name before anything is created; a package whose record already holds the same data is not
// written again, so a daily run costs a desk call per package that changed.
import type { CatalogRunJson } from '../../../shared/http-api.js';
import { createHash } from 'node:crypto';
import type { DeskStore } from '../../store/desk-records.js';
import type { DeskConnector } from '../connector.js';
import type { DeskSoftware } from '../types.js';
import { lastRun, saveLinked } from './linked-record.js';

/** The catalog job's key: one at a time; a request while one is queued or running makes one more run at most. */
export const CATALOG_JOB_KEY = 'catalog';

/** desk_state key of the last run's counts (GET /api/desk/status). */
const CATALOG_RUN_KEY = 'catalog:lastRun';

/** The counts of one run, as GET /api/desk/status shows them. */
export type CatalogRun = CatalogRunJson;

const hash = (text: string) => createHash('sha256').update(text).digest('hex');
const packageKey = (name: string) => name.toLowerCase();
const stateKey = (name: string) => `sw:${hash(packageKey(name)).slice(0, 32)}`;
const fingerprint = (sw: DeskSoftware) => hash(JSON.stringify([sw.name, sw.publisher ?? null, sw.versions, sw.devices])).slice(0, 32);

export interface CatalogContext {
  desk: DeskConnector;
  store: { desk: DeskStore };
  now?: () => number;
}

/** Pushes the catalog; resolves with what it did (also stored for GET /api/desk/status). */
export async function pushCatalog(ctx: CatalogContext): Promise<CatalogRun | null> {
  if (!ctx.desk.capabilities.softwareCatalog) return null;
  const store = ctx.store.desk;
  // Even an empty fleet asks the desk once: a run that reached nothing must not count as the desk being back.
  await ctx.desk.checkHealth();
  const packages = await store.softwareCatalog();
  const run: CatalogRun = { at: '', packages: packages.length, created: 0, updated: 0, unchanged: 0 };
  for (const sw of packages) {
    if (!sw.name.trim()) continue;
    const result = await pushOne(ctx, sw);
    run[result] += 1;
  }
  run.at = new Date((ctx.now ?? Date.now)()).toISOString();
  await store.setState(CATALOG_RUN_KEY, JSON.stringify(run));
  return run;
}

async function pushOne(ctx: CatalogContext, sw: DeskSoftware): Promise<'created' | 'updated' | 'unchanged'> {
  const store = ctx.store.desk;
  const key = packageKey(sw.name);
  const print = fingerprint(sw);
  const linked = await store.deskIdFor('software', key);
  if (linked && (await store.getState(stateKey(sw.name))) === print) return 'unchanged';
  const found = linked ?? (await ctx.desk.findSoftware(sw.name));
  const id = await saveLinked(
    sw,
    found,
    (x, id) => ctx.desk.saveSoftware(x, id),
    (x) => ctx.desk.findSoftware(x.name),
  );
  await store.setLink('software', key, id);
  await store.setState(stateKey(sw.name), print);
  return found === null ? 'created' : 'updated';
}

export function lastCatalogRun(store: DeskStore): Promise<CatalogRun | null> {
  return lastRun(store, CATALOG_RUN_KEY);
}
