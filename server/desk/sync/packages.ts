// The package store's catalog to the desk as "software packages", beside the catalog of software
// seen (./catalog.ts): one desk record per package IT can deploy, linked by Outpost's package id.
// Idempotent as that catalog is: a linked record is overwritten, otherwise the desk is searched
// before anything is created, and a package whose record already holds the same data is not
// written again. A retired package is no longer sent: its record is marked retired in the desk
// once (retirePackage), and stays there for the tickets that name it.
import { createHash } from 'node:crypto';
import type { CatalogRunJson } from '../../../shared/http-api.js';
import type { DeployStore, PackageRecord } from '../../store/deploy-records.js';
import type { DeskStore } from '../../store/desk-records.js';
import type { DeskConnector } from '../connector.js';
import { isDeskError } from '../errors.js';
import type { DeskPackage } from '../types.js';
import { lastRun, saveLinked } from './linked-record.js';

/** The job's key: one run at a time, a request while one is queued makes one more at most. */
export const PACKAGES_JOB_KEY = 'packages';
/** desk_state key of the last run's counts (GET /api/desk/status). */
const PACKAGES_RUN_KEY = 'packages:lastRun';
/** desk_state key under which the schedule keeps when it last queued a run. */
export const PACKAGES_SCHEDULED_KEY = 'packages:scheduledAt';

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
const stateKey = (id: string) => `pkg:${hash(id)}`;
const fingerprint = (p: DeskPackage) => hash(JSON.stringify(p));
/** The state a package's fingerprint key holds once its record was marked retired (or found to be none). */
const RETIRED = 'retired';

export interface PackagesContext {
  desk: DeskConnector;
  store: { desk: DeskStore; deploy: Pick<DeployStore, 'listPackages' | 'listRetiredPackages'> };
  now?: () => number;
}

/** Whether this connector keeps a catalog of software packages. */
export function keepsPackages(desk: DeskConnector): boolean {
  return typeof desk.findPackage === 'function' && typeof desk.savePackage === 'function' && typeof desk.retirePackage === 'function';
}

/** The desk's view of a package: what IT needs to know about it, no download location. */
export function deskPackage(p: PackageRecord): DeskPackage {
  return {
    outpostId: p.id,
    name: p.name,
    version: p.version,
    installer: p.installer,
    platforms: [...p.platforms],
    selfService: p.selfService,
    source: p.file?.sha256 ?? p.managerPackage ?? '',
  };
}

/** Sends every package; resolves with the counts (also kept for GET /api/desk/status), null when unsupported. */
export async function pushPackages(ctx: PackagesContext): Promise<CatalogRunJson | null> {
  if (!keepsPackages(ctx.desk)) return null;
  await ctx.desk.checkHealth();
  const packages = await ctx.store.deploy.listPackages();
  const run: CatalogRunJson = { at: '', packages: packages.length, created: 0, updated: 0, unchanged: 0, retired: 0 };
  for (const p of packages) run[await pushOne(ctx, deskPackage(p))] += 1;
  for (const p of await ctx.store.deploy.listRetiredPackages()) if (await retireOne(ctx, deskPackage(p))) run.retired! += 1;
  run.at = new Date((ctx.now ?? Date.now)()).toISOString();
  await ctx.store.desk.setState(PACKAGES_RUN_KEY, JSON.stringify(run));
  return run;
}

async function pushOne(ctx: PackagesContext, pkg: DeskPackage): Promise<'created' | 'updated' | 'unchanged'> {
  const store = ctx.store.desk;
  const print = fingerprint(pkg);
  const linked = await store.deskIdFor('package', pkg.outpostId);
  if (linked && (await store.getState(stateKey(pkg.outpostId))) === print) return 'unchanged';
  const found = linked ?? (await ctx.desk.findPackage!(pkg));
  const id = await saveLinked(
    pkg,
    found,
    (p, id) => ctx.desk.savePackage!(p, id),
    (p) => ctx.desk.findPackage!(p),
  );
  await store.setLink('package', pkg.outpostId, id);
  await store.setState(stateKey(pkg.outpostId), print);
  return found === null ? 'created' : 'updated';
}

/**
 * Marks a retired package's record retired in the desk, once: the linked record, or the one the desk
 * finds for it (a store that lost its links). A package never sent has none; one deleted in the desk
 * has nothing left live. Both are remembered, so later runs ask the desk nothing for them.
 */
async function retireOne(ctx: PackagesContext, pkg: DeskPackage): Promise<boolean> {
  const store = ctx.store.desk;
  if ((await store.getState(stateKey(pkg.outpostId))) === RETIRED) return false;
  const id = (await store.deskIdFor('package', pkg.outpostId)) ?? (await ctx.desk.findPackage!(pkg));
  let retired = false;
  if (id !== null) {
    try {
      await ctx.desk.retirePackage!(pkg, id);
      retired = true;
    } catch (err) {
      if (!isDeskError(err) || err.code !== 'E_DESK_NOT_FOUND') throw err;
    }
  }
  await store.setState(stateKey(pkg.outpostId), RETIRED);
  return retired;
}

export function lastPackagesRun(store: DeskStore): Promise<CatalogRunJson | null> {
  return lastRun(store, PACKAGES_RUN_KEY);
}
