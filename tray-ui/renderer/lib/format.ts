// How dates, sizes, durations and statuses read in the windows.
import type { LocalTicket } from '../../../shared/local-api.js';
import type { EndpointTicket } from '../../../shared/tickets.js';
import { shownNumber } from '../../../shared/ticket-label.js';

const STATUS_LABELS: Record<EndpointTicket['status'], string> = {
  queued: 'Waiting to send',
  refused: 'Not accepted',
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  resolved: 'Resolved',
  closed: 'Closed',
};

export function statusLabel(status: EndpointTicket['status']): string {
  return STATUS_LABELS[status];
}

/** The number IT quotes: the desk's "#4", Outpost's own "OP-17" while the desk does not have it yet. */
export function ticketNumber(ticket: Pick<EndpointTicket, 'number' | 'label'>): string {
  return shownNumber(ticket) ?? 'Not numbered yet';
}

export function dateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay
    ? `Today, ${d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`
    : d.toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** 1:02:03 or 02:03 */
export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function minutes(n: number): string {
  if (n < 60) return `${n} min`;
  const h = Math.floor(n / 60);
  return n % 60 === 0 ? `${h} h` : `${h} h ${n % 60} min`;
}

/** The value a datetime-local input shows for a moment, in local time. */
export function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A ticket that asks for software (Get software). */
export type Requested = LocalTicket & { softwareRequest: NonNullable<LocalTicket['softwareRequest']> };

/** Where a self-service request stands, in the person's words (Get software, My tickets). */
export function requestState(t: Requested): string {
  const a = t.softwareRequest.approval;
  if (a.state === 'rejected') return a.reason ? `Rejected by IT: ${a.reason}` : 'Rejected by IT';
  // A granted exception's ticket is resolved at once: what the person needs to know is that they may keep it.
  if (t.status === 'resolved' || t.status === 'closed')
    return t.softwareRequest.kind === 'install' ? 'Installed' : a.state === 'approved' ? 'Approved: you may keep it' : 'Done';
  if (a.state === 'approved') return t.softwareRequest.kind === 'install' ? 'Approved: installing' : 'Approved: you may keep it';
  if (t.status === 'queued') return 'Waiting to reach IT';
  return 'Waiting for IT’s approval';
}
