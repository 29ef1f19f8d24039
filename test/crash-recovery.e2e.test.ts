// kill -9 of the agent and of the server while changes are in flight: nothing acknowledged is
// lost, nothing is recorded twice, and both sides end on the same snapshot digest.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildDeb, dpkgInstall, dpkgPurgeQuietly, dpkgRemove, requireRoot } from './support/deb.js';
import { freePort } from './support/ports.js';
import { createToken, startAgent, startServer, tempDir, waitFor, waitForDevice, type AgentProc, type DeviceSummary, type ServerProc } from './support/outpost.js';

interface ChangeRow { added: { name: string }[]; removed: { name: string }[] }

describe('crash recovery with real processes', () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  const stateDir = join(dir, 'agent');
  const pkg = `outpost-e2e-crash-${randomBytes(3).toString('hex')}`;
  let port: number;
  let adminToken: string;
  let server: ServerProc;
  let agent: AgentProc;
  let device: DeviceSummary;

  before(async () => {
    requireRoot();
    port = await freePort();
    server = await startServer(dataDir, { port });
    adminToken = server.adminToken;
    agent = startAgent(server.url, stateDir, await createToken(dataDir));
    device = await waitForDevice(server);
  });

  after(async () => {
    await dpkgPurgeQuietly(pkg);
    await agent?.kill();
    await server?.kill();
  });

  const changesFor = async (name: string) => {
    const { body } = await server.api<{ items: ChangeRow[] }>(`/api/devices/${device.id}/changes?limit=1000`);
    return {
      added: body.items.filter((c) => c.added.some((s) => s.name === name)).length,
      removed: body.items.filter((c) => c.removed.some((s) => s.name === name)).length,
    };
  };

  const converged = async () =>
    waitFor(
      async () => {
        const status = await agent.status().catch(() => undefined);
        if (!status || status.pendingItems > 0) return undefined;
        const { body } = await server.api<{ digest: string }>(`/api/devices/${device.id}`);
        return body.digest === status.digest ? status.digest : undefined;
      },
      30_000,
      'the agent and the server to agree on the snapshot digest',
    );

  it('delivers a change queued before kill -9 of the agent, once', async () => {
    await server.kill(); // the server is gone: the next change stays unacknowledged in the outbox
    await dpkgInstall(await buildDeb(dir, pkg, '2.0'));
    await waitFor(async () => ((await agent.status()).pendingItems > 0 ? true : undefined), 10_000, 'the change to be queued');
    await agent.kill();

    server = await startServer(dataDir, { port, adminToken });
    agent = startAgent(server.url, stateDir);
    await converged();
    assert.deepEqual(await changesFor(pkg), { added: 1, removed: 0 });
  });

  it('survives kill -9 of the server mid-stream and records the removal once', async () => {
    await server.kill();
    await dpkgRemove(pkg);
    await waitFor(async () => ((await agent.status()).pendingItems > 0 ? true : undefined), 10_000, 'the removal to be queued');
    server = await startServer(dataDir, { port, adminToken });
    await converged();
    assert.deepEqual(await changesFor(pkg), { added: 1, removed: 1 });
  });

  it('keeps the history free of duplicates after the agent restarts on an unchanged machine', async () => {
    await agent.kill();
    agent = startAgent(server.url, stateDir);
    const digest = await converged();
    assert.match(digest, /^[0-9a-f]{64}$/);
    assert.deepEqual(await changesFor(pkg), { added: 1, removed: 1 });
  });
});
