// The deploy form's pure parts: what the page's address presets, the targets and window the form
// sends, and how states are named. DOM-free, unit-tested.
import type { DeployState } from '../../../shared/deploy.js';

export type TargetMode = 'devices' | 'search';

export interface DeployPreset {
  mode: TargetMode;
  /** Device ids, one per line. */
  devices: string;
  q: string;
  os: '' | 'linux' | 'darwin' | 'windows' | 'other';
  online: '' | 'true' | 'false';
}

/** ?devices=a,b presets a selection; ?q=&os=&online= (the devices list's search) presets a search. */
export function presetFromSearch(search: string): DeployPreset {
  const p = new URLSearchParams(search);
  const devices = (p.get('devices') ?? '').split(',').filter(Boolean);
  const os = p.get('os') ?? '';
  const online = p.get('online') ?? '';
  return {
    mode: devices.length > 0 || !(p.has('q') || p.has('os') || p.has('online')) ? 'devices' : 'search',
    devices: devices.join('\n'),
    q: p.get('q') ?? '',
    os: (['linux', 'darwin', 'windows', 'other'].includes(os) ? os : '') as DeployPreset['os'],
    online: online === 'true' || online === 'false' ? online : '',
  };
}

export type DeployTargets =
  { deviceIds: string[] } | { search: { q?: string; os?: 'linux' | 'darwin' | 'windows' | 'other'; online?: 'true' | 'false' } };

/** The targets the form names, or why it names none. */
export function targetsOf(form: DeployPreset): { targets: DeployTargets } | { error: string } {
  if (form.mode === 'devices') {
    const ids = [...new Set(form.devices.split(/[\s,]+/).filter(Boolean))];
    return ids.length > 0 ? { targets: { deviceIds: ids } } : { error: 'Name at least one device id, or deploy to a search.' };
  }
  const search: Extract<DeployTargets, { search: unknown }>['search'] = {};
  if (form.q.trim()) search.q = form.q.trim();
  if (form.os) search.os = form.os;
  if (form.online) search.online = form.online;
  return Object.keys(search).length > 0
    ? { targets: { search } }
    : { error: 'A search with no filter would deploy to every device; add one.' };
}

/** A datetime-local value (the browser's local time) as ISO 8601 with offset; undefined when empty or invalid. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export const STATE_LABEL: Record<DeployState, string> = {
  pending: 'Waiting for the device',
  queued: 'Queued',
  downloading: 'Downloading',
  installing: 'Installing',
  succeeded: 'Installed',
  failed: 'Failed',
};

export const STATE_KIND: Record<DeployState, 'neutral' | 'info' | 'success' | 'danger'> = {
  pending: 'neutral',
  queued: 'neutral',
  downloading: 'info',
  installing: 'info',
  succeeded: 'success',
  failed: 'danger',
};

/** "3 installed, 1 failed, 2 waiting": the counts that are not zero, in the order a deployment moves. */
export function countsText(counts: Record<DeployState, number>): string {
  const order: DeployState[] = ['succeeded', 'failed', 'installing', 'downloading', 'queued', 'pending'];
  const words: Record<DeployState, string> = {
    succeeded: 'installed',
    failed: 'failed',
    installing: 'installing',
    downloading: 'downloading',
    queued: 'queued',
    pending: 'waiting',
  };
  const parts = order.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${words[s]}`);
  return parts.length > 0 ? parts.join(', ') : 'no devices';
}
