// IT merging a device flagged as a possible duplicate into the device it really is, in the caller's
// transaction (see ../sqlite/merge.ts for what moves). Both device rows are locked first, in id order.
import type { MergeResult } from '../store.js';
import { addIdentityEvent } from './devices.js';
import type { Queryable } from './tx.js';
import { removeDeviceFromCounts } from './fleet-counts.js';

const MOVES = [
  'UPDATE device_macs SET device_id = $2 WHERE device_id = $1',
  // A ref both devices used (agent-made random ids: not expected) stays behind and loses its device.
  `UPDATE tickets t SET device_id = $2 WHERE device_id = $1
     AND NOT EXISTS (SELECT 1 FROM tickets o WHERE o.device_id = $2 AND o.ref = t.ref)`,
  `UPDATE worklogs w SET device_id = $2 WHERE device_id = $1
     AND NOT EXISTS (SELECT 1 FROM worklogs o WHERE o.device_id = $2 AND o.ref = w.ref)`,
  'UPDATE changes SET device_id = $2 WHERE device_id = $1',
  'UPDATE device_events SET device_id = $2 WHERE device_id = $1',
  'UPDATE devices SET duplicate_of = $2 WHERE duplicate_of = $1',
  'UPDATE devices SET clone_of = $2 WHERE clone_of = $1',
  'UPDATE device_aliases SET device_id = $2 WHERE device_id = $1',
  'INSERT INTO device_aliases (alias, device_id) VALUES ($1, $2) ON CONFLICT (alias) DO UPDATE SET device_id = excluded.device_id',
];

export async function mergePgDevices(
  db: Queryable,
  id: string,
  into: string,
  at: number,
  isLive: (deviceId: string) => boolean,
): Promise<MergeResult> {
  if (id === into) return { ok: false, reason: 'same-device' };
  const rows = await db.query<{ id: string; hostname: string; online: boolean }>(
    'SELECT id, hostname, online FROM devices WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [[id, into]],
  );
  const source = rows.rows.find((r) => r.id === id);
  const target = rows.rows.find((r) => r.id === into);
  if (!source || !target) return { ok: false, reason: 'not-found' };
  if (target.online || isLive(into)) return { ok: false, reason: 'into-online' };
  await db.query(
    `UPDATE devices d SET install_id = s.install_id, hostname = s.hostname, serial = COALESCE(s.serial, d.serial),
       uuid = COALESCE(s.uuid, d.uuid), macs = s.macs, secret_hash = s.secret_hash, last_seq = s.last_seq,
       agent_version = s.agent_version, last_seen = GREATEST(s.last_seen, d.last_seen), online = false,
       needs_full = true, duplicate_of = NULL, duplicate_reason = NULL
     FROM devices s WHERE s.id = $1 AND d.id = $2`,
    [id, into],
  );
  await db.query('DELETE FROM device_macs WHERE device_id = $1', [into]);
  for (const sql of MOVES) await db.query(sql, [id, into]);
  // The duplicate's software rows go with it: out of the fleet counts first.
  await removeDeviceFromCounts(db, id);
  await db.query('DELETE FROM devices WHERE id = $1', [id]);
  await addIdentityEvent(db, into, at, 'merged', { from: id, hostname: source.hostname });
  return { ok: true };
}
