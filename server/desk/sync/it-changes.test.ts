import assert from 'node:assert/strict';
import { afterEach, beforeEach, it, mock } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { silentLogger } from '../../../shared/log.js';
import { ticketRoutes } from '../../api/tickets.js';
import type { Store } from '../../store/store.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../../test/support/stores.js';
import type { TicketItem } from '../../store/ticket-records.js';
import { createItem } from '../../../test/support/server/ticket-fixtures.js';
import { DeskError } from '../errors.js';
import type { DeskEvent } from '../types.js';
import { DeskSyncEngine } from './engine.js';
import { FakeDesk, ticketView } from '../../../test/fakes/desk-connector.js';
import { DESK_PROFILES } from '../../../test/fakes/desk-profiles.js';
import { followBatch } from '../../ingest/apply-tickets.js';

const DEVICE = 'dev-1';

// Changes IT makes through the server API reach the desk; the desk's echo of them comes back as nothing.
// Once per real connector's capabilities: what RT can do and what ServiceDesk Plus can do.
for (const profile of DESK_PROFILES) {
  describeStores(`desk sync of changes made through the server API, with ${profile.name}'s capabilities`, (storeEngine) => {
    let kit: StoreUnderTest;
    let store: Store;
    let desk: FakeDesk;
    let engine: DeskSyncEngine;
    let app: FastifyInstance;
    let now: number;
    let pushed: string[];
    let ticketId: number;
    let deskId: string;

    beforeEach(async () => {
      kit = await freshStore(storeEngine);
      store = kit.store;
      await kit.addDevice(DEVICE, { hostname: 'pc-01', serial: 'SN-PC01' });
      // After the store is open: the PostgreSQL pool's own timers stay real.
      mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
      desk = new FakeDesk();
      desk.capabilities = { ...profile.capabilities };
      now = Date.parse('2026-01-05T10:00:00Z');
      pushed = [];
      engine = new DeskSyncEngine({
        desk,
        store,
        log: silentLogger,
        pollMs: 30_000,
        now: () => now,
        random: () => 1,
        requesterDomain: 'example.com',
        ticketChanged: (deviceId, ref) => pushed.push(`${deviceId}/${ref}`),
      });
      engine.start();
      // The first poll reads the store before it asks the desk: let it finish before a test scripts the desk's answers.
      await engine.whenIdle();
      app = Fastify();
      ticketRoutes(app, { store, now: () => now, ticketChanged: () => undefined, deskJobs: engine.jobs });
      await store.applyBatch(
        DEVICE,
        now,
        () => ({ lastSeq: 1, needsFull: false, changes: [], ticketItems: [createItem(1, 'ref-it-1') as TicketItem] }),
        followBatch(now, undefined, engine.jobs),
      );
      await engine.whenIdle();
      ticketId = (await store.desk.ticketIdByRef(DEVICE, 'ref-it-1'))!;
      deskId = (await store.desk.deskIdFor('ticket', String(ticketId)))!;
      // The desk's number reached the device when the desk took the ticket; what follows is IT's doing.
      assert.deepEqual(pushed.splice(0), [`${DEVICE}/ref-it-1`]);
    });
    afterEach(async () => {
      await engine.stop();
      await app.close();
      mock.timers.reset();
      await kit.dispose();
    });

    const send = async (method: 'PATCH' | 'POST', url: string, body: unknown) => {
      const res = await app.inject({ method, url, payload: body as object });
      await engine.whenIdle();
      return res;
    };
    const poll = async (events: DeskEvent[], status: string) => {
      desk.queueChange({ ticket: { ...ticketView(deskId, desk.tickets.get(deskId)!), status: status as 'open' }, events });
      now += 30_000;
      mock.timers.tick(30_000);
      await new Promise((r) => setImmediate(r));
      await engine.whenIdle();
    };
    const updates = () => desk.calls.filter((c) => c === 'updateTicket').length;

    it('sends a status IT sets to the desk once, and the echo changes nothing', async () => {
      const res = await send('PATCH', `/api/tickets/${ticketId}`, { status: 'resolved' });
      assert.equal(res.statusCode, 200);
      assert.equal(desk.tickets.get(deskId)?.status, 'resolved');
      assert.equal(updates(), 1);
      await send('PATCH', `/api/tickets/${ticketId}`, { status: 'resolved' }); // no change: nothing to send
      assert.equal(updates(), 1);
      const echo: DeskEvent = {
        kind: 'status',
        id: 'e1',
        at: '2026-01-05T10:00:01Z',
        by: 'outpost',
        from: 'new',
        to: 'resolved',
        status: 'resolved',
      };
      await poll([echo], 'resolved');
      assert.equal(updates(), 1);
      assert.deepEqual(await store.desk.jobCounts(), { queued: 0, failed: 0 });
      assert.deepEqual(pushed, []);
    });

    it('sends the last of quick status changes, and never sends a desk status back to the desk', async () => {
      // Both changes are in before the engine hears of either (however fast the store commits).
      store.desk.onEnqueued(null);
      await store.setTicketStatus(ticketId, 'pending', now, engine.jobs);
      await store.setTicketStatus(ticketId, 'resolved', now, engine.jobs);
      store.desk.onEnqueued(() => engine.kick());
      engine.kick();
      await engine.whenIdle();
      assert.equal(desk.tickets.get(deskId)?.status, 'resolved');
      assert.equal(updates(), 1, 'the status as it is when the first job runs; the second has nothing to add');
      const fromDesk: DeskEvent = {
        kind: 'status',
        id: 'e2',
        at: '2026-01-05T10:00:02Z',
        by: 'tech',
        from: 'resolved',
        to: 'open',
        status: 'open',
      };
      const before = updates();
      await poll([fromDesk], 'open');
      assert.equal((await store.getTicket(ticketId))?.status, 'open');
      assert.equal(updates(), before, 'the desk already has its own status');
      await send('PATCH', `/api/tickets/${ticketId}`, { status: 'resolved' }); // IT changes it again: sent
      assert.equal(desk.tickets.get(deskId)?.status, 'resolved');
    });

    it('keeps a status Outpost set while the desk was being read, and takes it to the desk', async () => {
      // The desk is read (open, its notes only), then a deployment resolves the ticket before the change is applied.
      const list = desk.listChangedSince.bind(desk);
      desk.listChangedSince = async (cursor) => {
        const changes = await list(cursor);
        await store.setTicketStatus(ticketId, 'resolved', now + 1_000, engine.jobs);
        return changes;
      };
      await poll([], 'open');
      desk.listChangedSince = list;
      now += 1_000; // the status job is due once the clock reaches the change
      engine.kick();
      await engine.whenIdle();
      assert.equal((await store.getTicket(ticketId))?.status, 'resolved');
      assert.equal(desk.tickets.get(deskId)?.status, 'resolved');
    });

    it('keeps a status Outpost set while the desk still shows its old one, until the desk has it; a status IT sets in the desk still lands', async () => {
      // The desk refuses writes for a while: the resolution's status job waits, the desk still says "new".
      const update = desk.updateTicket.bind(desk);
      desk.updateTicket = async () => {
        throw new DeskError('E_DESK_UNAVAILABLE', 'desk down for writes');
      };
      await store.setTicketStatus(ticketId, 'resolved', now, engine.jobs);
      await engine.whenIdle();
      assert.equal(desk.tickets.get(deskId)?.status, 'new');
      // IT changed something else in the desk (a field): the ticket comes back with the old status.
      await poll([{ kind: 'updated', id: 'u1', at: '2026-01-05T10:00:03Z', by: 'tech' }], 'new');
      assert.equal((await store.getTicket(ticketId))?.status, 'resolved', 'the desk did not change the status');
      desk.updateTicket = update;
      now += 10 * 60_000;
      mock.timers.tick(10 * 60_000);
      await engine.whenIdle();
      engine.kick();
      await engine.whenIdle();
      assert.equal(desk.tickets.get(deskId)?.status, 'resolved', 'the status job took it to the desk');
      // IT reopens it in the desk, reported without a status event: the desk's status lands.
      await poll([{ kind: 'updated', id: 'u2', at: '2026-01-05T10:20:00Z', by: 'tech' }], 'open');
      assert.equal((await store.getTicket(ticketId))?.status, 'open');
    });

    it('leaves the desk status alone where the integration level does not allow writing it', async () => {
      desk.capabilities = { ...desk.capabilities, updateStatus: false };
      await send('PATCH', `/api/tickets/${ticketId}`, { status: 'resolved' });
      assert.equal(updates(), 0);
      assert.equal(desk.tickets.get(deskId)?.status, 'new');
      assert.deepEqual(await store.desk.jobCounts(), { queued: 0, failed: 0 });
    });

    it('sends IT notes as customer-facing or internal, once each, and does not import their echo', async () => {
      const reply = await send('POST', `/api/tickets/${ticketId}/notes`, { text: 'Try a new cable', visibility: 'customer' });
      await send('POST', `/api/tickets/${ticketId}/notes`, { text: 'Cable stock is low', visibility: 'internal' });
      assert.equal(reply.statusCode, 201);
      assert.deepEqual(
        desk.notes.map((n) => [n.ticketId, n.visibility, n.text]),
        [
          [deskId, 'public', 'Try a new cable'],
          [deskId, 'internal', 'Cable stock is low'],
        ],
      );
      assert.equal(new Set(desk.notes.map((n) => n.idempotencyKey)).size, 2);
      const note = {
        id: 'n1',
        ticketId: deskId,
        visibility: 'public' as const,
        text: 'Try a new cable',
        author: 'outpost',
        at: '2026-01-05T10:00:03Z',
        own: true,
      };
      await poll([{ kind: 'note', id: 'n1', at: note.at, by: 'outpost', note }], 'new');
      assert.deepEqual(
        (await store.getTicket(ticketId))?.notes.map((n) => n.text),
        ['Try a new cable', 'Cable stock is low'],
      );
      assert.equal(desk.notes.length, 2);
      assert.deepEqual(pushed, []);
    });

    it('holds an IT note while the desk is unreachable, then sends it once', async () => {
      desk.failNext('E_DESK_UNREACHABLE');
      await send('POST', `/api/tickets/${ticketId}/notes`, { text: 'Rebooted the switch', visibility: 'customer' });
      assert.equal(desk.notes.length, 0);
      now += 1_000;
      mock.timers.tick(1_000);
      await new Promise((r) => setImmediate(r));
      await engine.whenIdle();
      assert.deepEqual(
        desk.notes.map((n) => n.text),
        ['Rebooted the switch'],
      );
    });
  });
}
