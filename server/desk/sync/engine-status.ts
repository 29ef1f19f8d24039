// The sync engine's status as GET /api/desk/status shows it: integration level, health, queue
// counts, recently failed jobs, the software catalog's and the package catalog's schedule and last
// run, and the preflight.
import type { DeskPreflightJson } from '../../../shared/http-api.js';
import type { DeskStore } from '../../store/desk-records.js';
import { integrationLevel, type DeskConnector } from '../connector.js';
import { CATALOG_JOB_KEY, lastCatalogRun } from './catalog.js';
import type { CatalogSchedule } from './catalog-schedule.js';
import { keepsPackages, lastPackagesRun, PACKAGES_JOB_KEY } from './packages.js';
import type { CatalogStatus, DeskStatus } from './engine-options.js';
import { effectiveCapabilities, type FieldMapping } from './mapping.js';
import type { Schedules } from './schedules.js';

/** Whether the desk answered last time, and the last error it gave. */
export interface DeskHealth {
  healthy: boolean;
  lastError: string | null;
  lastErrorAt: number | null;
}

export interface StatusInput {
  desk: DeskConnector;
  store: DeskStore;
  mapping: FieldMapping;
  schedules: Schedules;
  health: DeskHealth;
  lastPollAt: number | null;
  catalog: CatalogSchedule | null;
  packages: CatalogSchedule | null;
  preflight: DeskPreflightJson | null;
}

const isoOrNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export async function engineStatus(input: StatusInput): Promise<DeskStatus> {
  const { desk, store, health } = input;
  const counts = await store.jobCounts();
  const failed = await store.recentFailed(20);
  return {
    configured: true,
    kind: desk.kind,
    level: integrationLevel(effectiveCapabilities(desk.capabilities, input.mapping)),
    healthy: health.healthy,
    lastError: health.lastError,
    lastErrorAt: isoOrNull(health.lastErrorAt),
    ...counts,
    lastPollAt: isoOrNull(input.lastPollAt),
    jobs: failed.map((j) => ({
      id: j.id,
      kind: j.kind,
      key: j.key,
      attempts: j.attempts,
      error: j.lastError,
      at: new Date(j.updatedAt).toISOString(),
    })),
    catalog: await catalogStatus(input),
    packages: await packagesStatus(input),
    preflight: input.preflight,
  };
}

async function catalogStatus({ desk, store, schedules, catalog }: StatusInput): Promise<CatalogStatus> {
  return {
    supported: desk.capabilities.softwareCatalog,
    schedule: schedules.catalog,
    queued: (await store.jobState(CATALOG_JOB_KEY)) === 'queued',
    nextRunAt: catalog?.nextRunAt ? new Date(catalog.nextRunAt).toISOString() : null,
    lastRun: await lastCatalogRun(store),
  };
}

async function packagesStatus({ desk, store, schedules, packages }: StatusInput): Promise<CatalogStatus> {
  return {
    supported: keepsPackages(desk),
    schedule: schedules.packages,
    queued: (await store.jobState(PACKAGES_JOB_KEY)) === 'queued',
    nextRunAt: packages?.nextRunAt ? new Date(packages.nextRunAt).toISOString() : null,
    lastRun: await lastPackagesRun(store),
  };
}
