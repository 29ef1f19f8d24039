// Quiescence instead of fixed sleeps: a negative check ("exactly one", "nothing more") only means
// something once nothing is still on its way. These wait until the agent's outbox is empty, the
// agent and the server agree on the snapshot digest, and (with a desk) the desk queue is drained,
// twice in a row, so that a late duplicate would already have landed when the test counts.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createPool } from '../../server/store/postgres/open.js';
import { DB_FILE } from '../../server/store/sqlite/open.js';
import type { AgentProc, ServerProc } from './outpost.js';
import { waitFor } from './outpost.js';

type Api = Pick<ServerProc, 'api'>;

/** The agent's outbox is empty and the server holds the same snapshot digest as the agent. */
export async function agentSettled(
  server: Api,
  agent: Pick<AgentProc, 'status'> & Partial<Pick<AgentProc, 'output'>>,
  deviceId: string,
  timeoutMs = 30_000,
): Promise<string> {
  let last: string | undefined;
  let seen = 'no answer from the agent yet';
  return waitFor(
    async () => {
      const status = await agent.status().catch((err: Error) => void (seen = `the agent did not answer: ${err.message}`));
      if (status) seen = `agent connected ${status.connected}, ${status.pendingItems} pending, digest ${status.digest}`;
      if (!status || !status.connected || status.pendingItems > 0 || !status.digest) return (last = undefined);
      const { body } = await server.api<{ digest: string | null }>(`/api/devices/${deviceId}`);
      seen += `; server digest ${body.digest}`;
      if (body.digest !== status.digest) return (last = undefined);
      // Twice in a row with the same digest: a scan that was still running has finished.
      if (last === status.digest) return status.digest;
      last = status.digest;
      await new Promise((r) => setTimeout(r, 200));
      return undefined;
    },
    timeoutMs,
    () =>
      `the agent outbox to drain and both sides to agree on the digest (last seen: ${seen})` +
      (agent.output ? `; the agent's output ends:\n${agent.output().slice(-3000)}` : ''),
  );
}

/** The server's desk queue holds no job (nothing queued, nothing failed), twice in a row. */
export async function deskDrained(server: Api, timeoutMs = 30_000): Promise<void> {
  let seen = 0;
  await waitFor(
    async () => {
      const { body } = await server.api<{ queued: number; failed: number }>('/api/desk/status');
      if (body.failed > 0) throw new Error(`the desk queue has ${body.failed} failed job(s)`);
      seen = body.queued === 0 ? seen + 1 : 0;
      if (seen < 2) await new Promise((r) => setTimeout(r, 200));
      return seen >= 2 ? true : undefined;
    },
    timeoutMs,
    'the desk queue to drain',
  );
}

/** Where a server keeps its store: its SQLite data dir, or a PostgreSQL URL. */
export type StoreAt = { sqliteDir: string } | { postgresUrl: string };

/**
 * The server's software sweeper has nothing left to do: after a full snapshot replaced the stored
 * software, the history of that change is written by the sweeper's steps after the batch's ack
 * (server/ingest/software-sweeper.ts), so history counts mean something only once no generation is
 * left for it. Read from the store itself: no API says it, and this is quiescence, not an assertion.
 */
export async function sweeperIdle(store: StoreAt, timeoutMs = 30_000): Promise<void> {
  let left = -1;
  await waitFor(
    async () => {
      left = await garbageLeft(store);
      return left === 0 ? true : undefined;
    },
    timeoutMs,
    () => `the software sweeper to write the history of every replaced snapshot (${left} generation(s) left)`,
  );
}

async function garbageLeft(store: StoreAt): Promise<number> {
  if ('postgresUrl' in store) {
    const pool = createPool(store.postgresUrl, 1);
    try {
      return Number((await pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM software_garbage')).rows[0]!.n);
    } finally {
      await pool.end();
    }
  }
  const db = new Database(join(store.sqliteDir, DB_FILE), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return (db.prepare('SELECT COUNT(*) AS n FROM software_garbage').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
