// GET /api/desk/status as the API answers it and as the sync engine reports it: one type for both
// (server/desk/sync/engine.ts aliases it). Type-only, like shared/http-api.ts, which re-exports it.

/** What a desk connector's capabilities allow, narrowed by the field mapping. */
export type DeskLevel = 'log-only' | 'status-sync' | 'two-way';

/** The counts of the last software catalog run. */
export interface CatalogRunJson {
  /** ISO 8601: when the run finished. */
  at: string;
  packages: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Package catalog only: records marked retired in the desk this run (their packages left the store). */
  retired?: number;
}

export interface CatalogStatusJson {
  /** False when the connector cannot keep a software catalog. */
  supported: boolean;
  /** An interval such as "24h", or "on-demand". */
  schedule: string;
  /** A run is queued or running. */
  queued: boolean;
  /** ISO 8601, or null (on demand, unsupported, or not started). */
  nextRunAt: string | null;
  lastRun: CatalogRunJson | null;
}

/**
 * How bad a setup problem is. blocking: nothing reaches the desk (URL, credentials, queue);
 * degraded: something does not flow or is at risk (a missing field, a right); advice: it works,
 * but should be set up otherwise (a shared API user).
 */
export type DeskProblemSeverity = 'blocking' | 'degraded' | 'advice';

/** One problem the desk preflight found, with what to do about it. */
export interface DeskProblemJson {
  /** What was checked: connection, user, shared-user, rights, queue, catalog, fields, timezone, ... */
  check: string;
  severity: DeskProblemSeverity;
  /** One actionable line: what is wrong and how to fix it. */
  message: string;
}

/** The last desk preflight (server start, each retry while the desk is unusable, and on demand). */
export interface DeskPreflightJson {
  /** ISO 8601: when it finished. */
  at: string;
  /** No blocking problem: tickets reach the desk. */
  usable: boolean;
  problems: DeskProblemJson[];
}

/** The sync engine's own status: the one desk status type, used by the engine and the API. */
export interface DeskSyncStatusJson {
  configured: true;
  kind: string;
  level: DeskLevel;
  healthy: boolean;
  lastError: string | null;
  /** When the last error happened; an error from before the desk recovered stays listed with its time. */
  lastErrorAt: string | null;
  queued: number;
  failed: number;
  lastPollAt: string | null;
  jobs: { id: number; kind: string; key: string; attempts: number; error: string | null; at: string }[];
  catalog: CatalogStatusJson;
  /** The package store's packages sent to the desk as "software packages" (POST /api/desk/packages/sync). */
  packages: CatalogStatusJson;
  /** Null until the first preflight has finished. */
  preflight: DeskPreflightJson | null;
}

/** GET /api/desk/status: the engine's status, or every field empty when no desk is configured. */
export type DeskStatusJson =
  | DeskSyncStatusJson
  | {
      configured: false;
      kind: null;
      level: null;
      healthy: null;
      lastError: null;
      lastErrorAt: null;
      queued: 0;
      failed: 0;
      lastPollAt: null;
      jobs: [];
      catalog: null;
      packages: null;
      preflight: null;
    };
