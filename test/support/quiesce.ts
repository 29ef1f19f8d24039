// Quiescence instead of fixed sleeps: a negative check ("exactly one", "nothing more") only means
// something once nothing is still on its way. These wait until the agent's outbox is empty, the
// agent and the server agree on the snapshot digest, and (with a desk) the desk queue is drained,
// twice in a row, so that a late duplicate would already have landed when the test counts.
import type { AgentProc, ServerProc } from './outpost.js';
import { waitFor } from './outpost.js';

type Api = Pick<ServerProc, 'api'>;

/** The agent's outbox is empty and the server holds the same snapshot digest as the agent. */
export async function agentSettled(server: Api, agent: Pick<AgentProc, 'status'>, deviceId: string, timeoutMs = 30_000): Promise<string> {
  let last: string | undefined;
  return waitFor(
    async () => {
      const status = await agent.status().catch(() => undefined);
      if (!status || !status.connected || status.pendingItems > 0 || !status.digest) return (last = undefined);
      const { body } = await server.api<{ digest: string | null }>(`/api/devices/${deviceId}`);
      if (body.digest !== status.digest) return (last = undefined);
      // Twice in a row with the same digest: a scan that was still running has finished.
      if (last === status.digest) return status.digest;
      last = status.digest;
      await new Promise((r) => setTimeout(r, 200));
      return undefined;
    },
    timeoutMs,
    'the agent outbox to drain and both sides to agree on the digest',
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
