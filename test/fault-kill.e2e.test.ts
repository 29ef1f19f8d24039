// Fault suite, crashes: kill -9 of the agent and of the server, again and again, while a batch of
// changes and tickets is on its way (a package installed, tickets raised, then the kill after a
// random delay from a printed seed; FAULT_SEED=n replays the same delays). At the end the server holds the
// agent's digest, one history row per real change and one ticket per ticket raised.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callLocalAgent } from '../agent/local-api/client.js';
import { buildDeb, dpkgInstall, dpkgPurgeQuietly, requireRoot, testPackageName } from './support/deb.js';
import { packageHistory, ticketsBySubject } from './support/history.js';
import { freePort } from './support/ports.js';
import { agentSettled } from './support/quiesce.js';
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

const SEED = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const ROUNDS = 6;

/** mulberry32, so the kill delays of a failing run can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fault suite: repeated kill -9 of the agent and the server mid-batch', { timeout: 300_000 }, () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  const stateDir = join(dir, 'agent');
  const pkgs = Array.from({ length: ROUNDS }, () => testPackageName('kill'));
  let port: number;
  let server: ServerProc;
  let agent: AgentProc;
  let device: DeviceSummary;

  before(async () => {
    requireRoot();
    port = await freePort();
    server = await startServer(dataDir, { port });
    agent = startAgent(server.url, stateDir, await createToken(dataDir));
    device = await waitForDevice(server);
    await agentSettled(server, agent, device.id);
  });

  after(async () => {
    for (const p of pkgs) await dpkgPurgeQuietly(p);
    await agent?.kill();
    await server?.kill();
  });

  it(`records every change and ticket once through ${ROUNDS} kills (seed ${SEED})`, async () => {
    console.log(`fault-kill: FAULT_SEED=${SEED}`);
    const random = seeded(SEED);
    const subjects: string[] = [];
    const adminToken = server.adminToken;
    for (const [round, pkg] of pkgs.entries()) {
      // Wait for the link, so the batch is really on its way when the kill comes.
      await waitFor(async () => ((await agent.status().catch(() => undefined))?.connected ? true : undefined), 60_000, 'the agent link');
      await dpkgInstall(await buildDeb(dir, pkg, `1.${round}`));
      for (const n of [0, 1]) {
        const subject = `Crash ticket ${round}.${n} (${SEED})`;
        await callLocalAgent(stateDir, 'ticket.create', { subject, description: 'Raised just before a kill -9.' });
        subjects.push(subject);
      }
      await new Promise((r) => setTimeout(r, Math.floor(random() * 600)));
      if (round % 2 === 0) {
        await agent.kill();
        agent = startAgent(server.url, stateDir);
      } else {
        await server.kill();
        server = await startServer(dataDir, { port, adminToken });
      }
    }
    // A scan now covers every dpkg change, even one the install watcher has not reported yet.
    const scan = await runToEnd(['scan', '--now', '--state', stateDir]);
    assert.equal(scan.code, 0, scan.output);
    await agentSettled(server, agent, device.id, 120_000);

    const history = await packageHistory(server, device.id, pkgs);
    assert.deepEqual(history, Object.fromEntries(pkgs.map((p) => [p, { added: 1, removed: 0 }])));
    const tickets = await ticketsBySubject(server, device.id);
    assert.deepEqual(
      subjects.map((s) => tickets.get(s)),
      subjects.map(() => 1),
      'each ticket stored once',
    );
  });
});
