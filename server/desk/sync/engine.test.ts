import assert from 'node:assert/strict';
import { afterEach, beforeEach, it, mock } from 'node:test';
import type { Item } from '../../../shared/protocol.js';
import { silentLogger } from '../../../shared/log.js';
import type { Store } from '../../store/store.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../../test/support/stores.js';
import type { TicketItem } from '../../store/ticket-records.js';
import { fullItem, machine, pkg, storedOutcome } from '../../../test/support/server/fixtures.js';
import { planBatch } from '../../ingest/plan-batch.js';
import { AssetEventRulesSchema } from '../rules/asset-events.js';
import {
  alice,
  attachmentItem,
  closeItem,
  createItem,
  noteItem,
  reopenItem,
  worklogItem,
} from '../../../test/support/server/ticket-fixtures.js';
import { DeskSyncEngine } from './engine.js';
import { FakeDesk } from '../../../test/fakes/desk-connector.js';
import { DESK_PROFILES } from '../../../test/fakes/desk-profiles.js';
import { followBatch } from '../../ingest/apply-tickets.js';

const DEVICE = 'dev-1';

// Once per real connector's capabilities: what RT can do and what ServiceDesk Plus can do.
for (const profile of DESK_PROFILES) {
  describeStores(`desk sync engine, with ${profile.name}'s capabilities`, (storeEngine) => {
    let kit: StoreUnderTest;
    let store: Store;
    let desk: FakeDesk;
    let engine: DeskSyncEngine;
    let now: number;
    let seq: number;
    let pushed: string[];
    /** The ticket numbers the pushes named (the console's live `ticket` event carries them). */
    let pushedIds: number[];

    beforeEach(async () => {
      kit = await freshStore(storeEngine);
      store = kit.store;
      await kit.addDevice(DEVICE, { hostname: 'pc-01', serial: 'SN-PC01' });
      // After the store is open: the PostgreSQL pool's own timers stay real.
      mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
      desk = new FakeDesk();
      desk.capabilities = { ...profile.capabilities };
      now = Date.parse('2026-01-05T10:00:00Z');
      seq = 0;
      pushed = [];
      pushedIds = [];
      engine = new DeskSyncEngine({
        desk,
        store,
        log: silentLogger,
        pollMs: 30_000,
        now: () => now,
        random: () => 1,
        requesterDomain: 'example.com',
        assetEvents: AssetEventRulesSchema.parse({ prohibited: ['bittorrent*'] }),
        ticketChanged: (deviceId, ref, ticketId) => {
          pushed.push(`${deviceId}/${ref}`);
          pushedIds.push(ticketId);
        },
      });
      engine.start();
      // The first poll reads the store before it asks the desk: let it finish before a test scripts the desk's answers.
      await engine.whenIdle();
    });
    afterEach(async () => {
      await engine.stop();
      mock.timers.reset();
      await kit.dispose();
    });

    /** Applies endpoint items as the ingest would, then lets the engine run what they enqueued. */
    const deliver = async (...make: ((s: number) => Item)[]) => {
      const items = make.map((m) => m(++seq)) as TicketItem[];
      await store.applyBatch(
        DEVICE,
        now,
        () => ({ lastSeq: seq, needsFull: false, changes: [], ticketItems: items }),
        followBatch(now, undefined, engine.jobs),
      );
      await engine.whenIdle();
    };
    /** Moves the clock and the timers on, then waits for what they started. */
    const advance = async (ms: number) => {
      now += ms;
      mock.timers.tick(ms);
      await new Promise((r) => setImmediate(r));
      await engine.whenIdle();
    };
    const ticketId = async (ref: string) => (await store.desk.ticketIdByRef(DEVICE, ref))!;

    it('sends a ticket from an endpoint to the desk once, with the requester, device details and the asset', async () => {
      await deliver((s) => createItem(s, 'ref-first-1'));
      assert.equal(desk.tickets.size, 1);
      const [deskId, t] = [...desk.tickets][0]!;
      assert.equal(t.requesterEmail, alice.email);
      // The server's record of the enrolled device (pc-01), not the details the endpoint wrote (pc-1).
      assert.match(t.description, /^--- Device ---\nName: pc-01\nService tag: SN-PC01\n/m);
      const assetId = await store.desk.deskIdFor('asset', DEVICE);
      assert.equal(t.assetId, assetId);
      assert.equal(desk.assets.get(assetId!)?.serviceTag, 'SN-PC01');
      assert.equal(await store.desk.deskIdFor('ticket', String(await ticketId('ref-first-1'))), deskId);
      await deliver((s) => createItem(s, 'ref-first-1')); // a redelivery
      assert.equal(desk.tickets.size, 1);
      assert.deepEqual(await store.desk.jobCounts(), { queued: 0, failed: 0 });
    });

    it('holds jobs through an outage and delivers each once when the desk answers again', async () => {
      desk.down = true;
      await deliver((s) => createItem(s, 'ref-outage-1'));
      await advance(1_000);
      await advance(2_000);
      let status = await engine.status();
      assert.equal(status.healthy, false);
      assert.equal(status.queued, 1);
      assert.match(status.lastError ?? '', /E_DESK_UNREACHABLE/);
      const failedAt = status.lastErrorAt;
      assert.ok(failedAt !== null && Date.parse(failedAt) > 0, 'the error has its time');
      desk.down = false;
      await advance(30_000); // the poll notices the desk is back and releases the held job
      await advance(0);
      status = await engine.status();
      assert.equal(status.healthy, true);
      assert.equal(status.queued, 0);
      assert.equal(desk.tickets.size, 1);
      assert.equal(status.lastErrorAt, failedAt, 'the past error is still shown, with its time');
    });

    it('never creates a second desk ticket after an attempt whose answer was lost', async () => {
      desk.loseNextAnswer = true;
      await deliver((s) => createItem(s, 'ref-lost-1'));
      assert.equal((await engine.status()).queued, 1);
      await advance(1_000);
      assert.equal(desk.tickets.size, 1);
      assert.ok(await store.desk.deskIdFor('ticket', String(await ticketId('ref-lost-1'))));
    });

    it('backs off exponentially, capped', async () => {
      desk.down = true;
      await deliver((s) => createItem(s, 'ref-backoff-1'));
      const creates = () => desk.calls.filter((c) => c === 'findAssets' || c === 'saveAsset').length;
      const attempts: number[] = [];
      for (const step of [1_000, 2_000, 4_000, 8_000]) {
        const before = creates();
        await advance(step - 1);
        attempts.push(creates() - before);
        await advance(1);
      }
      assert.deepEqual(attempts, [0, 0, 0, 0], 'no attempt before its backoff ran out');
      assert.equal((await store.desk.nextDue(now + 16_000))?.attempts, 5);
    });

    it('parks a job the desk refuses, shows it in the status, and retries it on request', async () => {
      await store.desk.setLink('asset', DEVICE, 'asset-known');
      desk.failNext('E_DESK_REJECTED');
      await deliver((s) => createItem(s, 'ref-refused-1'));
      const status = await engine.status();
      assert.equal(status.failed, 1);
      assert.match(status.jobs[0]?.error ?? '', /E_DESK_REJECTED/);
      assert.equal(desk.tickets.size, 0);
      assert.equal(await store.desk.retryJob(status.jobs[0]!.id, now), true);
      await engine.whenIdle();
      assert.equal(desk.tickets.size, 1);
      assert.equal((await engine.status()).failed, 0);
    });

    it('sends a ticket whose asset the desk refuses (a missing field) without the asset link, rather than parking it', async () => {
      desk.failNext('E_DESK_REJECTED');
      await deliver((s) => createItem(s, 'ref-no-asset-1'));
      const [t] = [...desk.tickets.values()];
      assert.ok(t, 'the ticket is in the desk');
      assert.equal(t.assetId, undefined);
      assert.equal((await engine.status()).failed, 0);
    });

    it('holds a ticket whose asset cannot be written because the desk is down, then sends it linked', async () => {
      desk.down = true;
      await deliver((s) => createItem(s, 'ref-outage-asset-1'));
      assert.equal(desk.tickets.size, 0);
      desk.down = false;
      await advance(2_000);
      const [t] = [...desk.tickets.values()];
      assert.ok(t?.assetId, 'sent with its asset once the desk answers');
    });

    it('waits for the files a ticket announced, then creates it, with them where the desk takes files', async () => {
      await deliver((s) => createItem(s, 'ref-files-1', { attachments: 1 }));
      assert.equal(desk.tickets.size, 0);
      await deliver((s) => attachmentItem(s, 'ref-files-1', 'printer.log', Buffer.from('E42 paper jam')));
      await advance(1_000);
      const [t] = [...desk.tickets.values()];
      assert.ok(t, 'the ticket is in the desk');
      // ServiceDesk Plus's connector sends no files: they stay on the Outpost server, never half-sent.
      const expected = profile.capabilities.attachments ? [['printer.log', 'E42 paper jam']] : undefined;
      assert.deepEqual(
        t.attachments?.map((a) => [a.name, Buffer.from(a.contentBase64, 'base64').toString()]),
        expected,
      );
    });

    it('sends endpoint notes, worklogs and a tray close to the desk', async () => {
      await deliver((s) => createItem(s, 'ref-flow-1'));
      // The technician names the desk's number, as the desk shows it.
      const id = (await store.desk.deskIdFor('ticket', String(await ticketId('ref-flow-1'))))!;
      await deliver(
        (s) => noteItem(s, 'ref-flow-1', 'note-flow-1', 'It happened again'),
        (s) => worklogItem(s, 'wl-flow-1', id, '2026-01-05T09:00:00Z', '2026-01-05T09:45:00Z'),
        (s) => closeItem(s, 'ref-flow-1'),
      );
      assert.deepEqual(
        desk.notes.map((n) => [n.visibility, n.text]),
        [['public', 'It happened again']],
      );
      assert.deepEqual(
        desk.worklogs.map((w) => w.minutes),
        [45],
      );
      assert.equal([...desk.tickets.values()][0]?.status, 'closed');
    });

    it('reopens the desk ticket a requester reopened from the tray, with their note, once', async () => {
      await deliver((s) => createItem(s, 'ref-reopen-1'));
      await deliver((s) => closeItem(s, 'ref-reopen-1'));
      assert.equal([...desk.tickets.values()][0]?.status, 'closed');
      await deliver(
        (s) => reopenItem(s, 'ref-reopen-1', 'note-reopen-1', 'It is back.'),
        (s) => reopenItem(s, 'ref-reopen-1', 'note-reopen-1', 'It is back.'),
      );
      await advance(1_000);
      // A desk that takes statuses from Outpost is reopened; otherwise the note alone says so.
      assert.equal([...desk.tickets.values()][0]?.status, profile.capabilities.updateStatus ? 'open' : 'closed');
      assert.deepEqual(
        desk.notes.map((n) => [n.visibility, n.text]),
        [['public', 'It is back.']],
      );
    });

    it('brings desk statuses and replies back; internal comments stay internal and are not pushed', async () => {
      await deliver((s) => createItem(s, 'ref-back-1'));
      // Once the desk has the ticket, its number reaches the device.
      assert.deepEqual(pushed, [`${DEVICE}/ref-back-1`]);
      [pushed, pushedIds] = [[], []];
      const [deskId, t] = [...desk.tickets][0]!;
      const note = (id: string, visibility: 'public' | 'internal', own = false) => ({
        kind: 'note' as const,
        id,
        at: '2026-01-05T10:00:01Z',
        by: 'tech',
        note: { id, ticketId: deskId, visibility, text: `${visibility} ${id}`, author: 'tech', at: '2026-01-05T10:00:01Z', own },
      });
      desk.queueChange({ ticket: ticketViewOf(deskId, t), events: [note('11', 'internal')] });
      await advance(30_000);
      assert.deepEqual(pushed, []);
      desk.queueChange({
        ticket: { ...ticketViewOf(deskId, t), status: 'resolved' },
        events: [
          { kind: 'status', id: '12', at: '2026-01-05T10:00:02Z', by: 'tech', from: 'open', to: 'resolved', status: 'resolved' },
          note('13', 'public'),
          note('14', 'public', true),
        ],
      });
      await advance(30_000);
      assert.deepEqual(pushed, [`${DEVICE}/ref-back-1`]);
      assert.deepEqual(pushedIds, [await ticketId('ref-back-1')]);
      const ticket = (await store.getTicket(await ticketId('ref-back-1')))!;
      assert.equal(ticket.status, 'resolved');
      assert.deepEqual(
        ticket.notes.map((n) => [n.visibility, n.text]),
        [
          ['internal', 'internal 11'],
          ['customer', 'public 13'],
        ],
      );
      const [endpoint] = await store.endpointTickets(DEVICE, { limit: 10 });
      assert.deepEqual(
        endpoint?.notes.map((n) => n.text),
        ['public 13'],
      );
    });

    it('applies a desk status change once: reported again after a reopen from the tray, it does not undo the reopen', async () => {
      await deliver((s) => createItem(s, 'ref-repeat-1'));
      const [deskId, t] = [...desk.tickets][0]!;
      const resolved = {
        kind: 'status' as const,
        id: '21',
        at: '2026-01-05T10:00:02Z',
        by: 'tech',
        from: 'open',
        to: 'resolved',
        status: 'resolved' as const,
      };
      desk.queueChange({ ticket: { ...ticketViewOf(deskId, t), status: 'resolved' }, events: [resolved] });
      await advance(30_000);
      assert.equal((await store.getTicket(await ticketId('ref-repeat-1')))!.status, 'resolved');
      await deliver((s) => reopenItem(s, 'ref-repeat-1', 'note-repeat-1', 'Still broken.'));
      // The desk's poll reports the same change of its current second again.
      desk.queueChange({ ticket: { ...ticketViewOf(deskId, t), status: 'resolved' }, events: [resolved] });
      await advance(30_000);
      assert.equal((await store.getTicket(await ticketId('ref-repeat-1')))!.status, 'open');
    });

    it('raises one desk ticket for prohibited software, linked to the asset, however often the change is delivered', async () => {
      const installed = () => {
        const snapshot = machine({ hostname: 'pc-01', software: [pkg('bittorrent-client', '1.0')] });
        const change = {
          at: '2026-01-05T10:00:00Z',
          trigger: 'software-change' as const,
          seq: ++seq,
          section: 'software' as const,
          added: [pkg('bittorrent-client', '1.0')],
          removed: [],
          changed: [],
        };
        return store.applyBatch(
          DEVICE,
          now,
          () => ({ lastSeq: seq, needsFull: false, ...storedOutcome(snapshot, `d${seq}`), changes: [change] }),
          followBatch(now, undefined, engine.jobs),
        );
      };
      await installed();
      await engine.whenIdle();
      await installed(); // the same change again (a redelivery, a restart)
      await engine.whenIdle();
      const tickets = [...desk.tickets.values()];
      assert.equal(tickets.length, 1);
      assert.match(tickets[0]!.subject, /bittorrent-client/i);
      assert.equal(tickets[0]!.assetId, await store.desk.deskIdFor('asset', DEVICE));
      assert.equal(tickets[0]!.requesterEmail, 'outpost@example.com');
    });

    it('raises no desk ticket for prohibited software the device was allowed to keep (an approved exception), and one for the rest', async () => {
      await kit.sql('INSERT INTO prohibited_exemptions (device_id, name, ticket_id, created_at) VALUES ($1, $2, NULL, 1)', [
        DEVICE,
        'bittorrent-client',
      ]);
      const software = [pkg('BitTorrent-Client', '1.0'), pkg('bittorrent-tracker', '2.0')];
      const change = {
        at: '2026-01-05T10:00:00Z',
        trigger: 'software-change' as const,
        seq: ++seq,
        section: 'software' as const,
        added: software,
        removed: [],
        changed: [],
      };
      const snapshot = machine({ hostname: 'pc-01', software });
      await store.applyBatch(
        DEVICE,
        now,
        () => ({ lastSeq: seq, needsFull: false, ...storedOutcome(snapshot, `d${seq}`), changes: [change] }),
        followBatch(now, undefined, engine.jobs),
      );
      await engine.whenIdle();
      const subjects = [...desk.tickets.values()].map((t) => t.subject);
      assert.equal(subjects.length, 1, subjects.join('\n'));
      assert.match(subjects[0]!, /bittorrent-tracker 2\.0/);
    });

    it("raises a desk ticket for prohibited software in a device's first inventory, whose list the history does not copy", async () => {
      const snapshot = machine({ hostname: 'pc-01', software: [pkg('bittorrent-client', '1.0'), pkg('bash', '5.2')] });
      await store.applyBatch(DEVICE, now, (s) => planBatch(s, [fullItem(++seq, snapshot)]), followBatch(now, undefined, engine.jobs));
      await engine.whenIdle();
      const tickets = [...desk.tickets.values()];
      assert.equal(tickets.length, 1);
      assert.match(tickets[0]!.subject, /bittorrent-client/i);
      const history = (await store.listChanges(DEVICE, { limit: 50 }))!;
      assert.ok(history.some((c) => c.section === 'hardware'));
      assert.equal(
        history.find((c) => c.section === 'software'),
        undefined,
      );
    });

    it('enqueues nothing when the batch is refused, and nothing while no desk is configured', async () => {
      await assert.rejects(
        store.applyBatch(DEVICE, now, () => {
          throw new Error('refused');
        }),
      );
      await engine.stop();
      await store.applyBatch(
        DEVICE,
        now,
        () => ({ lastSeq: 1, needsFull: false, changes: [], ticketItems: [createItem(1, 'ref-off-1') as TicketItem] }),
        followBatch(now, undefined, engine.jobs),
      );
      assert.deepEqual(await store.desk.jobCounts(), { queued: 0, failed: 0 });
    });
  });
}

function ticketViewOf(id: string, t: Parameters<typeof import('../../../test/fakes/desk-connector.js').ticketView>[1]) {
  return {
    ...t,
    id,
    deskStatus: t.status,
    requesters: [],
    createdAt: '',
    updatedAt: '',
    timeWorkedMinutes: null,
    assetIds: null,
    status: 'new' as const,
  };
}
