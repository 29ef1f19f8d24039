import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Item } from '../../shared/protocol.js';
import type { EndpointTicket } from '../../shared/tickets.js';
import { eventually } from '../../test/support/link-harness.js';
import { startTestAgent, type TestAgent } from '../../test/support/agent-harness.js';
import { deadline } from '../../test/support/deadline.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const ticketItems = (t: TestAgent) => t.server.applied().filter((i) => i.kind.startsWith('ticket.'));

describe('tickets through the agent', () => {
  let t: TestAgent;
  afterEach(() => t.close());

  it("queues a ticket at once with the device's details; it reaches the desk and its number comes back", async () => {
    t = await startTestAgent();
    const created = await t.call('alice', 'ticket.create', {
      subject: 'Printer jams',
      description: 'Every second page jams.',
      priority: 'high',
      category: 'printing',
      attachments: [{ name: 'error.txt', type: 'text/plain', contentBase64: b64('E42 paper jam') }],
      screenshot: b64('PNG...'),
    });
    assert.equal(created.status, 'queued');
    assert.equal(created.connected, true);
    assert.match(created.ref, /^[A-Za-z0-9_-]{8,64}$/);

    await t.server.waitFor(() => ticketItems(t).length === 3, 'the ticket and its two files');
    const [create, file, shot] = ticketItems(t) as [
      Extract<Item, { kind: 'ticket.create' }>,
      Extract<Item, { kind: 'ticket.attachment' }>,
      Extract<Item, { kind: 'ticket.attachment' }>,
    ];
    assert.equal(create.kind, 'ticket.create');
    assert.deepEqual(create.body.requester, { account: 'alice' });
    assert.deepEqual(create.body.device, {
      deviceId: 'dev-1',
      hostname: 'desk-pc',
      serial: 'SVC1234',
      manufacturer: 'Dell Inc.',
      model: 'Latitude 5440',
      os: 'Debian GNU/Linux 12',
      ip: ['10.1.2.3'],
      loggedOnUser: 'alice',
    });
    assert.equal(create.body.attachments, 2);
    assert.deepEqual(
      [file.body.attachment.name, file.body.screenshot, Buffer.from(file.body.attachment.contentBase64, 'base64').toString()],
      ['error.txt', false, 'E42 paper jam'],
    );
    assert.deepEqual([shot.body.attachment.name, shot.body.screenshot], ['screenshot.png', true]);
    assert.ok(create.seq < file.seq && file.seq < shot.seq, 'the files follow their ticket');

    const got = await waitForTicket(t, created.ref, (x) => x.number !== null);
    assert.equal(got.number, 1000);
    assert.equal(got.status, 'new');
    assert.equal(got.category, 'printing');
  });

  it('delivers the largest ticket allowed: 25 MB of files and a 10 MB screenshot, one file per frame', async () => {
    t = await startTestAgent();
    const MB = 1024 * 1024;
    const file = (name: string, mb: number, fill: number) => ({ name, contentBase64: Buffer.alloc(mb * MB, fill).toString('base64') });
    const created = await t.call('alice', 'ticket.create', {
      subject: 'Big',
      description: 'd',
      attachments: [file('a.bin', 10, 1), file('b.bin', 10, 2), file('c.bin', 5, 3)],
      screenshot: Buffer.alloc(10 * MB, 4).toString('base64'),
    });
    await t.server.waitFor(() => ticketItems(t).length === 5, 'the ticket and its four files', 20_000);
    const sizes = ticketItems(t).flatMap((i) =>
      i.kind === 'ticket.attachment' ? [Buffer.from(i.body.attachment.contentBase64, 'base64').length / MB] : [],
    );
    assert.deepEqual(sizes, [10, 10, 5, 10]);
    assert.equal((await waitForTicket(t, created.ref, (x) => x.number !== null)).subject, 'Big');
  });

  it('keeps a ticket raised offline and delivers it exactly once when the server is back', async () => {
    t = await startTestAgent();
    await t.server.stop();
    await until(async () => !(await t.call('alice', 'status', {})).connected, 'the link to notice');
    const created = await t.call('alice', 'ticket.create', { subject: 'No network', description: 'Cable unplugged?' });
    assert.deepEqual({ status: created.status, connected: created.connected }, { status: 'queued', connected: false });
    assert.equal((await t.call('alice', 'ticket.list', {})).items[0]?.status, 'queued', 'My tickets works offline');
    await t.server.start();
    await t.server.waitFor(() => t.server.deskTickets().length === 1, 'the ticket to arrive', 10_000);
    await t.agent.scan({ trigger: 'manual', scope: 'full' }); // more traffic on the link: nothing is resent
    assert.equal(t.server.deskTickets().length, 1);
    assert.equal(t.server.applied().filter((i) => i.kind === 'ticket.create').length, 1);
  });

  it("shows each user only their own tickets; another's is not found; support staff see all", async () => {
    t = await startTestAgent();
    const alices = await t.call('alice', 'ticket.create', { subject: 'Alice', description: 'mine' });
    const bobs = await t.call('bob', 'ticket.create', { subject: 'Bob', description: 'his' });
    assert.deepEqual(
      (await t.call('alice', 'ticket.list', {})).items.map((x) => x.subject),
      ['Alice'],
    );
    assert.deepEqual(
      (await t.call('bob', 'ticket.list', {})).items.map((x) => x.subject),
      ['Bob'],
    );
    for (const [method, params] of [
      ['ticket.get', { ref: bobs.ref }],
      ['ticket.note', { ref: bobs.ref, text: 'sneaky' }],
      ['ticket.close', { ref: bobs.ref }],
    ] as const) {
      await assert.rejects(t.call('alice', method, params), { code: 'E_NOT_FOUND' }, method);
    }
    assert.deepEqual((await t.call('admin', 'ticket.list', {})).items.map((x) => x.subject).sort(), ['Alice', 'Bob']);
    assert.equal((await t.call('admin', 'ticket.get', { ref: alices.ref })).subject, 'Alice');
    const bobsNow = await t.call('bob', 'ticket.get', { ref: bobs.ref });
    assert.deepEqual([bobsNow.notes.length, bobsNow.status === 'closed'], [0, false], "alice changed nothing on bob's ticket");
  });

  it('shows a note and a close at once, then the status and notes IT sets on the server', async () => {
    t = await startTestAgent();
    const { ref } = await t.call('alice', 'ticket.create', { subject: 'Slow', description: 'Very slow' });
    await eventually(() => t.server.deskTickets().length === 1, 'the desk to have it');
    const noted = await t.call('alice', 'ticket.note', { ref, text: 'Worse after lunch' });
    assert.deepEqual(
      noted.notes.map((n) => [n.text, n.fromEndpoint, n.author]),
      [['Worse after lunch', true, 'alice']],
    );

    t.server.setTicketStatus(ref, 'pending', 'We ordered more RAM.');
    await eventually(() => t.server.deskTickets()[0]?.notes.length === 2, 'the desk to have both notes');
    const pending = await waitForTicket(t, ref, (x) => x.status === 'pending' && x.notes.length === 2);
    assert.deepEqual(
      pending.notes.map((n) => n.text),
      ['Worse after lunch', 'We ordered more RAM.'],
      'each note once, in order',
    );

    const closed = await t.call('alice', 'ticket.close', { ref });
    assert.equal(closed.status, 'closed');
    assert.equal((await t.call('alice', 'ticket.close', { ref })).status, 'closed', 'closing again is harmless');
    await t.server.waitFor(() => t.server.deskTickets()[0]?.status === 'closed', 'the desk to close it');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(t.server.applied().filter((i) => i.kind === 'ticket.close').length, 1, 'and sends nothing');

    t.server.setTicketStatus(ref, 'open');
    await waitForTicket(t, ref, (x) => x.status === 'open');
  });

  it('forgets tickets the server no longer lists, but never one still queued here', async () => {
    t = await startTestAgent();
    const { ref } = await t.call('alice', 'ticket.create', { subject: 'One', description: 'x' });
    await waitForTicket(t, ref, (x) => x.number !== null);
    await t.server.stop();
    const queued = await t.call('alice', 'ticket.create', { subject: 'Two', description: 'y' });
    t.server.devices.get('dev-1')!.tickets.clear(); // deleted on the server while we were away
    t.server.opts.holdBatches = true; // the server has not taken "Two" when it sends its full list
    await t.server.start();
    await until(async () => (await t.call('alice', 'ticket.list', {})).items.length === 1, 'the full list to apply');
    const list = (await t.call('alice', 'ticket.list', {})).items;
    assert.deepEqual(
      list.map((x) => x.ref),
      [queued.ref],
    );
  });
});

