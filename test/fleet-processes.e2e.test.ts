// Several server processes on one PostgreSQL (server/fleet/): three real servers from dist/ on one
// database of the test cluster, behind a plain round-robin TCP balancer, with simulated agents
// spread over them. A command issued through one process reaches an agent connected to another; the
// console's live stream of one process shows what happened in another; then one process is killed
// with SIGKILL while its agents have work in flight: they reconnect to the others, and the servers end
// with each agent's digest, one ticket per ticket raised and one history row per change.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { emptySnapshot } from '../shared/delta.js';
import type { Snapshot } from '../shared/inventory.js';
import { FleetAgent } from './support/fleet-agent.js';
import { packageHistory, ticketsBySubject } from './support/history.js';
import { runToEnd, startServer, tempDir, waitFor, type ServerProc } from './support/outpost.js';
import { freshDatabase } from './support/postgres.js';
import { createPool } from '../server/store/postgres/open.js';
import { packages } from './support/protocol-device.js';
import { sweeperIdle } from './support/quiesce.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './support/round-robin-proxy.js';
import { deadline } from './support/deadline.js';

const ADMIN_TOKEN = 'fleet-e2e-admin-token-0123456789';
const AGENTS = 6;

const snapshotOf = (name: string, version: number): Snapshot => ({
  ...emptySnapshot(name),
  software: [...packages(`common-${name}`, 5), ...packages(`v${version}-${name}`, 2)],
});

function ticketItem(agent: FleetAgent, ref: string, subject: string): object {
  return {
    ref,
    requester: { account: 'alice' },
    subject,
    description: 'The printer is on fire.',
    priority: 'normal',
    device: { deviceId: agent.deviceId, hostname: 'pc', os: 'Linux', ip: [] },
    attachments: 0,
    createdAt: new Date().toISOString(),
  };
}

/** Reads a server's live event stream (GET /api/events) into text until stopped. */
function liveStream(server: ServerProc): { text: () => string; stop: () => void } {
  const controller = new AbortController();
  let text = '';
  void (async () => {
    const res = await fetch(`${server.url}/api/events`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
      signal: controller.signal,
    });
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
  })().catch(() => undefined);
  return { text: () => text, stop: () => controller.abort() };
}

/** The process holding the device's session row (fleet_sessions), or null. */
async function sessionHolder(url: string, deviceId: string): Promise<string | null> {
  const pool = createPool(url, 1);
  try {
    const r = await pool.query<{ process_id: string }>('SELECT process_id FROM fleet_sessions WHERE device_id = $1', [deviceId]);
    return r.rows[0]?.process_id ?? null;
  } finally {
    await pool.end();
  }
}

/** Each server's list of devices it shows online. */
async function onlineOn(server: ServerProc): Promise<string[]> {
  const { body } = await server.api<{ items: { id: string; online: boolean }[] }>('/api/devices');
  return body.items
    .filter((d) => d.online)
    .map((d) => d.id)
    .sort();
}

