import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { LocalTicket } from '../../shared/local-api.js';
import { startTestAgent, type TestAgent } from '../../test/support/agent-harness.js';
import { deadline } from '../../test/support/deadline.js';

/** Asks until the answer is defined. */
async function eventually<T>(ask: () => Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const giveUpAt = Date.now() + deadline(timeoutMs);
  for (;;) {
    const got = await ask();
    if (got !== undefined) return got;
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function raise(t: TestAgent, who: string, subject: string): Promise<LocalTicket> {
  const { ref } = await t.call(who, 'ticket.create', { subject, description: 'd', priority: 'normal' });
  return eventually(async () => {
    const got = await t.call(who, 'ticket.get', { ref });
    return got.number !== null ? got : undefined;
  }, `ticket ${subject} numbered`);
}

const pending = (t: TestAgent, who: string) => t.call(who, 'notifications.pending', {});

describe('what IT did, told once to the person', () => {
  let t: TestAgent;
  afterEach(() => t.close());

  it('a reply from IT is one notification and makes the ticket and the note unread until opened', async () => {
    t = await startTestAgent();
    const ticket = await raise(t, 'alice', 'Printer jams');
    assert.equal(ticket.unread, false, 'the first confirmation of my own ticket is no news');
    assert.deepEqual((await pending(t, 'alice')).items, []);

    t.server.setTicketStatus(ticket.ref, 'open', 'Can you send the printer model?');
    const first = await eventually(
      async () => ((await pending(t, 'alice')).items.length ? pending(t, 'alice') : undefined),
      'a notification',
    );
    // The status change and the reply: two things happened, each told once.
    assert.deepEqual(
      first.items.map((n) => [n.kind, n.ref, n.number, n.subject, n.status, n.text]),
      [
        ['reply', ticket.ref, ticket.number, 'Printer jams', 'open', 'Can you send the printer model?'],
        ['status', ticket.ref, ticket.number, 'Printer jams', 'open', ''],
      ],
    );
    assert.equal(first.unreadTickets, 1);
    const listed = (await t.call('alice', 'ticket.list', {})).items.find((x) => x.ref === ticket.ref)!;
    assert.equal(listed.unread, true);
    assert.deepEqual(listed.unreadNotes, [listed.notes.find((n) => !n.fromEndpoint)!.id]);

    assert.deepEqual(await t.call('alice', 'notifications.shown', { ids: first.items.map((n) => n.id) }), { marked: 2 });
    assert.deepEqual((await pending(t, 'alice')).items, [], 'shown once, never again');
    assert.equal((await pending(t, 'alice')).unreadTickets, 1, 'shown is not read');

    assert.deepEqual(await t.call('alice', 'ticket.markRead', { ref: ticket.ref }), { unreadTickets: 0 });
    const opened = await t.call('alice', 'ticket.get', { ref: ticket.ref });
    assert.equal(opened.unread, false);
    assert.deepEqual(opened.unreadNotes, []);
  });

  it('keeps what was shown and read across an agent restart', async () => {
    t = await startTestAgent();
    const ticket = await raise(t, 'alice', 'VPN drops');
    t.server.setTicketStatus(ticket.ref, 'resolved');
    const first = await eventually(
      async () => ((await pending(t, 'alice')).items.length ? pending(t, 'alice') : undefined),
      'a notification',
    );
    assert.deepEqual(
      first.items.map((n) => n.kind),
      ['status'],
    );
    await t.call('alice', 'notifications.shown', { ids: [first.items[0]!.id] });

    await t.restart();
    // The welcome's full list repeats the resolved ticket: still nothing new to tell.
    const after = await pending(t, 'alice');
    assert.deepEqual(after.items, []);
    assert.equal(after.unreadTickets, 1);
    await t.call('alice', 'ticket.markRead', { ref: ticket.ref });
    await t.restart();
    assert.equal((await t.call('alice', 'ticket.get', { ref: ticket.ref })).unread, false);
  });

  it('a ticket waiting for the person says so', async () => {
    t = await startTestAgent();
    const ticket = await raise(t, 'alice', 'Need access');
    t.server.setTicketStatus(ticket.ref, 'pending');
    const got = await eventually(
      async () => ((await pending(t, 'alice')).items.length ? pending(t, 'alice') : undefined),
      'a notification',
    );
    assert.deepEqual(
      got.items.map((n) => [n.kind, n.status]),
      [['waiting', 'pending']],
    );
  });

  it("one user is never told of, nor can mark, another's tickets", async () => {
    t = await startTestAgent();
    const ticket = await raise(t, 'alice', 'Screen flickers');
    t.server.setTicketStatus(ticket.ref, 'open', 'On my way');
    const alice = await eventually(
      async () => ((await pending(t, 'alice')).items.length ? pending(t, 'alice') : undefined),
      'a notification',
    );
    assert.deepEqual((await pending(t, 'bob')).items, []);
    assert.equal((await pending(t, 'bob')).unreadTickets, 0);
    assert.deepEqual(await t.call('bob', 'notifications.shown', { ids: alice.items.map((n) => n.id) }), { marked: 0 });
    await assert.rejects(t.call('bob', 'ticket.markRead', { ref: ticket.ref }), { code: 'E_NOT_FOUND' });
    assert.equal((await pending(t, 'alice')).items.length, alice.items.length, "bob's calls changed nothing of alice's");
  });

  it('my own close and reopen are no news; reopening a resolved ticket sends the note and reopens it', async () => {
    t = await startTestAgent();
    const ticket = await raise(t, 'alice', 'Laptop slow');
    await assert.rejects(t.call('alice', 'ticket.reopen', { ref: ticket.ref, text: 'again' }), { code: 'E_BAD_REQUEST' });

    t.server.setTicketStatus(ticket.ref, 'resolved', 'Cleared the cache.');
    const told = await eventually(
      async () => ((await pending(t, 'alice')).items.length ? pending(t, 'alice') : undefined),
      'a notification',
    );
    await t.call('alice', 'notifications.shown', { ids: told.items.map((n) => n.id) });

    const reopened = await t.call('alice', 'ticket.reopen', { ref: ticket.ref, text: 'Still slow after a restart.' });
    assert.equal(reopened.status, 'open', 'shown as open at once');
    await t.server.waitFor(() => t.server.applied().some((i) => i.kind === 'ticket.reopen'), 'the reopen to reach the server');
    const item = t.server.applied().find((i) => i.kind === 'ticket.reopen');
    assert.equal(item?.kind === 'ticket.reopen' ? item.body.text : undefined, 'Still slow after a restart.');
    await eventually(
      async () => (t.server.deskTickets().find((x) => x.ref === ticket.ref)?.status === 'open' ? true : undefined),
      'the desk reopened',
    );
    const seen = await eventually(async () => {
      const got = await t.call('alice', 'ticket.get', { ref: ticket.ref });
      return got.notes.some((n) => n.text === 'Still slow after a restart.' && n.fromEndpoint) && got.status === 'open' ? got : undefined;
    }, 'the reopened ticket back from the server');
    assert.equal(seen.status, 'open');
    assert.deepEqual((await pending(t, 'alice')).items, [], 'the server confirming my reopen is not a notification');

    await t.call('alice', 'ticket.close', { ref: ticket.ref });
    await eventually(
      async () => (t.server.deskTickets().find((x) => x.ref === ticket.ref)?.status === 'closed' ? true : undefined),
      'closed at the desk',
    );
    await eventually(
      async () => ((await t.call('alice', 'ticket.get', { ref: ticket.ref })).status === 'closed' ? true : undefined),
      'closed here',
    );
    assert.deepEqual((await pending(t, 'alice')).items, [], 'nor is my own close');
  });

  it("shows the desk's number once the desk has the ticket, in the ticket and in its notifications", async () => {
    t = await startTestAgent();
    const ticket = await raise(t, 'alice', 'Scanner offline');
    t.server.deskNumbers(ticket.ref, '4711');
    const labelled = await eventually(async () => {
      const got = await t.call('alice', 'ticket.get', { ref: ticket.ref });
      return got.label === '#4711' ? got : undefined;
    }, "the desk's number");
    assert.notEqual(labelled.number, 4711, "Outpost's own number is still there, apart");
    t.server.setTicketStatus(ticket.ref, 'resolved');
    const told = await eventually(
      async () => ((await pending(t, 'alice')).items.length ? pending(t, 'alice') : undefined),
      'a notification',
    );
    assert.deepEqual(
      told.items.map((n) => n.label),
      ['#4711'],
    );
  });
});
