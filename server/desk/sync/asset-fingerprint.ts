// Whether a device's desk asset needs writing: a fingerprint of every mapped value but lastSeen,
// kept per device in desk_state (`asset:<deviceId>`). A batch that changes nothing the asset shows
// (a package's install date, a DHCP lease) costs no desk call; lastSeen alone is refreshed once a day.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../shared/canonical.js';
import type { DeskStore } from '../../store/desk-records.js';
import type { DeskAssetFields, DeskId } from '../types.js';

/** How stale the desk's Last Seen may get before an otherwise unchanged asset is written again. */
export const LAST_SEEN_REFRESH_MS = 24 * 60 * 60_000;

const stateKey = (deviceId: string): string => `asset:${deviceId}`;

export function assetFingerprint(fields: DeskAssetFields): string {
  const { lastSeen: _lastSeen, ...rest } = fields;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 32);
}

interface Written {
  deskId: DeskId;
  fingerprint: string;
  at: number;
}

function parse(text: string | null): Written | null {
  if (!text) return null;
  try {
    const w = JSON.parse(text) as Partial<Written>;
    return typeof w.deskId === 'string' && typeof w.fingerprint === 'string' && typeof w.at === 'number' ? (w as Written) : null;
  } catch {
    return null;
  }
}

/** True when asset `deskId` was last written with this fingerprint, less than a day ago. */
export async function assetUnchanged(
  store: DeskStore,
  deviceId: string,
  deskId: DeskId,
  fingerprint: string,
  now: number,
): Promise<boolean> {
  const w = parse(await store.getState(stateKey(deviceId)));
  return w !== null && w.deskId === deskId && w.fingerprint === fingerprint && now - w.at < LAST_SEEN_REFRESH_MS;
}

export async function assetWritten(store: DeskStore, deviceId: string, deskId: DeskId, fingerprint: string, now: number): Promise<void> {
  await store.setState(stateKey(deviceId), JSON.stringify({ deskId, fingerprint, at: now }));
}
