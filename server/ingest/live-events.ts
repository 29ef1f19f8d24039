// What an applied batch tells the console's live view: which sections of the device changed, and
// which tickets an endpoint created or changed. Pure: the session publishes what these return.
import type { LiveEvents } from '../../shared/http-api.js';
import type { Item, ServerMessage } from '../../shared/protocol.js';
import type { BatchOutcome } from '../store/store.js';
import type { TicketItemResult } from '../store/ticket-records.js';

/** Null when the batch changed nothing in the inventory (tickets only, a replay, an unchanged resync). */
export function inventoryEvent(deviceId: string, plan: BatchOutcome, at: string): LiveEvents['inventory'] | null {
  const last = plan.changes.at(-1);
  if (!last || !plan.snapshot) return null;
  const sections = [...new Set(plan.changes.map((c) => c.section))];
  // One event per batch: the console reloads the timeline, which shows every change's own trigger.
  return { deviceId, hostname: plan.snapshot.snapshot.os.hostname, sections, trigger: last.trigger, at };
}

/**
 * The tickets this batch created or changed (a new ticket, note, attachment, close, or a recorded
 * worklog), each once. The server's ticket number comes from the ticket lists sent back to the agent.
 */
export function ticketEvents(
  deviceId: string,
  items: readonly Item[],
  results: readonly TicketItemResult[],
  replies: readonly ServerMessage[],
  at: string,
): LiveEvents['ticket'][] {
  const numbers = new Map<string, number>();
  for (const reply of replies) {
    if (reply.type !== 'tickets') continue;
    for (const t of reply.tickets) if (t.number !== null) numbers.set(t.ref, t.number);
  }
  const ids = new Set<number>();
  for (const r of results) {
    if (r.type === 'ticket') {
      const id = numbers.get(r.ref);
      if (id !== undefined) ids.add(id);
    } else if (r.type === 'worklog' && r.state === 'recorded') {
      const id = worklogTicket(items, r.ref);
      if (id !== null) ids.add(id);
    }
  }
  return [...ids].map((ticketId) => ({ ticketId, deviceId, at }));
}

function worklogTicket(items: readonly Item[], ref: string): number | null {
  for (const item of items) {
    if (item.kind === 'worklog' && item.body.ref === ref) {
      const id = Number(item.body.entry.ticketId);
      return Number.isSafeInteger(id) && id > 0 ? id : null;
    }
  }
  return null;
}
