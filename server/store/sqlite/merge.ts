// IT merging a device flagged as a possible duplicate into the device it really is, in one
// transaction: the kept device takes over the duplicate's agent (credential, hints, seq numbering),
// its tickets, worklogs, change history and identity events; the duplicate's id stays an alias so
// that its agent's stored credential keeps working. The next connection asks for a full snapshot,
// which the change history then records against the kept device's last known inventory.
import type Database from 'better-sqlite3';
import type { MergeResult } from '../store.js';
import { createIdentityEvents } from './identity-events.js';
import { createFleetCounts } from './fleet-counts.js';

interface Row {
  id: string;
  hostname: string;
  online: number;
}

export type MergeDevices = (id: string, into: string, at: number, isLive: (deviceId: string) => boolean) => MergeResult;

export function createMerge(db: Database.Database): MergeDevices {
  const device = db.prepare<[string], Row>('SELECT id, hostname, online FROM devices WHERE id = ?');
  const takeOver = db.prepare(`
    UPDATE devices SET (install_id, hostname, serial, uuid, macs, secret_hash, last_seq, agent_version, last_seen, online) =
      (SELECT s.install_id, s.hostname, COALESCE(s.serial, devices.serial), COALESCE(s.uuid, devices.uuid), s.macs, s.secret_hash,
              s.last_seq, s.agent_version, MAX(s.last_seen, devices.last_seen), 0 FROM devices s WHERE s.id = @id),
      needs_full = 1, duplicate_of = NULL, duplicate_reason = NULL
    WHERE id = @into`);
  const moves = [
    'DELETE FROM device_macs WHERE device_id = @into',
    'UPDATE device_macs SET device_id = @into WHERE device_id = @id',
    // A ref both devices used (agent-made random ids: not expected) stays behind and loses its device.
    'UPDATE OR IGNORE tickets SET device_id = @into WHERE device_id = @id',
    'UPDATE OR IGNORE worklogs SET device_id = @into WHERE device_id = @id',
    'UPDATE changes SET device_id = @into WHERE device_id = @id',
    'UPDATE device_events SET device_id = @into WHERE device_id = @id',
    'UPDATE devices SET duplicate_of = @into WHERE duplicate_of = @id',
    'UPDATE devices SET clone_of = @into WHERE clone_of = @id',
    'UPDATE device_aliases SET device_id = @into WHERE device_id = @id',
    'INSERT OR REPLACE INTO device_aliases (alias, device_id) VALUES (@id, @into)',
    'DELETE FROM devices WHERE id = @id',
  ].map((sql) => db.prepare(sql));
  const events = createIdentityEvents(db);
  const counts = createFleetCounts(db);
  const liveGen = db.prepare<[string], { software_gen: number }>('SELECT software_gen FROM snapshots WHERE device_id = ?');

  return db.transaction((id: string, into: string, at: number, isLive: (deviceId: string) => boolean): MergeResult => {
    if (id === into) return { ok: false, reason: 'same-device' };
    const source = device.get(id);
    const target = device.get(into);
    if (!source || !target) return { ok: false, reason: 'not-found' };
    if (target.online === 1 || isLive(into)) return { ok: false, reason: 'into-online' };
    takeOver.run({ id, into });
    // The duplicate's software rows go with it: out of the fleet counts first.
    counts.removeDevice(id, liveGen.get(id)?.software_gen ?? null);
    for (const statement of moves) statement.run({ id, into });
    events.add(into, at, 'merged', { from: id, hostname: source.hostname });
    return { ok: true };
  });
}
