// Enrolment in one transaction: spend a token use, find which device the agent is, and give that
// device the new secret. Re-enrolling restarts the agent's seq numbering and asks for a full snapshot.
// Continuing an existing device and flagging a possible duplicate are both recorded as identity events.
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { cleanHints, matchableHostname, resolveIdentity, type CleanHints, type IdentityCandidate } from '../identity.js';
import type { EnrolRequest, EnrolResult } from '../store.js';
import { createIdentityEvents } from './identity-events.js';

interface TokenRow {
  expires_at: number | null;
  uses_left: number | null;
  revoked: number;
}

interface CandidateRow {
  id: string;
  install_id: string;
  hostname: string;
  serial: string | null;
  uuid: string | null;
  clone_of: string | null;
  duplicate_of: string | null;
  online: number;
  first_seen: number;
  last_seen: number;
}

export function createEnrol(db: Database.Database): (request: EnrolRequest) => EnrolResult {
  const token = db.prepare<[Buffer], TokenRow>('SELECT expires_at, uses_left, revoked FROM enrolment_tokens WHERE hash = ?');
  const spend = db.prepare('UPDATE enrolment_tokens SET uses_left = uses_left - 1, used = used + 1 WHERE hash = ?');
  const candidates = db.prepare<Record<string, string | null>, CandidateRow>(`
    SELECT id, install_id, hostname, serial, uuid, clone_of, duplicate_of, online, first_seen, last_seen FROM devices
    WHERE install_id = @installId OR serial = @serial COLLATE NOCASE OR uuid = @uuid OR hostname = @hostname COLLATE NOCASE
       OR id IN (SELECT device_id FROM device_macs WHERE mac IN (SELECT value FROM json_each(@macs)))`);
  const macsOf = db.prepare<[string], { mac: string }>('SELECT mac FROM device_macs WHERE device_id = ?');
  const insert = db.prepare(`
    INSERT INTO devices (id, install_id, hostname, serial, uuid, macs, secret_hash, last_seq, needs_full, clone_of, duplicate_of, duplicate_reason, agent_version, first_seen, last_seen)
    VALUES (@id, @installId, @hostname, @serial, @uuid, @macs, @secretHash, 0, 1, @cloneOf, @duplicateOf, @duplicateReason, @agentVersion, @at, @at)`);
  const update = db.prepare(`
    UPDATE devices SET install_id = @installId, hostname = @hostname, serial = COALESCE(@serial, serial), uuid = COALESCE(@uuid, uuid), macs = @macs,
      secret_hash = @secretHash, last_seq = 0, needs_full = 1, clone_of = COALESCE(@cloneOf, clone_of),
      agent_version = @agentVersion, last_seen = @at
    WHERE id = @id`);
  const previous = db.prepare<[string], { install_id: string; hostname: string }>('SELECT install_id, hostname FROM devices WHERE id = ?');
  const clearMacs = db.prepare('DELETE FROM device_macs WHERE device_id = ?');
  const addMac = db.prepare('INSERT OR IGNORE INTO device_macs (mac, device_id) VALUES (?, ?)');
  const events = createIdentityEvents(db);

  const usable = (row: TokenRow | undefined, at: number): boolean =>
    row !== undefined && !row.revoked && (row.expires_at === null || row.expires_at > at) && (row.uses_left === null || row.uses_left > 0);

  const findCandidates = (hints: CleanHints, isLive: (id: string) => boolean): IdentityCandidate[] =>
    candidates
      .all({
        installId: hints.installId,
        serial: hints.serial,
        uuid: hints.uuid,
        hostname: matchableHostname(hints.hostname) === null ? null : hints.hostname,
        macs: JSON.stringify(hints.matchableMacs),
      })
      .map((r) => ({
        id: r.id,
        installId: r.install_id,
        hostname: r.hostname,
        serial: r.serial,
        uuid: r.uuid,
        cloneOf: r.clone_of,
        duplicateOf: r.duplicate_of,
        // Both: this process's sockets (no lag) and the flag other processes keep.
        live: r.online === 1 || isLive(r.id),
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
        matchableMacs: macsOf.all(r.id).map((m) => m.mac),
      }));

  return db.transaction((request: EnrolRequest): EnrolResult => {
    if (!usable(token.get(request.tokenHash), request.at)) return { ok: false };
    spend.run(request.tokenHash);
    const hints = cleanHints(request.hints);
    const resolution = resolveIdentity(hints, findCandidates(hints, request.isLive ?? (() => false)));
    const deviceId = resolution.deviceId ?? randomUUID();
    const cloneOf = resolution.cloneOf === deviceId ? null : resolution.cloneOf;
    const { duplicateOf, matchedBy } = resolution;
    const row = {
      id: deviceId,
      installId: hints.installId,
      hostname: hints.hostname,
      serial: hints.serial,
      uuid: hints.uuid,
      macs: JSON.stringify(hints.macs),
      secretHash: request.secretHash,
      cloneOf,
      duplicateOf: duplicateOf?.deviceId ?? null,
      duplicateReason: duplicateOf?.reason ?? null,
      agentVersion: request.agentVersion,
      at: request.at,
    };
    const remote = request.remote ?? null;
    if (resolution.deviceId) {
      const before = previous.get(deviceId)!;
      update.run(row);
      events.add(deviceId, request.at, 'continued', {
        matchedBy,
        remote,
        hostname: hints.hostname,
        previousHostname: before.hostname,
        newInstall: before.install_id !== hints.installId,
      });
    } else {
      insert.run(row);
      if (duplicateOf)
        events.add(duplicateOf.deviceId, request.at, 'duplicate-enrolled', {
          deviceId,
          reason: duplicateOf.reason,
          remote,
          hostname: hints.hostname,
        });
    }
    clearMacs.run(deviceId);
    for (const mac of hints.matchableMacs) addMac.run(mac, deviceId);
    return { ok: true, deviceId, created: resolution.deviceId === null, cloneOf, matchedBy, duplicateOf };
  });
}
