// Who holds which device's socket, in PostgreSQL: one row per live server process (with a heartbeat)
// and one per device session (the process holding it). devices.online stays the flag the console and
// enrolment read; it is set and cleared here in the same statement as the session row, so the two
// never disagree. A process that stops heartbeating (kill -9, lost network) is reaped by any other
// after the lease: its sessions go and its devices go offline, unless another process took them.
// These are coordination rows, not inventory: created here, not by the store's migrations.
import type pg from 'pg';
import { inTransaction, type Queryable } from '../store/postgres/tx.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS fleet_processes (
  id text PRIMARY KEY,
  started_at bigint NOT NULL,
  seen_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS fleet_sessions (
  device_id text PRIMARY KEY,
  process_id text NOT NULL,
  since bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS fleet_sessions_process ON fleet_sessions (process_id);
`;

/** Any one number, other than the migrations' lock: two processes creating the tables at once. */
const SCHEMA_LOCK = 0x6f757471;

export async function ensureFleetSchema(pool: pg.Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(SCHEMA);
  });
}

export class PgPresence {
  constructor(
    private readonly db: Queryable,
    private readonly processId: string,
  ) {}

  /** Registers this process (or again, after others reaped it during a long pause). */
  async heartbeat(at: number): Promise<'alive' | 'was-reaped'> {
    const r = await this.db.query('UPDATE fleet_processes SET seen_at = $2 WHERE id = $1', [this.processId, at]);
    if ((r.rowCount ?? 0) > 0) return 'alive';
    await this.db.query(
      'INSERT INTO fleet_processes (id, started_at, seen_at) VALUES ($1, $2, $2) ON CONFLICT (id) DO UPDATE SET seen_at = $2',
      [this.processId, at],
    );
    return 'was-reaped';
  }

  /** Takes the device's session; returns the process that held it before (null: none, or this one). */
  async claim(deviceId: string, at: number): Promise<string | null> {
    const r = await this.db.query<{ previous: string | null }>(
      `WITH before AS (SELECT process_id FROM fleet_sessions WHERE device_id = $1),
            taken AS (INSERT INTO fleet_sessions (device_id, process_id, since) VALUES ($1, $2, $3)
                      ON CONFLICT (device_id) DO UPDATE SET process_id = excluded.process_id, since = excluded.since),
            flag AS (UPDATE devices SET online = true WHERE id = $1)
       SELECT (SELECT process_id FROM before) AS previous`,
      [deviceId, this.processId, at],
    );
    const previous = r.rows[0]?.previous ?? null;
    return previous === this.processId ? null : previous;
  }

  /** Ends this process's session for the device; the flag stays if another process holds it now. */
  async release(deviceId: string): Promise<boolean> {
    const r = await this.db.query(
      `WITH gone AS (DELETE FROM fleet_sessions WHERE device_id = $1 AND process_id = $2 RETURNING device_id)
       UPDATE devices SET online = false WHERE id IN (SELECT device_id FROM gone)`,
      [deviceId, this.processId],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /** Ends all of this process's sessions and its process row (a clean stop). */
  async releaseAll(): Promise<void> {
    await this.db.query(
      `WITH gone AS (DELETE FROM fleet_sessions WHERE process_id = $1 RETURNING device_id),
            me AS (DELETE FROM fleet_processes WHERE id = $1)
       UPDATE devices SET online = false WHERE id IN (SELECT device_id FROM gone)`,
      [this.processId],
    );
  }

  /** The live process holding the device's session, or null. */
  async holder(deviceId: string, liveSince: number): Promise<string | null> {
    const r = await this.db.query<{ process_id: string }>(
      `SELECT s.process_id FROM fleet_sessions s JOIN fleet_processes p ON p.id = s.process_id
       WHERE s.device_id = $1 AND p.seen_at >= $2`,
      [deviceId, liveSince],
    );
    return r.rows[0]?.process_id ?? null;
  }

  /**
   * Removes processes not seen since `liveSince` and their sessions (and sessions of processes with
   * no row at all); their devices go offline. Returns those devices.
   */
  async reap(liveSince: number): Promise<string[]> {
    const r = await this.db.query<{ id: string }>(
      `WITH dead AS (DELETE FROM fleet_processes WHERE seen_at < $1 RETURNING id),
            gone AS (DELETE FROM fleet_sessions s
                     WHERE s.process_id IN (SELECT id FROM dead)
                        OR NOT EXISTS (SELECT 1 FROM fleet_processes p WHERE p.id = s.process_id)
                     RETURNING device_id)
       UPDATE devices SET online = false WHERE id IN (SELECT device_id FROM gone) AND online RETURNING id`,
      [liveSince],
    );
    return r.rows.map((row) => row.id);
  }

  /**
   * Devices flagged online with no session row: left by a server that ran before the fleet rows
   * existed, or by a run on this database without them. Cleared once at start.
   */
  async clearUnheld(): Promise<string[]> {
    const r = await this.db.query<{ id: string }>(
      `UPDATE devices d SET online = false
       WHERE d.online AND NOT EXISTS (SELECT 1 FROM fleet_sessions s WHERE s.device_id = d.id) RETURNING d.id`,
    );
    return r.rows.map((row) => row.id);
  }
}
