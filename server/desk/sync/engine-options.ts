// What a DeskSyncEngine is built with, and the status it reports (one type, declared with the
// API in shared/http-api.ts).
import type { CatalogStatusJson, DeskSyncStatusJson } from '../../../shared/http-api.js';
import type { Logger } from '../../../shared/log.js';
import type { Store } from '../../store/store.js';
import type { DeskConnector } from '../connector.js';
import type { AssetEventRules } from '../rules/asset-events.js';
import type { BatchJobRules } from './batch-jobs.js';
import type { Backoff } from './keys.js';
import type { FieldMapping } from './mapping.js';
import type { Schedules } from './schedules.js';

export interface EngineOptions {
  desk: DeskConnector;
  store: Store;
  log: Logger;
  pollMs: number;
  requesterDomain?: string;
  /** The desk requester for accounts with no email or desk user; `deskUser` when absent (./requester.ts). */
  fallbackRequester?: string;
  /** The desk's API user (settings `user`). */
  deskUser?: string;
  /** Asset events that become desk tickets; none when absent. */
  assetEvents?: AssetEventRules;
  /** More prohibited-software patterns (the web console's), asked whenever rules are evaluated; a change must come as a new array. */
  extraProhibited?: () => readonly string[];
  /** The rules the ingest asks for each batch's desk jobs; enabled while the engine runs. A new set when absent (see `jobs`). */
  jobs?: BatchJobRules;
  /** Directions, value maps, starting status, notes, attachments, account lookup; today's behaviour when absent. */
  mapping?: FieldMapping;
  /** When each flow runs and the catalog's interval; everything at once and the catalog daily when absent. */
  schedules?: Schedules;
  /** A desk ticket's status, customer-facing note or number (once the desk has it) changed: push the ticket to its device. */
  ticketChanged: (deviceId: string, ref: string, ticketId: number) => void;
  now?: () => number;
  random?: () => number;
  backoff?: Backoff;
}

/** The engine's status (GET /api/desk/status). */
export type DeskStatus = DeskSyncStatusJson;
export type CatalogStatus = CatalogStatusJson;
