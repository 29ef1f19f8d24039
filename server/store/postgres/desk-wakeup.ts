// Jobs another server process enqueued wake this process's desk sync at once (LISTEN/NOTIFY), rather
// than at its next timer. Best effort: a lost listening connection costs only that promptness (the
// engine's own wake-ups still find every job), and is opened again when the engine next starts.
import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { Queryable } from './tx.js';

const CHANNEL = 'outpost_desk_jobs';

export interface DeskWakeup {
  /** Inside an enqueuing transaction: the other processes hear of it when it commits. */
  announce(db: Queryable): Promise<void>;
  /** Listens while `onJobs` is set (the sync engine runs); null stops. */
  listen(onJobs: (() => void) | null): void;
  /** Resolves once the LISTEN is in place (or failed: best effort). */
  whenListening(): Promise<void>;
  close(): Promise<void>;
}

export function createDeskWakeup(pool: pg.Pool): DeskWakeup {
  // This process's own announcements come back too; its engine was already told directly.
  const self = randomUUID();
  let onJobs: (() => void) | null = null;
  let connection: Promise<pg.PoolClient | null> | null = null;

  const open = async (): Promise<pg.PoolClient | null> => {
    try {
      const client = await pool.connect();
      client.on('notification', (n) => {
        if (n.channel === CHANNEL && n.payload !== self) onJobs?.();
      });
      client.on('error', () => {
        connection = null;
        client.release(true);
      });
      await client.query(`LISTEN ${CHANNEL}`);
      return client;
    } catch {
      connection = null;
      return null;
    }
  };
  const stop = async (): Promise<void> => {
    const pending = connection;
    connection = null;
    const client = await pending;
    if (!client) return;
    try {
      await client.query(`UNLISTEN ${CHANNEL}`);
      client.release();
    } catch {
      client.release(true);
    }
  };

  return {
    async announce(db) {
      await db.query('SELECT pg_notify($1, $2)', [CHANNEL, self]);
    },
    listen(listener) {
      onJobs = listener;
      if (listener && !connection) connection = open();
      else if (!listener && connection) void stop();
    },
    async whenListening() {
      await connection;
    },
    async close() {
      onJobs = null;
      await stop();
    },
  };
}
