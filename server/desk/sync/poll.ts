// The desk's side coming back: status changes and notes on the tickets Outpost created. Customer-
// facing notes and statuses reach the endpoint (the caller pushes the refs returned); internal
// comments are stored as internal and never pushed; the connector already left out our own echoes.
import type { TicketStatus } from '../../../shared/tickets.js';
import type { Store } from '../../store/store.js';
import type { DeskConnector } from '../connector.js';
import { cursorFrom, type DeskCursor, type DeskTicketChange } from '../types.js';
import { deskStatusKey } from './keys.js';
import { DEFAULT_MAPPING, importedFields, type FieldMapping } from './mapping.js';

const CURSOR_KEY = 'cursor';

export interface Touched {
  ticketId: number;
  deviceId: string;
  ref: string;
}

/** Fields the mapping sends only to the desk are never taken from it, whatever the desk reports. */
export async function pollOnce(
  desk: DeskConnector,
  store: Store,
  now: number,
  mapping: FieldMapping = DEFAULT_MAPPING,
): Promise<Touched[]> {
  const saved = await store.desk.getState(CURSOR_KEY);
  const cursor: DeskCursor = saved ? (JSON.parse(saved) as DeskCursor) : cursorFrom(new Date(now - 60_000));
  const { changes, cursor: next } = await desk.listChangedSince(cursor);
  const touched: Touched[] = [];
  for (const change of changes) {
    const t = await applyChange(store, change, now, mapping, desk.capabilities.updateStatus);
    if (t) touched.push(t);
  }
  await store.desk.setState(CURSOR_KEY, JSON.stringify(next));
  return touched;
}

async function applyChange(
  store: Store,
  change: DeskTicketChange,
  now: number,
  mapping: FieldMapping,
  updatesDesk: boolean,
): Promise<Touched | null> {
  const outpostId = await store.desk.outpostIdFor('ticket', change.ticket.id);
  if (outpostId === null) return null;
  const id = Number(outpostId);
  const { status, ...fields } = importedFields(change.ticket, mapping);
  let visible = false;
  for (const ev of change.events) {
    if (ev.kind === 'status') {
      if (status === undefined) continue;
      // A desk may report a change of its current second again on the next poll (RT does): applied
      // once, so that an old status cannot undo what happened since, e.g. a reopen from the tray.
      const seen = `desk-status-event:${id}:${ev.id}`;
      if ((await store.desk.getState(seen)) !== null) continue;
      const r = await setFromDesk(store, id, ev.status, now);
      await store.desk.setState(seen, ev.status);
      visible ||= r?.changed ?? false;
    } else if (ev.kind === 'note' && !ev.note.own && mapping.notes.fromDesk) {
      const visibility = ev.note.visibility === 'public' ? 'customer' : 'internal';
      const at = Date.parse(ev.note.at);
      const added = await store.desk.addDeskNote(id, ev.note.id, {
        text: ev.note.text,
        visibility,
        author: ev.note.author,
        at: Number.isNaN(at) ? now : at,
      });
      visible ||= added && visibility === 'customer';
    }
  }
  // A subject or priority taken over changes what the endpoint shows too.
  if (Object.keys(fields).length) visible = (await store.desk.updateTicketFromDesk(id, fields, now)) || visible;
  // A status the events did not itemise (or missed across a restart) still lands: the ticket as it is
  // now, unless Outpost's status is the newer one (deskIsBehind).
  const current = await store.getTicket(id);
  if (
    status &&
    current &&
    current.status !== 'closed' &&
    current.status !== status &&
    !change.events.some((e) => e.kind === 'status') &&
    !(await deskIsBehind(store, current, status, now, updatesDesk))
  ) {
    const r = await setFromDesk(store, id, status, now);
    visible ||= r?.changed ?? false;
  }
  return visible && current?.deviceId ? { ticketId: id, deviceId: current.deviceId, ref: current.ref } : null;
}

/**
 * Whether the desk's status (read at `now`) is older than Outpost's: Outpost changed the ticket after
 * the desk was read (a deployment resolving its ticket meanwhile must not be reopened; the status job
 * queued with that change takes Outpost's status to the desk), or the desk still shows the status it
 * last had from Outpost and Outpost has set another since, not yet in the desk (its status job is
 * queued or waiting out an outage): nobody changed the status in the desk, e.g. IT approved a request
 * (a field) and Outpost resolved its ticket a moment later.
 */
async function deskIsBehind(
  store: Store,
  current: { id: number; updatedAt: number },
  deskStatus: TicketStatus,
  now: number,
  updatesDesk: boolean,
): Promise<boolean> {
  if (current.updatedAt > now) return true;
  return updatesDesk && (await store.desk.getState(deskStatusKey(current.id))) === deskStatus;
}

/** Recorded as the desk's own status first (a later change by IT is compared with it); no job names it: a desk's own status never goes back to the desk. */
async function setFromDesk(store: Store, id: number, status: TicketStatus, now: number) {
  await store.desk.setState(deskStatusKey(id), status);
  return store.setTicketStatus(id, status, now);
}
