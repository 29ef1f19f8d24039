// One step of collecting package identities no device row names, in PostgreSQL (what and when:
// ../identity-gc.ts), in the caller's transaction. The race: a batch makes or finds an identity's
// id (staging.ts, insertSoftwareRows) and writes the row naming it later in its transaction; a step
// that looked in between would see no row (not committed yet) and delete the identity under it. So
// a batch holds IDENTITY_LOCK shared from its first statement (batch-state.ts readDeviceState) until it commits, and a step
// takes it exclusively before it looks: it waits for the batches under way, the ones that start
// meanwhile wait for it (a few milliseconds), and its delete sees every row they committed.
import { afterWindow, dueWindow, GC_META_KEY, readGcState, type GcState } from '../identity-gc.js';
import type { Queryable } from './tx.js';

/** Any one number (not MIGRATION_LOCK): batches share it, an identity step holds it alone. */
export const IDENTITY_LOCK = 0x6f757471;

const WINDOW = {
  packages: 'SELECT id FROM software_packages WHERE id > $1 ORDER BY id LIMIT $2',
  keys: 'SELECT id FROM software_keys WHERE id > $1 ORDER BY id LIMIT $2',
};
const DROP = {
  packages: `DELETE FROM software_packages p WHERE p.id = ANY($1::bigint[])
    AND NOT EXISTS (SELECT 1 FROM device_software r WHERE r.key_id = p.key_id AND r.package_id = p.id)`,
  keys: `DELETE FROM software_keys k WHERE k.id = ANY($1::bigint[])
    AND NOT EXISTS (SELECT 1 FROM software_packages p WHERE p.key_id = k.id)
    AND NOT EXISTS (SELECT 1 FROM device_software r WHERE r.key_id = k.id)`,
};

async function readState(db: Queryable, at: number) {
  const row = await db.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [GC_META_KEY]);
  const state = readGcState(row.rows[0]?.value, at);
  if (row.rows[0] === undefined) await writeState(db, state);
  return state;
}

async function writeState(db: Queryable, state: GcState): Promise<void> {
  await db.query(`INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [
    GC_META_KEY,
    JSON.stringify(state),
  ]);
}

/** Ids looked at; 0 when no pass is due. */
export async function collectPgIdentities(db: Queryable, limit: number, at: number): Promise<number> {
  if (!dueWindow(await readState(db, at), at)) return 0;
  await db.query('SELECT pg_advisory_xact_lock($1)', [IDENTITY_LOCK]);
  // Read again under the lock: another process may have taken the step meanwhile.
  const state = await readState(db, at);
  const window = dueWindow(state, at);
  if (!window) return 0;
  const ids = (await db.query<{ id: number }>(WINDOW[window.table], [window.from, limit])).rows.map((r) => Number(r.id));
  if (ids.length > 0) await db.query(DROP[window.table], [ids]);
  await writeState(db, afterWindow(state, window, ids.length, ids.at(-1) ?? 0, limit, at));
  return Math.max(ids.length, 1);
}
