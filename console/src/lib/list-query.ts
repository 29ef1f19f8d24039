// The lists keep their filters in the address (shareable, reloadable): the pieces every list reads
// and writes the same way, and the software and ticket lists' views (device-query.ts has the devices').
import type { TicketStatus } from '../../../shared/tickets.js';

/** Rows per page (or per "load older") in every list of the console. */
export const PAGE_SIZE = 50;

/** The `page` parameter: 1 when absent or not a page number. */
export function pageOf(p: URLSearchParams): number {
  const page = Number.parseInt(p.get('page') ?? '1', 10);
  return Number.isFinite(page) && page >= 1 ? Math.min(page, 1_000_000) : 1;
}

/** The `q` parameter, cut to the 200 characters a search box takes. */
export function searchTextOf(p: URLSearchParams): string {
  return (p.get('q') ?? '').slice(0, 200);
}

/** `?a=b`, or '' when there is nothing to say. */
export function toSearch(p: URLSearchParams): string {
  const text = p.toString();
  return text ? `?${text}` : '';
}

export interface SoftwareView {
  q: string;
  prohibited: boolean;
  page: number;
}

export function softwareViewFromSearch(search: string): SoftwareView {
  const p = new URLSearchParams(search);
  return { q: searchTextOf(p), prohibited: p.get('prohibited') === 'true', page: pageOf(p) };
}

export function searchFromSoftwareView(view: SoftwareView): string {
  const p = new URLSearchParams();
  if (view.q) p.set('q', view.q);
  if (view.prohibited) p.set('prohibited', 'true');
  if (view.page > 1) p.set('page', String(view.page));
  return toSearch(p);
}

export const TICKET_STATUS_CHOICES: readonly TicketStatus[] = ['new', 'open', 'pending', 'resolved', 'closed'];
/** "Active" is what IT works on: everything not resolved or closed. */
const ACTIVE_STATUSES = 'new,open,pending';

export interface TicketView {
  q: string;
  /** '' for all, 'active', or one status. */
  status: '' | 'active' | TicketStatus;
}

export function ticketViewFromSearch(search: string): TicketView {
  const p = new URLSearchParams(search);
  const status = p.get('status') ?? 'active';
  const known = status === '' || status === 'all' || status === 'active' || (TICKET_STATUS_CHOICES as readonly string[]).includes(status);
  return { q: searchTextOf(p), status: !known || status === 'all' ? (known ? '' : 'active') : (status as TicketView['status']) };
}

export function searchFromTicketView(view: TicketView): string {
  const p = new URLSearchParams();
  if (view.q) p.set('q', view.q);
  if (view.status !== 'active') p.set('status', view.status || 'all');
  return toSearch(p);
}

/** The API's status filter for a view: comma-separated statuses, or none. */
export function ticketStatusQuery(view: TicketView): string | undefined {
  if (view.status === '') return undefined;
  return view.status === 'active' ? ACTIVE_STATUSES : view.status;
}
