// A device's tickets as the desk knows them: the desk's tickets on the device's asset that Outpost
// did not raise (a technician took a call and linked the asset), asked of the desk on each read.
import type { DeskAssetTicketJson, DeviceTicketsJson } from '../../shared/console-api.js';
import { DeskError } from '../desk/errors.js';
import type { DeskTicket } from '../desk/types.js';
import type { Store } from '../store/store.js';

/** The desk's tickets referring to an asset, newest first (a connector's assetTickets). */
export type AssetTicketsLookup = (assetId: string, limit: number) => Promise<DeskTicket[]>;

/** As many as the device's own list shows; the desk is asked for one page. */
export const DESK_ASSET_TICKETS_LIMIT = 100;
/** The device page waits this long for the desk (its HTTP timeout is longer, for jobs), then shows its own tickets. */
export const DESK_ASSET_TICKETS_WAIT_MS = 5_000;

const CLOSED = new Set(['resolved', 'closed']);

/**
 * The desk's tickets on the device's asset, without those Outpost has (by desk number), open first.
 * Null without a lookup or before the desk has the device's asset; a desk that does not answer gives
 * its error and no tickets, so the device's own tickets still show.
 */
export async function deskAssetTickets(
  store: Store,
  lookup: AssetTicketsLookup | null | undefined,
  deviceId: string,
  known: ReadonlySet<string>,
  waitMs = DESK_ASSET_TICKETS_WAIT_MS,
): Promise<DeviceTicketsJson['desk']> {
  if (!lookup) return null;
  const assetId = await store.desk.deskIdFor('asset', deviceId);
  if (!assetId) return null;
  let found: DeskTicket[];
  try {
    found = await withinMs(lookup(assetId, DESK_ASSET_TICKETS_LIMIT), waitMs);
  } catch (err) {
    const code = err instanceof DeskError ? err.code : 'E_DESK_UNREACHABLE';
    const message = err instanceof Error ? err.message : 'no answer';
    return { tickets: [], error: `${code}: The service desk did not list the asset's tickets: ${message}`.slice(0, 300) };
  }
  const others = found.filter((t) => !known.has(t.id)).map(ticketJson);
  // Stable: the desk's newest-first order within open and within closed.
  others.sort((a, b) => Number(CLOSED.has(a.status)) - Number(CLOSED.has(b.status)));
  return { tickets: others, error: null };
}

function withinMs<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeskError('E_DESK_UNREACHABLE', `No answer within ${ms / 1000} s.`)), ms);
  });
  work.catch(() => undefined); // a late failure, after the page has its answer, is nobody's
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function ticketJson(t: DeskTicket): DeskAssetTicketJson {
  return {
    deskNumber: t.id,
    subject: t.subject,
    status: t.status,
    deskStatus: t.deskStatus,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}
