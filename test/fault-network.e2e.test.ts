// Fault suite, network: a real agent and server with a TCP proxy between them that cuts, stalls
// and slices the connection at random (from a printed seed: FAULT_SEED=n replays the same choices, though not the same timing) while
// packages are installed and removed and tickets are raised. Once the faults stop and everything
// has settled, the server holds the agent's digest, one history row per real change and one
// ticket per ticket raised.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callLocalAgent } from '../agent/local-api/client.js';
import { buildDeb, dpkgInstall, dpkgPurgeQuietly, dpkgRemove, requireRoot, testPackageName } from './support/deb.js';
import { packageHistory, ticketsBySubject } from './support/history.js';
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
import { deadline } from './support/deadline.js';

const SEED = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault suite: a proxy that cuts, stalls and slices the agent link', { timeout: deadline(240_000) }, () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  const stateDir = join(dir, 'agent');
  const pkgs = [0, 1, 2, 3].map(() => testPackageName('net'));
  let server: ServerProc;
  let proxy: TcpProxy;
  let agent: AgentProc;
  let device: DeviceSummary;

  before(async () => {
    requireRoot();
    server = await startServer(dataDir);
    proxy = await startTcpProxy(Number(new URL(server.url).port));
    agent = startAgent(`http://127.0.0.1:${proxy.port}`, stateDir, await createToken(dataDir));
    device = await waitForDevice(server);
    await agentSettled(server, agent, device.id);
  });

  after(async () => {
    for (const p of pkgs) await dpkgPurgeQuietly(p);
    await agent?.kill();
    await server?.kill();
    await proxy?.close();
  });

  it(`delivers every change and ticket exactly once through random cuts, stalls and slices (seed ${SEED})`, async () => {
    console.log(`fault-network: FAULT_SEED=${SEED}`);
    proxy.chaos({ seed: SEED, cut: 0.08, maxCuts: 4, stall: 0.2, maxStallMs: 400, slice: 0.5 });
    const subjects: string[] = [];
    for (const [i, pkg] of pkgs.entries()) {
      await dpkgInstall(await buildDeb(dir, pkg, '1.0'));
      const subject = `Network fault ticket ${i} (${SEED})`;
      subjects.push(subject);
      await callLocalAgent(stateDir, 'ticket.create', { subject, description: `Raised while the link misbehaves, round ${i}.` });
      await sleep(300 + (i % 2) * 700);
      // Inventory samples the machine: a package removed before any scan saw it installed leaves no
      // history anywhere. So the removal waits until the install reached the server, through the faults.
      if (i % 2 === 1) {
        await waitFor(
          async () => {
            const { body } = await server.api<{ items: { name: string }[] }>(
              `/api/devices/${device.id}/software?q=${encodeURIComponent(pkg)}`,
            );
            return body.items.some((s) => s.name === pkg) ? true : undefined;
          },
          60_000,
          `${pkg} on the server before its removal`,
        );
        await dpkgRemove(pkg);
      }
      if (i === 1) proxy.dropAll(); // at least one cut mid-stream, whatever the seed rolls
    }
    // A scan now covers every dpkg change, even one the install watcher has not reported yet.
    const scan = await runToEnd(['scan', '--now', '--state', stateDir]);
    assert.equal(scan.code, 0, scan.output);
    // Settle with stalls and slices still on (cuts are used up or rare), then without faults.
    await agentSettled(server, agent, device.id, 120_000);
    const faults = { ...proxy.stats };
    proxy.chaos(null);
    await agentSettled(server, agent, device.id, 60_000);
    console.log(`fault-network: ${JSON.stringify(faults)}`);
    assert.ok(faults.connections >= 2, 'the agent reconnected at least once');
    assert.ok(faults.slices > 0 && faults.stalls > 0, 'frames were sliced and stalled');

    // A full snapshot's software changes join the history in the sweeper's steps, after the ack.
    await sweeperIdle({ sqliteDir: dataDir });
    const history = await packageHistory(server, device.id, pkgs);
    assert.deepEqual(history, Object.fromEntries(pkgs.map((p, i) => [p, { added: 1, removed: i % 2 }])));
    const tickets = await ticketsBySubject(server, device.id);
    assert.deepEqual(
      subjects.map((s) => tickets.get(s)),
      subjects.map(() => 1),
      'each ticket stored once',
    );
  });
});
