// kill -9 of the agent and of the server while changes are in flight: nothing acknowledged is
// lost, nothing is recorded twice, and both sides end on the same snapshot digest. The agent talks
// to the server through a TCP proxy (test/support/tcp-proxy.ts) that can hold back the server's
// frames, so a batch can be on the server, applied, while the agent has not seen its ack.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { buildDeb, dpkgInstall, dpkgPurgeQuietly, dpkgRemove, requireRoot, testPackageName } from './support/deb.js';
import { freePort } from './support/ports.js';
import { agentSettled, sweeperIdle } from './support/quiesce.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import {
  createToken,
  runToEnd,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  type AgentProc,
  type DeviceSummary,
  type ServerProc,
} from './support/outpost.js';

interface ChangeRow {
  added: { name: string }[];
  removed: { name: string }[];
}

describe('crash recovery with real processes', () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  const stateDir = join(dir, 'agent');
  const pkg = testPackageName('crash');
  let port: number;
  let adminToken: string;
  let server: ServerProc;
  let proxy: TcpProxy;
  let agent: AgentProc;
  let device: DeviceSummary;
  const proxied = () => `http://127.0.0.1:${proxy.port}`;

  before(async () => {
    requireRoot();
    port = await freePort();
    server = await startServer(dataDir, { port });
    adminToken = server.adminToken;
    proxy = await startTcpProxy(port);
    agent = startAgent(proxied(), stateDir, await createToken(dataDir));
    device = await waitForDevice(server, undefined, agent);
  });

  // A test that failed while the proxy held the server's frames must not leave the next one deaf.
  afterEach(() => proxy?.releaseDown());

  after(async () => {
    await dpkgPurgeQuietly(pkg);
    await agent?.kill();
    await server?.kill();
    await proxy?.close();
  });

  const changesFor = async (name: string) => {
    const { body } = await server.api<{ items: ChangeRow[] }>(`/api/devices/${device.id}/changes?limit=1000`);
    return {
      added: body.items.filter((c) => c.added.some((s) => s.name === name)).length,
      removed: body.items.filter((c) => c.removed.some((s) => s.name === name)).length,
    };
  };
  /** Nothing on its way: the agent's outbox drained, both sides on one digest, the history written. */
  const converged = async () => {
    const digest = await agentSettled(server, agent, device.id);
    await sweeperIdle({ sqliteDir: dataDir });
    return digest;
  };

  /** The server has applied the change (it is in the history) and the agent still holds it. */
  const onServerNotAcked = async (want: { added: number; removed: number }) => {
    let seen = {};
    await waitFor(
      async () => {
        const c = (seen = await changesFor(pkg));
        return c.added === want.added && c.removed === want.removed ? true : undefined;
      },
      // The agent's file watcher, its debounce and a scan of the machine come first: as long as a
      // settle after a scan (fault-kill.e2e waits 120 s for that).
      60_000,
      () =>
        `the server to apply the batch (history of ${pkg}: ${JSON.stringify(seen)}); the agent's output ends:\n${agent.output().slice(-3000)}`,
    );
    const status = await waitFor(() => agent.status().catch(() => undefined), 30_000, 'the agent to answer its status');
    assert.ok(status.pendingItems > 0, 'the agent has not seen the ack: the item is still in its outbox');
  };

  it('delivers a change queued before kill -9 of the agent, once', async () => {
    await converged();
    await server.kill(); // the server is gone: the next change stays unacknowledged in the outbox
    await dpkgInstall(await buildDeb(dir, pkg, '2.0'));
    // A scan now covers the install even if its watcher has not reported it yet, so the change queued
    // before the kill is the install itself. Waiting for "anything pending" let another change stand
    // in for it (a scan recorded while dpkg was still at work: the pending-updates count in the
    // security section moves whenever dpkg's status does); the install then reached the server only
    // through the restarted agent's startup scan, after converged() had seen both sides agree.
    const scan = await runToEnd(['scan', '--now', '--state', stateDir]);
    assert.equal(scan.code, 0, scan.output);
    await waitFor(
      // A status call that times out while the agent is busy scanning is asked again.
      async () => (((await agent.status().catch(() => undefined))?.pendingItems ?? 0) > 0 ? true : undefined),
      30_000,
      () => `the install to be queued; the agent's output ends:\n${agent.output().slice(-3000)}`,
    );
    await agent.kill();

    server = await startServer(dataDir, { port, adminToken });
    agent = startAgent(proxied(), stateDir);
    await converged();
    assert.deepEqual(await changesFor(pkg), { added: 1, removed: 0 });
  });

  it('kill -9 of the server after it applied a batch and before the agent saw the ack: recorded once', async () => {
    await converged();
    proxy.holdDown(); // the agent's frames reach the server; the server's ack never reaches the agent
    await dpkgRemove(pkg);
    await onServerNotAcked({ added: 1, removed: 1 });
    await server.kill();
    proxy.dropAll();

    server = await startServer(dataDir, { port, adminToken });
    await converged(); // the agent sends the same seq again; the restarted server skips it and acks
    assert.deepEqual(await changesFor(pkg), { added: 1, removed: 1 });
  });

  it('kill -9 of the agent after the server applied its batch and before the ack was stored: recorded once', async () => {
    await converged();
    proxy.holdDown();
    await dpkgInstall(await buildDeb(dir, pkg, '3.0'));
    await onServerNotAcked({ added: 2, removed: 1 });
    await agent.kill(); // the item was sent and applied, but is still in the dead agent's outbox
    proxy.dropAll();

    agent = startAgent(proxied(), stateDir);
    await converged();
    assert.deepEqual(await changesFor(pkg), { added: 2, removed: 1 });
  });

  it('keeps the history free of duplicates after the agent restarts on an unchanged machine', async () => {
    await agent.kill();
    agent = startAgent(proxied(), stateDir);
    const digest = await converged();
    assert.match(digest, /^[0-9a-f]{64}$/);
    assert.deepEqual(await changesFor(pkg), { added: 2, removed: 1 });
  });
});
