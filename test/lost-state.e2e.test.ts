// An agent that lost its outbox (a restored backup, a wiped state directory that kept its
// credentials), against the real server: it numbers its items above the seq the server already has,
// so its new change is applied rather than skipped as a replay, and it gets its tickets back from
// the server's full list, which is long enough (more than TICKETS_FRAME_BYTES of JSON) to come
// split over several `tickets` messages. The fake server in agent/link tests proves the same
// against a stand-in; this is the real one.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callLocalAgent } from '../agent/local-api/client.js';
import { TICKETS_FRAME_BYTES } from '../server/ingest/ticket-replies.js';
import { TICKET_LIMITS } from '../shared/tickets.js';
import { buildDeb, dpkgInstall, dpkgPurgeQuietly, requireRoot, testPackageName } from './support/deb.js';
import { packageHistory } from './support/history.js';
import { agentSettled, sweeperIdle } from './support/quiesce.js';
import {
  createToken,
  startAgent,
  startServer,
  tempDir,
  waitForDevice,
  type AgentProc,
  type DeviceSummary,
  type ServerProc,
} from './support/outpost.js';
import { deadline } from './support/deadline.js';

describe('an agent that lost its outbox, against the real server', { timeout: deadline(240_000) }, () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  const stateDir = join(dir, 'agent');
  const pkg = testPackageName('lost');
  // Enough ticket JSON for the welcome's full list to need more than one frame.
  const description = 'The screen goes dark every few minutes. '.repeat(Math.floor((TICKET_LIMITS.descriptionChars - 100) / 40));
  const count = Math.ceil((TICKETS_FRAME_BYTES * 1.2) / description.length);
  let server: ServerProc;
  let agent: AgentProc;
  let device: DeviceSummary;

  before(async () => {
    requireRoot();
    // The test raises more tickets in a minute than the default hourly quotas allow one person.
    const config = join(dir, 'outpost.json');
    writeFileSync(config, JSON.stringify({ quotas: { ticketsPerRequester: 0, ticketsPerDevice: 0 } }));
    server = await startServer(dataDir, { env: { OUTPOST_CONFIG: config } });
    agent = startAgent(server.url, stateDir, await createToken(dataDir));
    device = await waitForDevice(server);
  });

  after(async () => {
    await dpkgPurgeQuietly(pkg);
    await agent?.kill();
    await server?.kill();
  });

  it("renumbers above the server's seq, so a change made meanwhile arrives, and gets back a ticket list split over several messages", async () => {
    for (let i = 0; i < count; i++) {
      await callLocalAgent(stateDir, 'ticket.create', { subject: `Dark screen ${i}`, description });
    }
    await agentSettled(server, agent, device.id, 60_000);

    await agent.kill();
    for (const f of ['outbox.db', 'outbox.db-wal', 'outbox.db-shm']) rmSync(join(stateDir, f), { force: true });
    await dpkgInstall(await buildDeb(dir, pkg, '1.0'));
    agent = startAgent(server.url, stateDir); // credentials.json kept: the same device, seq from 1 again

    // Converging at all means the new items were applied: skipped as replays, the digests would differ.
    await agentSettled(server, agent, device.id, 60_000);
    // A full snapshot's software changes join the history in the sweeper's steps, after the ack.
    await sweeperIdle({ sqliteDir: dataDir });
    assert.deepEqual(await packageHistory(server, device.id, [pkg]), { [pkg]: { added: 1, removed: 0 } });

    const { items } = await callLocalAgent(stateDir, 'ticket.list', {});
    const subjects = items
      .map((t) => t.subject)
      .filter((s) => s.startsWith('Dark screen '))
      .sort();
    assert.equal(subjects.length, count, 'every ticket is back on the endpoint');
    assert.ok(items.every((t) => t.number !== null && t.description === description.trim()));
    const updates = agent
      .output()
      .split('\n')
      .filter((l) => l.includes('"msg":"tickets updated from the server"'))
      .map((l) => JSON.parse(l) as { full: boolean; tickets: number });
    assert.ok(
      updates.length >= 2 && updates[0]!.full && updates.slice(1).some((u) => !u.full && u.tickets > 0),
      `split list: ${JSON.stringify(updates)}`,
    );
  });
});
