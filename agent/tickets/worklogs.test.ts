import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Item } from '../../shared/protocol.js';
import type { EndpointWorklog } from '../../shared/tickets.js';
import { startTestAgent, type TestAgent } from '../../test/support/agent-harness.js';

const worklogItems = (t: TestAgent) => t.server.applied().filter((i): i is Extract<Item, { kind: 'worklog' }> => i.kind === 'worklog');

async function settled(t: TestAgent, who: string, ref: string): Promise<EndpointWorklog> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const w = (await t.call(who, 'worklog.list', {})).items.find((x) => x.ref === ref);
    if (w && w.state !== 'queued') return w;
    if (Date.now() > deadline) throw new Error(`worklog ${ref} never settled: ${JSON.stringify(w)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('worklogs through the agent', () => {
  let t: TestAgent;
  afterEach(() => t.close());

  it('keeps a running session across an agent restart and records its minutes when stopped', async () => {
    t = await startTestAgent();
    await t.call('alice', 'tickets.create', { subject: 'VPN', description: 'drops' });
    await t.server.waitFor(() => t.server.deskTickets().length === 1, 'the ticket');
    const started = await t.call('alice', 'worklog.start', { ticketId: '#1000', technician: 'Sam Tech' });
    assert.deepEqual(started, { ticketId: '1000', technician: 'Sam Tech', start: '2025-03-01T09:00:00.000Z' });

    t.clock.ms += 20 * 60_000;
    await t.restart();
    assert.deepEqual((await t.call('alice', 'worklog.list', {})).running, started, 'the session survived the restart');
    assert.equal((await t.call('bob', 'worklog.list', {})).running, null, "it is alice's session, not bob's");

    t.clock.ms += 25 * 60_000 + 20_000;
    const stopped = await t.call('alice', 'worklog.stop', { description: 'Reinstalled the VPN client' });
    assert.deepEqual(
      { minutes: stopped.minutes, start: stopped.start, end: stopped.end, state: stopped.state },
      { minutes: 45, start: '2025-03-01T09:00:00.000Z', end: '2025-03-01T09:45:20.000Z', state: 'queued' },
    );
    assert.equal((await t.call('alice', 'worklog.list', {})).running, null);
    const recorded = await settled(t, 'alice', stopped.ref);
    assert.equal(recorded.state, 'recorded');
    assert.equal(recorded.error, undefined);
    const [item] = worklogItems(t);
    assert.deepEqual(item?.body, {
      ref: stopped.ref,
      minutes: 45,
      entry: { ticketId: '1000', technician: 'Sam Tech', start: '2025-03-01T09:00:00.000Z', end: '2025-03-01T09:45:20.000Z', description: 'Reinstalled the VPN client' },
    });
  });

  it('keeps a worklog the server rejects, with its reason, and sends it again with a corrected ticket', async () => {
    t = await startTestAgent();
    await t.call('alice', 'tickets.create', { subject: 'Mail', description: 'no mail' });
    await t.server.waitFor(() => t.server.deskTickets().length === 1, 'ticket 1000');
    const added = await t.call('alice', 'worklog.add', { ticketId: '9999', technician: 'Sam', start: '2025-03-01T08:00:00Z', end: '2025-03-01T08:30:00Z', description: 'Fixed the mail profile' });
    assert.equal(added.minutes, 30);
    const rejected = await settled(t, 'alice', added.ref);
    assert.deepEqual([rejected.state, rejected.error?.code], ['rejected', 'E_UNKNOWN_TICKET']);
    assert.match(rejected.error?.message ?? '', /9999/);
    assert.ok(t.log.entries.some((e) => e.level === 'warn' && e.fields.code === 'E_UNKNOWN_TICKET'));

    await assert.rejects(t.call('bob', 'worklog.retry', { ref: added.ref, ticketId: '1000' }), { code: 'E_NOT_FOUND' }, "bob cannot touch alice's worklog");
    const again = await t.call('alice', 'worklog.retry', { ref: added.ref, ticketId: '1000' });
    assert.notEqual(again.ref, added.ref);
    assert.deepEqual([again.state, again.ticketId, again.minutes, again.description, again.error], ['queued', '1000', 30, 'Fixed the mail profile', undefined]);
    assert.equal((await settled(t, 'alice', again.ref)).state, 'recorded');
    const list = (await t.call('alice', 'worklog.list', {})).items;
    assert.deepEqual(list.map((w) => [w.ticketId, w.state]), [['1000', 'recorded']], 'one worklog, now recorded');
    await assert.rejects(t.call('alice', 'worklog.retry', { ref: again.ref, ticketId: '1000' }), { code: 'E_CONFLICT' });
    assert.deepEqual(worklogItems(t).map((i) => i.body.entry.ticketId), ['9999', '1000']);
  });

  it('never drops a worklog recorded offline', async () => {
    t = await startTestAgent();
    await t.server.stop();
    const added = await t.call('alice', 'worklog.add', { ticketId: '5', technician: 'Sam', start: '2025-03-01T08:00:00Z', end: '2025-03-01T08:10:00Z' });
    await t.restart({ connected: false });
    assert.equal((await t.call('alice', 'worklog.list', {})).items[0]?.state, 'queued');
    await t.server.start();
    assert.equal((await settled(t, 'alice', added.ref)).state, 'rejected', 'delivered after reconnecting; ticket 5 does not exist');
  });
});
