// A device's logbook rows as both engines read them (sqlite/device-work.ts, postgres/logbook.ts):
// the rows of one page become entries here, so the engines cannot drift apart.
import { ticketLabel } from '../../shared/ticket-label.js';
import type { LogbookEntry, LogbookKind } from './device-work-records.js';

export interface LogbookRow {
  at: number;
  kind: LogbookKind;
  id: number;
  ticket_id: number | null;
  /** JSON of the entry's detail. */
  detail: string;
}

/** The change rows behind a page's inventory entries (JSON arrays, as stored). */
export interface ChangeItemsRow {
  id: number;
  added: string;
  removed: string;
  changed: string;
}

/** Names listed per inventory entry; the rest are counted. */
export const NAMES_PER_CHANGE = 3;
/** Characters of a note's or worklog's text the logbook shows. */
export const TEXT_PREVIEW = 200;

/** Entries from a page's rows; `labels` holds the desk number of each ticket named, once read. */
export function toLogbookEntries(
  rows: readonly LogbookRow[],
  deskNumbers: readonly { id: number; desk_number: string | null }[],
  changes: readonly ChangeItemsRow[],
  deskConnected: boolean,
): LogbookEntry[] {
  const labels = new Map(deskNumbers.map((r) => [r.id, ticketLabel(r.id, r.desk_number, deskConnected)]));
  const byId = new Map(changes.map((r) => [r.id, r]));
  return rows.map((r) => {
    const entry: LogbookEntry = {
      kind: r.kind,
      id: r.id,
      at: r.at,
      ticketId: r.ticket_id,
      ticketLabel: r.ticket_id === null ? null : (labels.get(r.ticket_id) ?? null),
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    };
    const change = r.kind === 'inventory' ? byId.get(r.id) : undefined;
    // What an inventory entry added, removed and changed: the first few names and the counts.
    for (const part of change ? (['added', 'removed', 'changed'] as const) : []) {
      const items = JSON.parse(change![part]) as unknown[];
      entry.detail[part] = { count: items.length, names: items.slice(0, NAMES_PER_CHANGE).map(itemName) };
    }
    return entry;
  });
}

/** The ticket ids and inventory change ids a page's rows name (what the caller reads next). */
export function logbookRefs(rows: readonly LogbookRow[]): { ticketIds: number[]; changeIds: number[] } {
  return {
    ticketIds: [...new Set(rows.flatMap((r) => (r.ticket_id === null ? [] : [r.ticket_id])))],
    changeIds: rows.filter((r) => r.kind === 'inventory').map((r) => r.id),
  };
}

function itemName(item: unknown): string {
  if (typeof item !== 'object' || item === null) return String(item).slice(0, 200);
  const o = item as Record<string, unknown>;
  const name = typeof o.name === 'string' ? o.name : typeof o.key === 'string' ? o.key.split('\t')[1] || o.key : '';
  const version = typeof o.version === 'string' ? ` ${o.version}` : '';
  return `${name}${version}`.slice(0, 200);
}
