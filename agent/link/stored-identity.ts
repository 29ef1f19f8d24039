// The link's reads and updates of the stored credentials. Neither throws: an unreadable store
// means enrolling again (with a token) or retrying, and a failed update keeps the old id working.
import type { Logger } from '../../shared/log.js';
import type { CredentialStore, StoredCredentials } from './credentials.js';
import { errorText } from './socket.js';

export function loadCredentials(store: CredentialStore, log: Logger): StoredCredentials | undefined {
  try {
    return store.load();
  } catch (err) {
    log.error({ err: errorText(err) }, 'cannot read the stored credentials');
    return undefined;
  }
}

/** After IT merged this device into another, the server welcomes the old id as the kept device;
 * the agent keeps the id the server uses now (the old one would keep working as an alias). */
export function followMerge(store: CredentialStore, deviceId: string, log: Logger): void {
  const stored = loadCredentials(store, log);
  if (!stored || stored.deviceId === deviceId) return;
  try {
    store.save({ ...stored, deviceId });
    log.info({ deviceId, previousDeviceId: stored.deviceId }, 'the server knows this device by another id now (merged); stored it');
  } catch (err) {
    log.warn({ err: errorText(err) }, 'cannot store the device id the server uses now; the old one keeps working');
  }
}
