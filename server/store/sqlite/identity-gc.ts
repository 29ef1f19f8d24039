// One step of collecting package identities no device row names (what and when: ../identity-gc.ts),
// in its own transaction on the writer's connection. No batch runs between naming an identity and
// writing its row while this runs (one connection, synchronous transactions), but a batch keeps the
// ids it has seen in memory (software-rows.ts): a step that deleted any makes it forget them all, so
// a package reported again gets a new identity instead of a dead id.
import type Database from 'better-sqlite3';
import { afterWindow, dueWindow, GC_META_KEY, readGcState } from '../identity-gc.js';

/** Ids looked at by one step; 0 when no pass is due. */
export type IdentityGcStep = (limit: number, at: number) => number;

export function createIdentityGc(db: Database.Database, forget: () => void): IdentityGcStep {
  const readState = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const writeState = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const windows = {
    packages: db.prepare<[number, number], { id: number }>('SELECT id FROM software_packages WHERE id > ? ORDER BY id LIMIT ?'),
    keys: db.prepare<[number, number], { id: number }>('SELECT id FROM software_keys WHERE id > ? ORDER BY id LIMIT ?'),
  };
  // One probe of device_software(key_id, package_id) a package; a key goes once its packages have.
  const drop = {
    packages: db.prepare(`
      DELETE FROM software_packages WHERE id IN (SELECT value FROM json_each(?)) AND NOT EXISTS (
        SELECT 1 FROM device_software r WHERE r.key_id = software_packages.key_id AND r.package_id = software_packages.id)`),
    keys: db.prepare(`
      DELETE FROM software_keys WHERE id IN (SELECT value FROM json_each(?))
        AND NOT EXISTS (SELECT 1 FROM software_packages p WHERE p.key_id = software_keys.id)
        AND NOT EXISTS (SELECT 1 FROM device_software r WHERE r.key_id = software_keys.id)`),
  };
  return db.transaction((limit: number, at: number): number => {
    const kept = readState.get(GC_META_KEY)?.value;
    const state = readGcState(kept, at);
    const window = dueWindow(state, at);
    if (kept === undefined) writeState.run(GC_META_KEY, JSON.stringify(state));
    if (!window) return 0;
    const ids = windows[window.table].all(window.from, limit).map((r) => r.id);
    if (ids.length > 0 && drop[window.table].run(JSON.stringify(ids)).changes > 0) forget();
    writeState.run(GC_META_KEY, JSON.stringify(afterWindow(state, window, ids.length, ids.at(-1) ?? 0, limit, at)));
    return Math.max(ids.length, 1);
  });
}
