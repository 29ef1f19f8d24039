// What an applied batch tells the console's live view: which sections of the device changed, and
// which tickets an endpoint created or changed. Pure: the session publishes what these return.
import type { LiveEvents } from '../../shared/http-api.js';
import type { BatchOutcome } from '../store/store.js';
import type { TicketItemResult } from '../store/ticket-records.js';

/** Null when the batch changed nothing in the inventory (tickets only, a replay, an unchanged resync). */
export function inventoryEvent(deviceId: string, plan: BatchOutcome, at: string): LiveEvents['inventory'] | null {
  const last = plan.changes.at(-1);
  if (!last || !plan.snapshot) return null;
  const sections = [...new Set(plan.changes.map((c) => c.section))];
  // One event per batch: the console reloads the timeline, which shows every change's own trigger.
  return { deviceId, hostname: plan.snapshot.hostname ?? plan.snapshot.inventory.os.hostname, sections, trigger: last.trigger, at };
}

/**
 * The tickets this batch created or changed (a new ticket, note, attachment, close, or a recorded
 * worklog), each once.
 */
export function ticketEvents(deviceId: string, results: readonly TicketItemResult[], at: string): LiveEvents['ticket'][] {
  const ids = new Set<number>();
  for (const r of results) {
    if (r.type === 'ticket' || (r.type === 'worklog' && r.state === 'recorded')) ids.add(r.ticketId);
  }
  return [...ids].map((ticketId) => ({ ticketId, deviceId, at }));
}
