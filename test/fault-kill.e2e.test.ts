// Fault suite, crashes: kill -9 of the agent and of the server, again and again, while a batch of
// changes and tickets is on its way (a package installed, tickets raised, then the kill after a
// random delay from a printed seed; FAULT_SEED=n replays the same delays). At the end the server holds the
// agent's digest, one history row per real change and one ticket per ticket raised. Then a device
// sends a 50,000-package snapshot in parts and the server is killed mid-sequence: the acknowledged
// parts survive, no half snapshot shows, and after the rest the digests are equal.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callLocalAgent } from '../agent/local-api/client.js';
import { emptySnapshot } from '../shared/delta.js';
import { snapshotDigest } from '../shared/digest.js';
import type { Snapshot } from '../shared/inventory.js';
import { buildDeb, dpkgInstall, dpkgPurgeQuietly, requireRoot, testPackageName } from './support/deb.js';
import { packageHistory, ticketsBySubject } from './support/history.js';
import { freePort } from './support/ports.js';
import { agentSettled, sweeperIdle } from './support/quiesce.js';
import { packages, partItems, protocolDevice } from './support/protocol-device.js';
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

describe('fault suite: repeated kill -9 of the agent and the server mid-batch', { timeout: deadline(300_000) }, () => {
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
    // A full snapshot's software changes join the history in the sweeper's steps, after the ack.
    await sweeperIdle({ sqliteDir: dataDir });

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

describe('fault suite: kill -9 of the server in the middle of a snapshot sent in parts', { timeout: deadline(300_000) }, () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  let server: ServerProc;

  after(async () => {
    await server?.kill();
  });

  it('keeps the acknowledged parts, shows no half snapshot, and ends with the digests equal', async () => {
    const port = await freePort();
    server = await startServer(dataDir, { port });
    const adminToken = server.adminToken;
    let device = await protocolDevice(server.url, { token: await createToken(dataDir), installId: 'parts-kill-0001' });
    const small: Snapshot = {
      ...emptySnapshot('parts-kill'),
      os: { platform: 'linux', hostname: 'parts-kill' },
      software: packages('old', 3),
    };
    await device.batch([
      {
        seq: 1,
        at: new Date().toISOString(),
        kind: 'inventory.full',
        body: { trigger: 'startup', digest: snapshotDigest(small), snapshot: small },
      },
    ]);
    const big: Snapshot = { ...small, software: packages('pkg', 50_000) };
    const parts = partItems(big, 2);
    const half = Math.floor(parts.length / 2);
    for (const part of parts.slice(0, half)) await device.batch([part]);
    // The next part is on its way when the server dies.
    device.ws.send(JSON.stringify({ type: 'items', items: [parts[half]] }));
    await server.kill();
    server = await startServer(dataDir, { port, adminToken });

    const mid = await server.api<{ digest: string; softwareCount: number }>(`/api/devices/${device.deviceId}`);
    assert.equal(mid.body.digest, snapshotDigest(small), 'the old snapshot is whole until the last part is in');
    assert.equal(mid.body.softwareCount, 3);
    device = await protocolDevice(server.url, { deviceId: device.deviceId, secret: device.secret });
    assert.ok(device.lastSeq >= parts[half - 1]!.seq, 'every acknowledged part survived the kill');
    for (const part of parts.filter((p) => p.seq > device.lastSeq)) {
      assert.deepEqual(
        (await device.batch([part])).filter((f) => f.type === 'error'),
        [],
      );
    }
    const done = await server.api<{ digest: string; softwareCount: number }>(`/api/devices/${device.deviceId}`);
    assert.equal(done.body.digest, snapshotDigest(big));
    assert.equal(done.body.softwareCount, 50_000);
    device.close();
  });
});
