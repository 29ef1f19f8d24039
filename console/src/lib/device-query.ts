// The devices page's state lives in the URL (so a view can be shared and reloaded) and becomes an
// API query at request time, when "last 24 hours" is turned into a timestamp.
import { DEVICE_SORTS, type DeviceListQuery, type DevicePlatform, type DeviceSort } from '../../../shared/http-api.js';
import { PAGE_SIZE, pageOf, searchTextOf, toSearch } from './list-query.js';

export const SEEN_CHOICES = ['any', '24h', '7d', '30d', 'older30d'] as const;
export type SeenChoice = (typeof SEEN_CHOICES)[number];
export const PLATFORMS: readonly DevicePlatform[] = ['linux', 'darwin', 'windows', 'other'];
/** Issue 18's posture filters: "some volume under N % free", disk encryption, reboot, firewall. */
export const LOW_DISK_CHOICES = ['', '5', '10', '20'] as const;
export const ENCRYPTION_CHOICES = ['', 'off', 'partial', 'on', 'unknown'] as const;
export type LowDiskChoice = (typeof LOW_DISK_CHOICES)[number];
export type EncryptionChoice = (typeof ENCRYPTION_CHOICES)[number];

/** What the admin chose on the page, as it appears in the URL. */
export interface DeviceView {
  q: string;
  os: DevicePlatform | '';
  online: 'true' | 'false' | '';
  seen: SeenChoice;
  lowDisk: LowDiskChoice;
  encryption: EncryptionChoice;
  rebootRequired: 'true' | '';
  firewall: 'off' | 'on' | '';
  sort: DeviceSort;
  order: 'asc' | 'desc';
  page: number;
}

export const DEFAULT_VIEW: DeviceView = {
  q: '',
  os: '',
  online: '',
  seen: 'any',
  lowDisk: '',
  encryption: '',
  rebootRequired: '',
  firewall: '',
  sort: 'hostname',
  order: 'asc',
  page: 1,
};

const DAY = 24 * 60 * 60 * 1000;

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** Reads a view from a query string; anything unknown falls back to the default, never throws. */
export function viewFromSearch(search: string): DeviceView {
  const p = new URLSearchParams(search);
  return {
    q: searchTextOf(p),
    os: oneOf<DevicePlatform | ''>(p.get('os'), PLATFORMS, ''),
    online: oneOf<'true' | 'false' | ''>(p.get('online'), ['true', 'false'], ''),
    seen: oneOf(p.get('seen'), SEEN_CHOICES, 'any'),
    lowDisk: oneOf(p.get('lowDisk'), LOW_DISK_CHOICES, ''),
    encryption: oneOf(p.get('encryption'), ENCRYPTION_CHOICES, ''),
    rebootRequired: oneOf<'true' | ''>(p.get('rebootRequired'), ['true'], ''),
    firewall: oneOf<'on' | 'off' | ''>(p.get('firewall'), ['on', 'off'], ''),
    sort: oneOf(p.get('sort'), DEVICE_SORTS, DEFAULT_VIEW.sort),
    order: oneOf(p.get('order'), ['asc', 'desc'] as const, DEFAULT_VIEW.order),
    page: pageOf(p),
  };
}

/** The query string for a view, leaving out defaults so shared links stay short. */
export function searchFromView(view: DeviceView): string {
  const p = new URLSearchParams();
  if (view.q.trim()) p.set('q', view.q.trim());
  if (view.os) p.set('os', view.os);
  if (view.online) p.set('online', view.online);
  if (view.seen !== 'any') p.set('seen', view.seen);
  for (const key of ['lowDisk', 'encryption', 'rebootRequired', 'firewall'] as const) if (view[key]) p.set(key, view[key]);
  if (view.sort !== DEFAULT_VIEW.sort || view.order !== DEFAULT_VIEW.order) {
    p.set('sort', view.sort);
    p.set('order', view.order);
  }
  if (view.page > 1) p.set('page', String(view.page));
  return toSearch(p);
}

export function apiQueryFromView(view: DeviceView, now: number): DeviceListQuery {
  const query: DeviceListQuery = { sort: view.sort, order: view.order, limit: PAGE_SIZE, offset: (view.page - 1) * PAGE_SIZE };
  if (view.q.trim()) query.q = view.q.trim();
  if (view.os) query.os = view.os;
  if (view.online) query.online = view.online;
  const iso = (ms: number) => new Date(ms).toISOString();
  if (view.seen === '24h') query.seenAfter = iso(now - DAY);
  if (view.seen === '7d') query.seenAfter = iso(now - 7 * DAY);
  if (view.seen === '30d') query.seenAfter = iso(now - 30 * DAY);
  if (view.seen === 'older30d') query.seenBefore = iso(now - 30 * DAY);
  if (view.lowDisk) query.lowDisk = Number(view.lowDisk);
  if (view.encryption) query.encryption = view.encryption;
  if (view.rebootRequired) query.rebootRequired = view.rebootRequired;
  if (view.firewall) query.firewall = view.firewall;
  return query;
}

/** Whether any posture filter narrows the list. */
export function postureFiltered(view: DeviceView): boolean {
  return view.lowDisk !== '' || view.encryption !== '' || view.rebootRequired !== '' || view.firewall !== '';
}

/** Clicking a column header: sort by it ascending, or flip the order if it already sorts. Back to page 1. */
export function toggleSort(view: DeviceView, sort: DeviceSort): DeviceView {
  const order = view.sort === sort && view.order === 'asc' ? 'desc' : view.sort === sort ? 'asc' : sort === 'lastSeen' ? 'desc' : 'asc';
  return { ...view, sort, order, page: 1 };
}