// Only an upper bound for a run that hangs: every wait inside has its own deadline and message.
describe('several server processes on one PostgreSQL', { timeout: deadline(300_000) }, () => {
  let url: string;
  const servers: ServerProc[] = [];
  let proxy: RoundRobinProxy;
  const agents: FleetAgent[] = [];
  const on = (backend: number) => agents.filter((a) => a.backend === backend);

  before(async () => {
    url = await freshDatabase();
    for (let i = 0; i < 3; i++) {
      servers.push(await startServer(join(tempDir(), `server-${i}`), { adminToken: ADMIN_TOKEN, env: { OUTPOST_STORE: url } }));
    }
    proxy = await startRoundRobinProxy(servers.map((s) => Number(new URL(s.url).port)));
    const created = await runToEnd(['token', 'create', '--store', url, '--data', tempDir()]);
    assert.equal(created.code, 0, created.output);
    const token = created.stdout.trim();
    for (let i = 0; i < AGENTS; i++) {
      const agent = new FleetAgent(`http://127.0.0.1:${proxy.port}`, `fleet-agent-${i}`, (port) => proxy.backendOf(port));
      await agent.enrol(token);
      agent.snapshot(snapshotOf(agent.deviceId, 1));
      agent.item('ticket.create', ticketItem(agent, `ref-one-${i}-aaaa`, `first from ${agent.deviceId}`));
      agents.push(agent);
    }
    await Promise.all(agents.map((a) => a.settled()));
  });

  after(async () => {
    for (const a of agents) a.stop();
    await proxy?.close();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('spreads agents over every process, and each process sees the whole fleet online', async () => {
    for (const backend of [0, 1, 2]) assert.equal(on(backend).length, AGENTS / 3, `agents on process ${backend}`);
    // A process records a device's session (and its online flag) just after it sent the welcome,
    // so a device may show online a moment after its items were acked.
    const everyone = agents.map((a) => a.deviceId).sort();
    for (const [i, server] of servers.entries()) {
      let seen: string[] = [];
      await waitFor(
        async () => (seen = await onlineOn(server)).length === everyone.length,
        20_000,
        () => `process ${i} to show the whole fleet online (it shows ${seen.length} of ${everyone.length})`,
      );
      assert.deepEqual(seen, everyone);
    }
  });

  it('delivers a scan asked of process A to an agent connected to process B', async () => {
    const [onB] = on(1);
    const res = await servers[0]!.api(`/api/devices/${onB!.deviceId}/scan`, { method: 'POST' });
    assert.equal(res.status, 202);
    await waitFor(() => onB!.commands.includes('scan'), 20_000, 'the scan command at the agent on B');
    assert.deepEqual(
      agents.filter((a) => a !== onB).flatMap((a) => a.commands.filter((c) => c === 'scan')),
      [],
      'no other agent got it',
    );
  });

  it("shows on process A's live stream what happened on process B", async () => {
    const stream = liveStream(servers[0]!);
    try {
      await waitFor(() => stream.text().includes('retry:'), 10_000, 'the stream to open');
      const [onB] = on(1);
      onB!.item('ticket.create', ticketItem(onB!, 'ref-live-b-aaaa', `live from ${onB!.deviceId}`));
      await onB!.settled();
      await waitFor(
        () => /event: ticket\ndata: [^\n]*/.test(stream.text()) && stream.text().includes(onB!.deviceId),
        20_000,
        'the ticket event on A',
      );
    } finally {
      stream.stop();
    }
  });

  it('loses and duplicates nothing when a process is killed with work in flight: its agents move to the others', async () => {
    const victim = servers[2]!;
    const moved = on(2);
    const victimId = await sessionHolder(url, moved[0]!.deviceId);
    assert.ok(victimId, 'the session of an agent on the victim is recorded');
    for (const [i, agent] of agents.entries()) {
      agent.snapshot(snapshotOf(agent.deviceId, 2), 'software-change');
      agent.item('ticket.create', ticketItem(agent, `ref-two-${i}-aaaa`, `second from ${agent.deviceId}`));
    }
    await victim.kill();
    await Promise.all(agents.map((a) => a.settled(60_000))).catch(async (err: Error) => {
      const pool = createPool(url, 1);
      const activity = await pool.query(
        'SELECT application_name, state, wait_event_type, wait_event, left(query, 200) AS query FROM pg_stat_activity WHERE datname = current_database()',
      );
      await pool.end();
      throw new Error(
        `${err.message}\n${JSON.stringify(activity.rows, null, 1)}\n${servers.map((s, i) => `--- server ${i}\n${s.output().slice(-3000)}`).join('\n')}`,
      );
    });
    // An agent whose items the victim acked just before dying has nothing left to send, but it
    // still comes back, to a live process.
    for (const agent of moved) {
      await waitFor(
        () => agent.connected && agent.connections >= 2,
        30_000,
        () => `agent ${agent.deviceId} to reconnect (${agent.state()})`,
      );
      assert.ok(agent.backend === 0 || agent.backend === 1, `agent ${agent.deviceId} reconnected to a live process`);
      // Its new process records the session just after the welcome; until then a command would
      // be sent to the dead one, which still holds the row until it is reaped.
      let holder: string | null = null;
      await waitFor(
        async () => (holder = await sessionHolder(url, agent.deviceId)) !== null && holder !== victimId,
        20_000,
        () => `the session of ${agent.deviceId} to move off the killed process (held by ${holder})`,
      );
    }
    // The history of a replaced snapshot is written by the sweeper after the ack (on whichever
    // process runs it: the victim's turn passes to another at its next heartbeat).
    await sweeperIdle({ postgresUrl: url });
    const [a, b] = servers as [ServerProc, ServerProc];
    for (const agent of agents) {
      const detail = await a.api<{ digest: string | null; online: boolean }>(`/api/devices/${agent.deviceId}`);
      assert.equal(detail.body.digest, agent.digest, `digest of ${agent.deviceId}`);
      await waitFor(
        async () => (await b.api<{ online: boolean }>(`/api/devices/${agent.deviceId}`)).body.online,
        20_000,
        `${agent.deviceId} online`,
      );
      const tickets = await ticketsBySubject(a, agent.deviceId);
      assert.equal(tickets.get(`first from ${agent.deviceId}`), 1);
      assert.equal(tickets.get(`second from ${agent.deviceId}`), 1);
      const names = [`v2-${agent.deviceId}-0`, `v1-${agent.deviceId}-0`];
      // The sweeper records the removal after the swap, in its own steps (in any process): waited for.
      await waitFor(
        async () => (await packageHistory(a, agent.deviceId, names))[names[1]!]!.removed > 0,
        20_000,
        `the removal of v1 on ${agent.deviceId}`,
      );
      const history = await packageHistory(a, agent.deviceId, names);
      assert.deepEqual(history[`v2-${agent.deviceId}-0`], { added: 1, removed: 0 });
      // A first inventory's packages are not copied into the history; its removal is recorded once.
      assert.deepEqual(history[`v1-${agent.deviceId}-0`], { added: 0, removed: 1 });
      assert.deepEqual(agent.errors, []);
    }
    // A command still finds an agent that moved.
    const [mover] = moved;
    assert.equal((await b.api(`/api/devices/${mover!.deviceId}/scan`, { method: 'POST' })).status, 202);
    await waitFor(() => mover!.commands.includes('scan'), 20_000, 'the scan at the moved agent');
  });
});
