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
    };
