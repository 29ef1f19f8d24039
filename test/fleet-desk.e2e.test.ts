// The desk sync with several server processes on one PostgreSQL: two servers (real sockets, one
// database of the test cluster) share one service desk (test/fakes FakeDesk stands for it). The desk
// sync runs in exactly one of them; tickets raised by agents on either reach the desk once each; when
// the process running it stops, the other takes the desk sync over and nothing is sent twice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseDeskSettings } from '../server/desk/sync/settings.js';
import { emptySnapshot } from '../shared/delta.js';
import { FakeDesk } from './fakes/desk-connector.js';
import { FleetAgent } from './support/fleet-agent.js';
import { waitFor } from './support/outpost.js';
import { freshDatabase } from './support/postgres.js';
import { startHarness, type Harness } from './support/server/harness.js';
import { deadline } from './support/deadline.js';

const desk = new FakeDesk();
const settings = parseDeskSettings({ kind: 'rt', url: 'http://rt.invalid', user: 'outpost', secret: 'x', requesterDomain: 'example.com' });

function raise(agent: FleetAgent, ref: string, subject: string): void {
  agent.item('ticket.create', {
    ref,
    requester: { account: 'alice' },
    subject,
    description: 'The printer is on fire.',
    priority: 'normal',
    device: { deviceId: agent.deviceId, hostname: 'pc', os: 'Linux', ip: [] },
    attachments: 0,
    createdAt: new Date().toISOString(),
  });
}

const deskSubjects = () => [...desk.tickets.values()].map((t) => t.subject).sort();

describe('the desk sync across server processes on one PostgreSQL', { timeout: deadline(180_000) }, () => {
  const servers: Harness[] = [];
  const agents: FleetAgent[] = [];

  before(async () => {
    const store = await freshDatabase();
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startHarness({ store, desk: settings, deskConnector: desk, fleet: { heartbeatMs: 200, leaseMs: deadline(5_000) } }),
      );
    }
    for (const [i, h] of servers.entries()) {
      const agent = new FleetAgent(h.url, `fleet-desk-agent-${i}`);
      await agent.enrol(await h.server.createEnrolmentToken());
      agent.snapshot({ ...emptySnapshot(`desk-${i}`), software: [] });
      agents.push(agent);
    }
  });

  after(async () => {
    for (const a of agents) a.stop();
    for (const h of servers) await h.close();
  });

  it('runs the desk sync in exactly one process, and sends each ticket from either process to the desk once', async () => {
    await waitFor(() => servers.some((h) => h.server.fleetParts.includes('desk')), 20_000, 'a process to run the desk sync');
    assert.equal(servers.filter((h) => h.server.fleetParts.includes('desk')).length, 1);
    for (const [i, agent] of agents.entries()) {
      for (let n = 0; n < 3; n++) raise(agent, `ref-desk-${i}-${n}-aaaa`, `ticket ${i}.${n}`);
    }
    await Promise.all(agents.map((a) => a.settled()));
    const expected = ['ticket 0.0', 'ticket 0.1', 'ticket 0.2', 'ticket 1.0', 'ticket 1.1', 'ticket 1.2'];
    await waitFor(() => deskSubjects().length >= expected.length, 30_000, 'the tickets at the desk').catch((err: Error) => {
      throw new Error(
        `${err.message}: ${deskSubjects().join()} | ${desk.calls.join()} | leader ${servers.map((h) => h.server.fleetParts.join('+')).join(' / ')}`,
      );
    });
    assert.deepEqual(deskSubjects(), expected);
  });

  it('moves the desk sync to the other process when the one running it stops, sending nothing twice', async () => {
    const running = servers.findIndex((h) => h.server.fleetParts.includes('desk'));
    const other = servers[1 - running]!;
    const survivor = agents[1 - running]!;
    agents[running]!.stop();
    await servers[running]!.server.stop();
    await waitFor(() => other.server.fleetParts.includes('desk'), 20_000, 'the other process to take the desk sync');
    raise(survivor, 'ref-desk-after-aaaa', 'after the move');
    await survivor.settled();
    await waitFor(() => deskSubjects().includes('after the move'), 30_000, 'the ticket raised after the move at the desk');
    assert.equal(deskSubjects().length, 7);
    assert.equal(desk.calls.filter((c) => c === 'createTicket').length, 7);
  });
});
