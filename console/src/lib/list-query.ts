// The software and ticket lists keep their filters in the address too (shareable, reloadable).
import type { TicketStatus } from '../../../shared/tickets.js';

export const SOFTWARE_PAGE_SIZE = 50;

export interface SoftwareView {
  q: string;
  prohibited: boolean;
  page: number;
}

function pageOf(p: URLSearchParams): number {
  const page = Number.parseInt(p.get('page') ?? '1', 10);
  return Number.isFinite(page) && page >= 1 ? Math.min(page, 1_000_000) : 1;
}

function toSearch(p: URLSearchParams): string {
  const text = p.toString();
  return text ? `?${text}` : '';
}

export function softwareViewFromSearch(search: string): SoftwareView {
  const p = new URLSearchParams(search);
  return { q: (p.get('q') ?? '').slice(0, 200), prohibited: p.get('prohibited') === 'true', page: pageOf(p) };
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
export const ACTIVE_STATUSES = 'new,open,pending';

export interface TicketView {
  q: string;
  /** '' for all, 'active', or one status. */
  status: '' | 'active' | TicketStatus;
}

export function ticketViewFromSearch(search: string): TicketView {
  const p = new URLSearchParams(search);
  const status = p.get('status') ?? 'active';
  const known = status === '' || status === 'all' || status === 'active' || (TICKET_STATUS_CHOICES as readonly string[]).includes(status);
  return { q: (p.get('q') ?? '').slice(0, 200), status: !known || status === 'all' ? (known ? '' : 'active') : (status as TicketView['status']) };
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
