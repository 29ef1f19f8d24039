// Enrolment in one transaction (see ../sqlite/enrol.ts for what it decides): spend a token use, find
// which device the agent is, give that device the new secret, record continuations and duplicates.
// Enrolments take one advisory lock: two agents of one machine enrolling at once through two server
// processes must not both create it (SQLite gets this from its single writer).
import { randomUUID } from 'node:crypto';
import { cleanHints, matchableHostname, resolveIdentity, type CleanHints, type IdentityCandidate } from '../identity.js';
import type { EnrolRequest, EnrolResult } from '../store.js';
import { addIdentityEvent, setDeviceMacs } from './devices.js';
import type { Queryable } from './tx.js';

const ENROL_LOCK = 0x656e726f;

interface CandidateRow {
  id: string;
  install_id: string;
  hostname: string;
  serial: string | null;
  uuid: string | null;
  clone_of: string | null;
  duplicate_of: string | null;
  online: boolean;
  first_seen: number;
  last_seen: number;
  matchable_macs: string[];
}

async function findCandidates(db: Queryable, hints: CleanHints, isLive: (id: string) => boolean): Promise<IdentityCandidate[]> {
  const r = await db.query<CandidateRow>(
    `SELECT id, install_id, hostname, serial, uuid, clone_of, duplicate_of, online, first_seen, last_seen,
       ARRAY(SELECT mac FROM device_macs m WHERE m.device_id = d.id ORDER BY mac) AS matchable_macs
     FROM devices d
     WHERE install_id = $1 OR lower(serial) = lower($2) OR uuid = $3 OR lower(hostname) = lower($4)
        OR id IN (SELECT device_id FROM device_macs WHERE mac = ANY($5::text[]))
     ORDER BY first_seen, id`,
    [hints.installId, hints.serial, hints.uuid, matchableHostname(hints.hostname) === null ? null : hints.hostname, hints.matchableMacs],
  );
  return r.rows.map((c) => ({
    id: c.id,
    installId: c.install_id,
    hostname: c.hostname,
    serial: c.serial,
    uuid: c.uuid,
    cloneOf: c.clone_of,
    duplicateOf: c.duplicate_of,
    // Both: this process's sockets (no lag) and the flag other processes keep.
    live: c.online || isLive(c.id),
    firstSeen: c.first_seen,
    lastSeen: c.last_seen,
    matchableMacs: c.matchable_macs,
  }));
}

/** Runs inside the caller's transaction. */
export async function enrolPg(db: Queryable, request: EnrolRequest): Promise<EnrolResult> {
  await db.query('SELECT pg_advisory_xact_lock($1)', [ENROL_LOCK]);
  const spent = await db.query(
    `UPDATE enrolment_tokens SET uses_left = uses_left - 1, used = used + 1
     WHERE hash = $1 AND NOT revoked AND (expires_at IS NULL OR expires_at > $2) AND (uses_left IS NULL OR uses_left > 0)`,
    [request.tokenHash, request.at],
  );
  if (spent.rowCount !== 1) return { ok: false };
  const hints = cleanHints(request.hints);
  const resolution = resolveIdentity(hints, await findCandidates(db, hints, request.isLive ?? (() => false)));
  const deviceId = resolution.deviceId ?? randomUUID();
  const cloneOf = resolution.cloneOf === deviceId ? null : resolution.cloneOf;
  const { duplicateOf, matchedBy } = resolution;
  const remote = request.remote ?? null;
  const macs = JSON.stringify(hints.macs);
  if (resolution.deviceId) {
    const before = (
      await db.query<{ install_id: string; hostname: string }>('SELECT install_id, hostname FROM devices WHERE id = $1', [deviceId])
    ).rows[0]!;
    await db.query(
      `UPDATE devices SET install_id = $2, hostname = $3, serial = COALESCE($4, serial), uuid = COALESCE($5, uuid), macs = $6,
         secret_hash = $7, last_seq = 0, needs_full = true, clone_of = COALESCE($8, clone_of), agent_version = $9, last_seen = $10
       WHERE id = $1`,
      [
        deviceId,
        hints.installId,
        hints.hostname,
        hints.serial,
        hints.uuid,
        macs,
        request.secretHash,
        cloneOf,
        request.agentVersion,
        request.at,
      ],
    );
    await addIdentityEvent(db, deviceId, request.at, 'continued', {
      matchedBy,
      remote,
      hostname: hints.hostname,
      previousHostname: before.hostname,
      newInstall: before.install_id !== hints.installId,
    });
  } else {
    await db.query(
      `INSERT INTO devices (id, install_id, hostname, serial, uuid, macs, secret_hash, last_seq, needs_full, clone_of, duplicate_of,
         duplicate_reason, agent_version, first_seen, last_seen)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 0, true, $8, $9, $10, $11, $12, $12)`,
      [
        deviceId,
        hints.installId,
        hints.hostname,
        hints.serial,
        hints.uuid,
        macs,
        request.secretHash,
        cloneOf,
        duplicateOf?.deviceId ?? null,
        duplicateOf?.reason ?? null,
        request.agentVersion,
        request.at,
      ],
    );
    if (duplicateOf) {
      await addIdentityEvent(db, duplicateOf.deviceId, request.at, 'duplicate-enrolled', {
        deviceId,
        reason: duplicateOf.reason,
        remote,
        hostname: hints.hostname,
      });
    }
  }
  await setDeviceMacs(db, deviceId, hints.matchableMacs);
  return { ok: true, deviceId, created: resolution.deviceId === null, cloneOf, matchedBy, duplicateOf };
}
