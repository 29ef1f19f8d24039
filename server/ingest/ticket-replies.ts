// What the server tells an agent about tickets: the outcome of a batch's ticket and worklog items
// (sent before the batch's ack, so that an agent deleting acked items already knows their outcome),
// and ticket lists split into frames of a bounded size.
import type { ServerMessage, ServerMessageMap, Item } from '../../shared/protocol.js';
import type { EndpointTicket } from '../../shared/tickets.js';
import type { Store } from '../store/store.js';
import { isTicketItem, type TicketItemResult } from '../store/ticket-records.js';
import { unknownTicketRefusal } from './ticket-rules.js';

/** The newest tickets of a device sent on every welcome. */
export const FULL_LIST_LIMIT = 1000;
/** Roughly the most JSON one `tickets` frame carries; a longer list continues in more frames. */
export const TICKETS_FRAME_BYTES = 4 * 1024 * 1024;

type TicketsMessage = ServerMessageMap['tickets'];

/**
 * A ticket list as `tickets` messages: the first carries `full` (the agent replaces its list), the
 * rest `full: false` (the agent merges them). A full list that is empty is still one message.
 */
export function ticketMessages(tickets: readonly EndpointTicket[], full: boolean, frameBytes = TICKETS_FRAME_BYTES): TicketsMessage[] {
  const messages: TicketsMessage[] = [];
  let chunk: EndpointTicket[] = [];
  let bytes = 0;
  const flush = () => {
    messages.push({ type: 'tickets', full: full && messages.length === 0, tickets: chunk });
    chunk = [];
    bytes = 0;
  };
  for (const t of tickets) {
    const size = Buffer.byteLength(JSON.stringify(t));
    if (chunk.length > 0 && (bytes + size > frameBytes || chunk.length === FULL_LIST_LIMIT)) flush();
    chunk.push(t);
    bytes += size;
  }
  if (chunk.length > 0 || (full && messages.length === 0)) flush();
  return messages;
}

/**
 * Replies to the ticket items of one batch: worklog results, non-fatal errors for items consumed
 * without effect, and the current state of every ticket of this device the batch named. Redelivered
 * items (skipped by seq) are answered again from what is stored, because the agent that sends an
 * item twice has usually lost the first answer.
 */
export async function batchReplies(
  store: Store,
  deviceId: string,
  items: readonly Item[],
  replayed: readonly number[],
  results: readonly TicketItemResult[],
): Promise<ServerMessage[]> {
  const replies: ServerMessage[] = [];
  const refs = new Set<string>();
  const skipped = new Set(replayed);
  for (const item of items) {
    if (!skipped.has(item.seq) || !isTicketItem(item)) continue;
    if (item.kind !== 'worklog') refs.add(item.body.ref);
    else replies.push(await replayedWorklogResult(store, deviceId, item.body.ref, item.body.entry.ticketId));
  }
  for (const r of results) {
    if (r.type === 'ticket') refs.add(r.ref);
    else if (r.type === 'worklog')
      replies.push({ type: 'worklog-result', ref: r.ref, state: r.state, ...(r.state === 'rejected' ? { error: r.error } : {}) });
    else replies.push({ type: 'error', code: r.code, message: r.message, fatal: false, seq: r.seq });
  }
  if (refs.size > 0) {
    const tickets = await store.endpointTickets(deviceId, { refs: [...refs], limit: refs.size });
    replies.push(...ticketMessages(tickets, false));
  }
  return replies;
}

async function replayedWorklogResult(store: Store, deviceId: string, ref: string, ticketId: string): Promise<ServerMessage> {
  if (await store.worklogRecorded(deviceId, ref)) return { type: 'worklog-result', ref, state: 'recorded' };
  // Not stored, so it was refused when it first arrived; the only reason is an unknown ticket.
  return { type: 'worklog-result', ref, state: 'rejected', error: unknownTicketRefusal(ticketId) };
}
