// Tickets on both store engines: what an endpoint's ticket items write through the ledger (a later
// item of a batch sees an earlier one's rows, a redelivery writes nothing twice), what IT reads and
// changes through the API, and a device's tickets and logbook in the console.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import {
  attachmentItem,
  closeItem,
  createItem,
  deviceDetails,
  alice,
  noteItem,
  reopenItem,
  worklogItem,
} from '../../test/support/server/ticket-fixtures.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../test/support/stores.js';
import { BatchJobRules } from '../desk/sync/batch-jobs.js';
import { followBatch } from '../ingest/apply-tickets.js';
import type { Item } from '../../shared/protocol.js';
import type { Store } from './store.js';
import type { TicketItem, TicketItemResult } from './ticket-records.js';

const PC = 'dev-tickets-pc';
const OTHER = 'dev-tickets-other';
const T = 1_700_000_000_000;
const WL_START = '2026-03-01T09:00:00Z';
const WL_END = '2026-03-01T09:25:00Z';

describeStores('tickets in the store', (engine) => {
  let kit: StoreUnderTest;
  let store: Store;
  let seq = 0;
  const jobs = new BatchJobRules();

  /** One batch of `items` from `device` at `at`, as the gateway applies it; what each item did. */
  const batch = async (at: number, items: ((s: number) => Item)[], device = PC): Promise<TicketItemResult[]> => {
    const made = items.map((m) => m(++seq)) as TicketItem[];
    const plan = () => ({ lastSeq: seq, needsFull: false, changes: [], ticketItems: made });
    return (await store.applyBatch(device, at, plan, followBatch(at, undefined, jobs)))!.tickets;
  };
  const ticketOf = (results: TicketItemResult[], index = 0) => {
    const r = results[index];
    assert.ok(r?.type === 'ticket', `item ${index} made no ticket: ${JSON.stringify(r)}`);
    return r.ticketId;
  };

  beforeEach(async () => {
    kit = await freshStore(engine);
    store = kit.store;
    await kit.addDevice(PC, { hostname: 'pc-1' });
    await kit.addDevice(OTHER, { hostname: 'pc-2' });
  });
  afterEach(async () => {
    store.desk.setEnabled(false);
    jobs.setEnabled(false);
    await kit.dispose();
  });

  it('writes a whole conversation in one batch: each item sees what the earlier ones wrote', async () => {
    const screenshot = Buffer.from('png bytes');
    const log = Buffer.from('log line\n'.repeat(20));
    const results = await batch(T, [
      (s) => createItem(s, 'ref-conv', { attachments: 2 }),
      (s) => attachmentItem(s, 'ref-conv', 'screen.png', screenshot, { type: 'image/png', screenshot: true }),
      (s) => attachmentItem(s, 'ref-conv', 'app.log', log, { type: 'text/plain' }),
      (s) => attachmentItem(s, 'ref-conv', 'app.log', log, { type: 'text/plain' }),
      (s) => noteItem(s, 'ref-conv', 'note-1', 'It also smells of toner.'),
      (s) => noteItem(s, 'ref-conv', 'note-1', 'It also smells of toner.'),
      (s) => closeItem(s, 'ref-conv'),
      (s) => reopenItem(s, 'ref-conv', 'note-2', 'Jammed again.'),
      (s) => noteItem(s, 'ref-nobody-raised', 'note-3', 'lost'),
    ]);
    const id = ticketOf(results);
    assert.deepEqual(
      results.slice(0, 8).map((r) => (r.type === 'ticket' ? r.ticketId : r.type)),
      Array(8).fill(id),
    );
    assert.equal(results[8]?.type === 'problem' && results[8].code, 'E_UNKNOWN_TICKET');

    const t = (await store.getTicket(id))!;
    assert.equal(t.status, 'open', 'closed, then reopened by the later item');
    assert.deepEqual(
      t.attachments.map((a) => [a.name, a.size, a.screenshot]),
      [
        ['screen.png', screenshot.length, true],
        ['app.log', log.length, false],
      ],
      'the same file twice is stored once',
    );
    assert.deepEqual(
      t.notes.map((n) => [n.text, n.fromEndpoint, n.visibility]),
      [
        ['It also smells of toner.', true, 'customer'],
        ['Closed at the endpoint by Alice Example.', true, 'customer'],
        ['Jammed again.', true, 'customer'],
      ],
      'the same note id twice is stored once',
    );
    assert.deepEqual(await store.getAttachment(id, t.attachments[1]!.id), { name: 'app.log', type: 'text/plain', content: log });
    assert.equal(await store.getAttachment(id + 1, t.attachments[1]!.id), null, 'a file only through its own ticket');
    assert.equal(t.device.hostname, 'pc-1', "the server's own record of the device, not the endpoint's");
  });

  it('confirms a redelivered batch without writing anything twice', async () => {
    const items = [(s: number) => createItem(s, 'ref-again'), (s: number) => noteItem(s, 'ref-again', 'n-again', 'hello')];
    const first = ticketOf(await batch(T, items));
    seq -= 2; // the same seqs again, as after a lost ack
    assert.equal(ticketOf(await batch(T + 5, items)), first);
    assert.equal((await store.listTickets({ limit: 10 })).length, 1);
    assert.equal((await store.getTicket(first))!.notes.length, 1);
    // The same ref from another device is another ticket.
    assert.notEqual(ticketOf(await batch(T, [(s) => createItem(s, 'ref-again')], OTHER)), first);
  });

  it('keeps the filled template a ticket was raised with', async () => {
    const template = { id: 3, name: 'Printer problem', fields: [{ key: 'floor', label: 'Floor', value: '2' }] };
    const id = ticketOf(await batch(T, [(s) => createItem(s, 'ref-tpl', { template })]));
    assert.deepEqual((await store.getTicket(id))!.template, template);
  });

  it('records worklogs once, against tickets named by number, and rejects unknown numbers', async () => {
    const id = ticketOf(await batch(T, [(s) => createItem(s, 'ref-wl')]));
    const [a, b, c] = await batch(T + 1, [
      (s) => worklogItem(s, 'wl-1', String(id), WL_START, WL_END),
      (s) => worklogItem(s, 'wl-1', String(id), WL_START, WL_END),
      (s) => worklogItem(s, 'wl-2', '999999', WL_START, WL_END),
    ]);
    for (const r of [a, b])
      assert.deepEqual(r && { ...r, seq: 0 }, { seq: 0, type: 'worklog', ref: 'wl-1', state: 'recorded', ticketId: id });
    assert.equal(c?.type === 'worklog' && c.state, 'rejected');
    assert.equal(await store.worklogRecorded(PC, 'wl-1'), true);
    assert.equal(await store.worklogRecorded(OTHER, 'wl-1'), false);
    const [w] = (await store.getTicket(id))!.worklogs;
    assert.deepEqual([w?.minutes, w?.hostname, w?.start], [25, 'pc-1', '2026-03-01T09:00:00.000Z']);
  });

  it('shows the endpoint its own tickets with customer-facing notes only', async () => {
    const mine = ticketOf(await batch(T, [(s) => createItem(s, 'ref-mine'), (s) => noteItem(s, 'ref-mine', 'n-1', 'from alice')]));
    await batch(T, [(s) => createItem(s, 'ref-theirs')], OTHER);
    await store.addTicketNote(mine, { text: 'internal only', visibility: 'internal', author: 'tom', at: T + 10 });
    await store.addTicketNote(mine, { text: 'we are on it', visibility: 'customer', author: 'tom', at: T + 20 });
    const [t, ...rest] = await store.endpointTickets(PC, { limit: 10 });
    assert.equal(rest.length, 0);
    assert.deepEqual(
      t?.notes.map((n) => [n.text, n.fromEndpoint]),
      [
        ['from alice', true],
        ['we are on it', false],
      ],
    );
    assert.equal(t?.updatedAt, new Date(T + 20).toISOString(), 'an internal note does not move what the requester sees');
    assert.deepEqual(await store.endpointTickets(PC, { refs: ['ref-other'], limit: 10 }), []);
    assert.equal((await store.endpointTickets(PC, { refs: ['ref-mine'], limit: 10 })).length, 1);
  });

  it('finds tickets by text, number and status, page by page', async () => {
    await batch(T, [(s) => createItem(s, 'ref-a', { subject: 'Printer 100% broken' })]);
    await batch(T, [(s) => createItem(s, 'ref-b', { subject: 'VPN drops', requester: { ...alice, fullName: 'Zoë Müller' } })]);
    const third = ticketOf(await batch(T, [(s) => createItem(s, 'ref-c', { subject: 'Mouse_left sticks' })], OTHER));
    const subjects = async (filter: Parameters<Store['listTickets']>[0]) => (await store.listTickets(filter)).map((t) => t.subject);
    assert.deepEqual(await subjects({ query: 'printer 100%', limit: 10 }), ['Printer 100% broken']);
    assert.deepEqual(await subjects({ query: '0%', limit: 10 }), ['Printer 100% broken'], '% is a character, not a wildcard');
    assert.deepEqual(await subjects({ query: 'e_l', limit: 10 }), ['Mouse_left sticks'], '_ too');
    assert.deepEqual(await subjects({ query: 'zoë', limit: 10 }), ['VPN drops'], "the requester's full name");
    assert.deepEqual(await subjects({ query: 'PC-2', limit: 10 }), ['Mouse_left sticks'], 'the hostname, in any case');
    assert.deepEqual(await subjects({ query: `#${third}`, limit: 10 }), ['Mouse_left sticks']);
    assert.deepEqual(await subjects({ query: `op-${third}`, limit: 10 }), ['Mouse_left sticks']);
    assert.deepEqual(await subjects({ deviceId: PC, limit: 1 }), ['VPN drops']);
    assert.deepEqual(await subjects({ deviceId: PC, limit: 5, before: third - 1 }), ['Printer 100% broken']);
    await store.setTicketStatus(third, 'resolved', T + 1);
    assert.deepEqual(await subjects({ statuses: ['resolved', 'closed'], limit: 10 }), ['Mouse_left sticks']);
    assert.deepEqual(await subjects({ query: "'; DROP TABLE tickets; --", limit: 10 }), []);
    assert.equal((await store.listTickets({ limit: 10 })).length, 3);
  });

  it('queues desk jobs with the changes IT makes, in their transaction, and tells the sync after', async () => {
    store.desk.setEnabled(true);
    jobs.setEnabled(true);
    let told = 0;
    store.desk.onEnqueued(() => told++);
    const id = ticketOf(await batch(T, [(s) => createItem(s, 'ref-jobs')]));
    assert.equal(told, 1, 'the batch enqueued the ticket job');
    const changed = await store.setTicketStatus(id, 'resolved', T + 1, jobs);
    assert.deepEqual([changed?.changed, changed?.ticket.status, changed?.ticket.closedAt], [true, 'resolved', null]);
    assert.deepEqual((await store.setTicketStatus(id, 'resolved', T + 2, jobs))?.changed, false);
    await store.desk.setState(`status:${id}`, 'closed');
    assert.equal((await store.setTicketStatus(id, 'closed', T + 3, jobs))?.ticket.closedAt, T + 3);
    assert.equal(told, 2, 'a status the desk already has makes no job');
    const noted = await store.addTicketNote(id, { text: 'done', visibility: 'customer', author: 'tom', at: T + 4 }, jobs);
    assert.ok(await store.desk.jobState(`note:server:${noted!.note.id}`));
    assert.equal(told, 3);
    assert.equal(await store.setTicketStatus(id + 100, 'open', T, jobs), null);
    assert.equal(await store.addTicketNote(id + 100, { text: 'x', visibility: 'internal', author: 't', at: T }, jobs), null);
    assert.deepEqual(await store.desk.jobCounts(), { queued: 3, failed: 0 }, 'the ticket, the status, the note');
  });

  it("raises a ticket for a device from the console and lists the device's tickets, open ones first", async () => {
    const closed = ticketOf(await batch(T, [(s) => createItem(s, 'ref-old')]));
    await store.setTicketStatus(closed, 'closed', T + 1);
    const raised = await store.deviceWork.createDeviceTicket(PC, {
      subject: 'Replace the battery',
      description: 'It lasts 20 minutes.',
      priority: 'high',
      queue: 'Hardware',
      requester: alice,
      device: deviceDetails('pc-1'),
      raisedBy: 'tom',
      at: T + 2,
    });
    assert.ok(raised && raised.ref.startsWith('it'));
    assert.equal(await store.deviceWork.createDeviceTicket('no-such-device', { ...sampleTicket(), at: T }), null);
    const list = (await store.deviceWork.deviceTickets(PC, 10))!;
    assert.deepEqual(
      list.map((t) => [t.id, t.status, t.queue, t.raisedBy, t.label]),
      [
        [raised.id, 'new', 'Hardware', 'tom', `#${raised.id}`],
        [closed, 'closed', null, null, `#${closed}`],
      ],
    );
    assert.equal(await store.deviceWork.deviceTickets('no-such-device', 10), null);
    assert.deepEqual(await store.deviceWork.deviceTickets(OTHER, 10), []);
  });

  it("keeps a device's logbook in order, page by page, with the desk's jobs for it", async () => {
    const id = ticketOf(await batch(T, [(s) => createItem(s, 'ref-log')]));
    await batch(T + 1, [
      (s) => noteItem(s, 'ref-log', 'n-log', 'more detail'),
      (s) => worklogItem(s, 'wl-log', String(id), WL_START, WL_END),
    ]);
    await store.setTicketStatus(id, 'resolved', T + 2);
    await store.desk.enqueue({ kind: 'asset', key: `asset:${PC}`, payload: { deviceId: PC } }, T + 3);
    const job = (await store.desk.nextDue(T + 3))!;
    await store.desk.completeJob(job.id, job.revision, T + 4);
    await store.desk.setLink('asset', PC, 'asset-77');
    const all = (await store.deviceWork.logbook(PC, { limit: 50 }))!;
    assert.deepEqual(
      all.map((e) => [e.kind, e.at, e.ticketId]),
      [
        ['desk', T + 4, null],
        ['status', T + 2, id],
        ['worklog', T + 1, id],
        ['note', T + 1, id],
        ['ticket', T, id],
      ],
    );
    assert.deepEqual(all[0]?.detail, { job: 'asset', state: 'done', error: null, deskId: 'asset-77' });
    assert.deepEqual(all[1]?.detail, { from: 'new', to: 'resolved' });
    assert.deepEqual(all[3]?.detail, { author: 'Alice Example', visibility: 'customer', fromEndpoint: true, text: 'more detail' });
    assert.equal(all[4]?.ticketLabel, `#${id}`);
    const first = (await store.deviceWork.logbook(PC, { limit: 2 }))!;
    const cursor = { at: first[1]!.at, kind: first[1]!.kind, id: first[1]!.id };
    const rest = (await store.deviceWork.logbook(PC, { limit: 50, before: cursor }))!;
    assert.deepEqual([...first, ...rest], all);
    assert.deepEqual(await store.deviceWork.logbook(OTHER, { limit: 50 }), []);
    assert.equal(await store.deviceWork.logbook('no-such-device', { limit: 50 }), null);
  });
});

function sampleTicket() {
  return {
    subject: 's',
    description: 'd',
    priority: 'normal' as const,
    requester: alice,
    device: deviceDetails('x'),
    raisedBy: 'tom',
  };
}