describe('tickets from the server, split over several messages', () => {
  let t: TestAgent;
  afterEach(() => t.close());

  it('keeps the requester of a ticket that comes in a later part of a full list', async () => {
    t = await startTestAgent();
    const a = await t.call('alice', 'ticket.create', { subject: 'A', description: 'a' });
    const b = await t.call('alice', 'ticket.create', { subject: 'B', description: 'b' });
    const [ta, tb] = [await waitForTicket(t, a.ref, (x) => x.number !== null), await waitForTicket(t, b.ref, (x) => x.number !== null)];
    t.server.send({ type: 'tickets', full: true, tickets: [{ ...ta, status: 'open' }] });
    t.server.send({ type: 'tickets', full: false, tickets: [{ ...tb, status: 'pending' }] });
    await until(async () => (await t.call('alice', 'ticket.list', {})).items.map((x) => x.status).join() === 'pending,open', 'both parts');
    t.server.send({ type: 'tickets', full: true, tickets: [{ ...tb, status: 'resolved' }] });
    await until(async () => (await t.call('alice', 'ticket.list', {})).items.map((x) => x.subject).join() === 'B', 'A to be forgotten');
  });
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const giveUpAt = Date.now() + deadline(10_000);
  while (!(await check())) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitForTicket(t: TestAgent, ref: string, ok: (x: EndpointTicket) => boolean): Promise<EndpointTicket> {
  let last: unknown;
  const giveUpAt = Date.now() + deadline(5000);
  for (;;) {
    const x = await t.call('alice', 'ticket.get', { ref });
    last = x;
    if (ok(x)) return x;
    if (Date.now() > giveUpAt) throw new Error(`ticket never matched: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
