import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Item } from '../../shared/protocol.js';
import type { EndpointWorklog } from '../../shared/tickets.js';
import { startTestAgent, type TestAgent } from '../../test/support/agent-harness.js';
import { deadline } from '../../test/support/deadline.js';

const worklogItems = (t: TestAgent) => t.server.applied().filter((i): i is Extract<Item, { kind: 'worklog' }> => i.kind === 'worklog');

async function settled(t: TestAgent, who: string, ref: string): Promise<EndpointWorklog> {
  const giveUpAt = Date.now() + deadline(5000);
  for (;;) {
    const w = (await t.call(who, 'worklog.list', {})).items.find((x) => x.ref === ref);
    if (w && w.state !== 'queued') return w;
    if (Date.now() > giveUpAt) throw new Error(`worklog ${ref} never settled: ${JSON.stringify(w)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('worklogs through the agent', () => {
  let t: TestAgent;
  afterEach(() => t.close());

  it('keeps a running session across an agent restart and records its minutes when stopped', async () => {
    t = await startTestAgent();
    await t.call('alice', 'ticket.create', { subject: 'VPN', description: 'drops' });
    await t.server.waitFor(() => t.server.deskTickets().length === 1, 'the ticket');
    const started = await t.call('admin', 'worklog.start', { ticketId: '#1000', technician: 'Sam Tech' });
    assert.deepEqual(started, { ticketId: '1000', technician: 'Sam Tech', start: '2025-03-01T09:00:00.000Z' });

    t.clock.ms += 20 * 60_000;
    await t.restart();
    assert.deepEqual((await t.call('admin', 'worklog.list', {})).running, started, 'the session survived the restart');
    assert.equal((await t.call('bob', 'worklog.list', {})).running, null, "a user sees no technician's session");

    t.clock.ms += 25 * 60_000 + 20_000;
    const stopped = await t.call('admin', 'worklog.stop', { description: 'Reinstalled the VPN client' });
    assert.deepEqual(
      { minutes: stopped.minutes, start: stopped.start, end: stopped.end, state: stopped.state },
      { minutes: 45, start: '2025-03-01T09:00:00.000Z', end: '2025-03-01T09:45:20.000Z', state: 'queued' },
    );
    assert.equal((await t.call('admin', 'worklog.list', {})).running, null);
    const recorded = await settled(t, 'admin', stopped.ref);
    assert.equal(recorded.state, 'recorded');
    assert.equal(recorded.error, undefined);
    const [item] = worklogItems(t);
    assert.deepEqual(item?.body, {
      ref: stopped.ref,
      minutes: 45,
      entry: {
        ticketId: '1000',
        technician: 'Sam Tech',
        start: '2025-03-01T09:00:00.000Z',
        end: '2025-03-01T09:45:20.000Z',
        description: 'Reinstalled the VPN client',
      },
    });
  });

  it('keeps a worklog the server rejects, with its reason, and sends it again with a corrected ticket', async () => {
    t = await startTestAgent();
    await t.call('alice', 'ticket.create', { subject: 'Mail', description: 'no mail' });
    await t.server.waitFor(() => t.server.deskTickets().length === 1, 'ticket 1000');
    const added = await t.call('admin', 'worklog.add', {
      ticketId: '9999',
      technician: 'Sam',
      start: '2025-03-01T08:00:00Z',
      end: '2025-03-01T08:30:00Z',
      description: 'Fixed the mail profile',
    });
    assert.equal(added.minutes, 30);
    const rejected = await settled(t, 'admin', added.ref);
    assert.deepEqual([rejected.state, rejected.error?.code], ['rejected', 'E_UNKNOWN_TICKET']);
    assert.match(rejected.error?.message ?? '', /9999/);
    assert.ok(t.log.entries.some((e) => e.level === 'warn' && e.fields.code === 'E_UNKNOWN_TICKET'));

    await assert.rejects(
      t.call('bob', 'worklog.retry', { ref: added.ref, ticketId: '1000' }),
      { code: 'E_FORBIDDEN' },
      'a user cannot touch a worklog',
    );
    const again = await t.call('admin', 'worklog.retry', { ref: added.ref, ticketId: '1000' });
    assert.notEqual(again.ref, added.ref);
    assert.deepEqual(
      [again.state, again.ticketId, again.minutes, again.description, again.error],
      ['queued', '1000', 30, 'Fixed the mail profile', undefined],
    );
    assert.equal((await settled(t, 'admin', again.ref)).state, 'recorded');
    const list = (await t.call('admin', 'worklog.list', {})).items;
    assert.deepEqual(
      list.map((w) => [w.ticketId, w.state]),
      [['1000', 'recorded']],
      'one worklog, now recorded',
    );
    await assert.rejects(t.call('admin', 'worklog.retry', { ref: again.ref, ticketId: '1000' }), { code: 'E_CONFLICT' });
    assert.deepEqual(
      worklogItems(t).map((i) => i.body.entry.ticketId),
      ['9999', '1000'],
    );
  });

  it('lets only the admin token record worklogs: a user gets E_FORBIDDEN and nothing is queued', async () => {
    t = await startTestAgent();
    const before = t.counts();
    const entry = { ticketId: '1000', technician: 'Me', start: '2025-03-01T08:00:00Z', end: '2025-03-01T18:00:00Z' };
    for (const [method, params] of [
      ['worklog.add', entry],
      ['worklog.start', { ticketId: '1000', technician: 'Me' }],
      ['worklog.stop', {}],
      ['worklog.retry', { ref: 'x', ticketId: '1000' }],
    ] as const) {
      await assert.rejects(t.call('alice', method, params), { code: 'E_FORBIDDEN', message: /support staff/ }, method);
    }
    assert.deepEqual(t.counts(), before);
    assert.deepEqual((await t.call('alice', 'worklog.list', {})).items, [], 'listing stays open: a user sees none');
  });

  it('never drops a worklog recorded offline', async () => {
    t = await startTestAgent();
    await t.server.stop();
    const added = await t.call('admin', 'worklog.add', {
      ticketId: '5',
      technician: 'Sam',
      start: '2025-03-01T08:00:00Z',
      end: '2025-03-01T08:10:00Z',
    });
    await t.restart({ connected: false });
    assert.equal((await t.call('admin', 'worklog.list', {})).items[0]?.state, 'queued');
    await t.server.start();
    assert.equal((await settled(t, 'admin', added.ref)).state, 'rejected', 'delivered after reconnecting; ticket 5 does not exist');
  });
});
