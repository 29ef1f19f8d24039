// What the desk's catalogs (software seen, software packages) share: saving a linked record, and
// reading back the last run's summary.
import type { DeskStore } from '../../store/desk-records.js';
import { isDeskError } from '../errors.js';
import type { DeskId } from '../types.js';

/** A linked record someone deleted in the desk is made again (or the one found for it is updated) rather than failing every run. */
export async function saveLinked<T>(
  record: T,
  id: DeskId | null,
  save: (record: T, id?: DeskId) => Promise<DeskId>,
  find: (record: T) => Promise<DeskId | null>,
): Promise<DeskId> {
  if (id === null) return save(record);
  try {
    return await save(record, id);
  } catch (err) {
    if (!isDeskError(err) || err.code !== 'E_DESK_NOT_FOUND') throw err;
    const other = await find(record);
    return other === null || other === id ? save(record) : save(record, other);
  }
}

/** The summary a run kept under `key`; null when there is none or it cannot be read. */
export async function lastRun<T>(store: DeskStore, key: string): Promise<T | null> {
  const text = await store.getState(key);
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
