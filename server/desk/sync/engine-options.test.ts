// The engine as the desk settings shape it: field mapping, schedules, the software catalog, and
// prohibited patterns from outside the settings. Fake timers and clock throughout.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it, mock } from 'node:test';
import type { Item } from '../../../shared/protocol.js';
import { silentLogger } from '../../../shared/log.js';
import type { Store } from '../../store/store.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../../test/support/stores.js';
import type { TicketItem } from '../../store/ticket-records.js';
import { machine, pkg, storedOutcome } from '../../../test/support/server/fixtures.js';
import { seedSoftwareRow } from '../../../test/support/software-rows.js';
import { createItem } from '../../../test/support/server/ticket-fixtures.js';
import { AssetEventRulesSchema } from '../rules/asset-events.js';
import { FIRST_CATALOG_RUN_DELAY_MS } from './catalog-schedule.js';
import { DeskSyncEngine, type EngineOptions } from './engine.js';
import { FakeDesk, ticketView } from '../../../test/fakes/desk-connector.js';
import { FieldMappingSchema, type FieldMappingInput } from './mapping.js';
import { SchedulesSchema, type SchedulesInput } from './schedules.js';
import { DESK_PROFILES } from '../../../test/fakes/desk-profiles.js';
import { followBatch } from '../../ingest/apply-tickets.js';

const DEVICE = 'dev-1';
const HOUR = 3_600_000;

// Once per real connector's capabilities: what RT can do and what ServiceDesk Plus can do.
for (const profile of DESK_PROFILES) {
  describeStores(`desk sync engine with settings, with ${profile.name}'s capabilities`, (storeEngine) => {
    let kit: StoreUnderTest;
    let store: Store;
    let desk: FakeDesk;
    let engine: DeskSyncEngine | null;
    let now: number;
    let seq: number;

    beforeEach(async () => {
      kit = await freshStore(storeEngine);
      store = kit.store;
      for (const [id, name] of [
        [DEVICE, 'pc-01'],
        ['dev-2', 'pc-02'],
        ['dev-3', 'pc-03'],
      ] as const) {
        await kit.addDevice(id, { hostname: name, serial: `SN-${name}` });
      }
      // After the store is open: the PostgreSQL pool's own timers stay real.
      mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
      desk = new FakeDesk();
      desk.capabilities = { ...profile.capabilities };
      now = Date.parse('2026-01-05T10:20:00Z');
      seq = 0;
      engine = null;
    });
    afterEach(async () => {
      await engine?.stop();
      mock.timers.reset();
      await kit.dispose();
    });

    const start = (
      opts: { mapping?: FieldMappingInput; schedules?: SchedulesInput } & Omit<Partial<EngineOptions>, 'mapping' | 'schedules'> = {},
    ) => {
      const { mapping, schedules, ...rest } = opts;
      engine = new DeskSyncEngine({
        desk,
        store,
        log: silentLogger,
        pollMs: 30_000,
        now: () => now,
        random: () => 1,
        requesterDomain: 'example.com',
        ticketChanged: () => undefined,
        mapping: FieldMappingSchema.parse(mapping ?? {}),
        schedules: SchedulesSchema.parse(schedules ?? {}),
        ...rest,
      });
      engine.start();
      return engine;
    };
    const deliver = async (...make: ((s: number) => Item)[]) => {
      const items = make.map((m) => m(++seq)) as TicketItem[];
      await store.applyBatch(
        DEVICE,
        now,
        () => ({ lastSeq: seq, needsFull: false, changes: [], ticketItems: items }),
        followBatch(now, undefined, engine!.jobs),
      );
      await engine!.whenIdle();
    };
    const advance = async (ms: number) => {
      now += ms;
      mock.timers.tick(ms);
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      await engine!.whenIdle();
    };
    /** A software row of the device's live generation, as a snapshot leaves it (SQL both engines take). */
    const install = async (device: string, name: string, version: string | null, publisher: string | null = 'Example Ltd') => {
      for (const [statement, params] of seedSoftwareRow(device, { key: `${name}@${version}`, name, version, publisher })) {
        await kit.sql(statement, params);
      }
    };

    it('starts a new desk ticket in the mapped status and does not send that status back', async () => {
      start({ mapping: { newTicketStatus: 'open' } });
      await deliver((s) => createItem(s, 'ref-start-1'));
      const [, t] = [...desk.tickets][0]!;
      assert.equal(t.status, 'open');
      // IT opening the ticket in Outpost: the desk already has that status, so nothing is written.
      const id = (await store.desk.ticketIdByRef(DEVICE, 'ref-start-1'))!;
      await store.setTicketStatus(id, 'open', now, engine!.jobs);
      await engine!.whenIdle();
      assert.equal(desk.calls.includes('updateTicket'), false);
    });

    it('never imports a status mapped to the desk only; still imports replies', async () => {
      start({ mapping: { fields: { status: 'to-desk' } } });
      await deliver((s) => createItem(s, 'ref-dir-1'));
      const [deskId, t] = [...desk.tickets][0]!;
      const view = { ...ticketView(deskId, t), status: 'resolved' as const };
      const note = {
        id: 'n1',
        ticketId: deskId,
        visibility: 'public' as const,
        text: 'Fixed',
        author: 'tech',
        at: '2026-01-05T10:20:01Z',
        own: false,
      };
      desk.queueChange({
        ticket: view,
        events: [
          { kind: 'status', id: 's1', at: note.at, by: 'tech', from: 'new', to: 'resolved', status: 'resolved' },
          { kind: 'note', id: 'n1', at: note.at, by: 'tech', note },
        ],
      });
      await advance(30_000);
      const ticket = (await store.getTicket((await store.desk.ticketIdByRef(DEVICE, 'ref-dir-1'))!))!;
      assert.equal(ticket.status, 'new');
      assert.deepEqual(
        ticket.notes.map((n) => n.text),
        ['Fixed'],
      );
      assert.equal((await engine!.status()).level, 'log-only');
    });

    it('does not poll at all when nothing comes back from the desk, and imports priority and subject mapped both ways', async () => {
      start({ mapping: { fields: { status: 'to-desk' }, notes: { fromDesk: false } } });
      await advance(60_000);
      assert.equal(desk.calls.includes('listChangedSince'), false);
      await engine!.stop();

      const pushed: string[] = [];
      start({
        mapping: { fields: { priority: 'both', subject: 'both' } },
        ticketChanged: (deviceId, ref) => pushed.push(`${deviceId}/${ref}`),
      });
      await deliver((s) => createItem(s, 'ref-both-1'));
      assert.deepEqual(pushed.splice(0), [`${DEVICE}/ref-both-1`], 'the desk number reaches the endpoint');
      const [deskId, t] = [...desk.tickets][0]!;
      desk.queueChange({
        ticket: { ...ticketView(deskId, t), priority: 'urgent', subject: 'Renamed in the desk' },
        events: [{ kind: 'updated', id: 'u1', at: '2026-01-05T10:20:01Z', by: 'tech' }],
      });
      await advance(30_000);
      const ticket = (await store.getTicket((await store.desk.ticketIdByRef(DEVICE, 'ref-both-1'))!))!;
      assert.deepEqual([ticket.priority, ticket.subject], ['urgent', 'Renamed in the desk']);
      assert.deepEqual(pushed, [`${DEVICE}/ref-both-1`], 'the endpoint gets the ticket as the desk renamed it');
    });

    it("sets the account read from the ticket's asset, and leaves attachments out when they are off", async () => {
      start({ mapping: { account: { assetField: 'Customer No', ticketField: 'Account' }, attachments: false } });
      await deliver((s) => createItem(s, 'ref-acct-1'));
      const assetId = (await store.desk.deskIdFor('asset', DEVICE))!;
      desk.assetExtras.set(assetId, { 'Customer No': 'C-1042' });
      await deliver((s) => createItem(s, 'ref-acct-2'));
      const [first, second] = [...desk.tickets.values()];
      assert.equal(first?.account, undefined, 'no reference on the asset yet');
      assert.deepEqual(second?.account, { field: 'Account', value: 'C-1042' });
    });

    it("holds a new asset job for its flow's next slot, and sends tickets at once", async () => {
      start({ schedules: { assets: '1h' } });
      await deliver((s) => createItem(s, 'ref-slot-1'));
      // The ticket needs its asset: it is created at once (the ticket flow is immediate) ...
      assert.equal(desk.tickets.size, 1);
      const saves = desk.calls.filter((c) => c === 'saveAsset').length;
      // Something the asset shows changed (an unchanged asset is not written at all).
      await kit.sql('UPDATE devices SET hostname = $1 WHERE id = $2', ['pc-01-renamed', DEVICE]);
      await store.desk.enqueue({ kind: 'asset', key: `asset:${DEVICE}`, payload: { deviceId: DEVICE }, coalesce: true }, now);
      await engine!.whenIdle();
      assert.equal(desk.calls.filter((c) => c === 'saveAsset').length, saves, '... but an asset update waits for 11:00');
      await advance(40 * 60_000 - 1);
      assert.equal(desk.calls.filter((c) => c === 'saveAsset').length, saves);
      await advance(1);
      assert.equal(desk.calls.filter((c) => c === 'saveAsset').length, saves + 1);
    });

    // Only a desk that keeps a catalog (RT) is sent one; ServiceDesk Plus documents no call for it.
    if (profile.capabilities.softwareCatalog) {
      it('pushes the software catalog on its schedule and on demand, once per package, and shows the last run', async () => {
        await install(DEVICE, 'Firefox', '128.0');
        await install('dev-2', 'firefox', '128.0');
        await install('dev-3', 'Firefox', '115.1', null);
        await install(DEVICE, 'curl', null, null);
        start({ schedules: { catalog: '24h' } });
        await advance(0);
        assert.equal(desk.software.size, 0, 'the first run waits for the endpoints to report');
        await advance(FIRST_CATALOG_RUN_DELAY_MS);
        const byName = new Map([...desk.software.values()].map((s) => [s.name, s]));
        assert.deepEqual(byName.get('Firefox'), {
          name: 'Firefox',
          publisher: 'Example Ltd',
          versions: [
            { version: '128.0', devices: 2 },
            { version: '115.1', devices: 1 },
          ],
          devices: 3,
        });
        assert.deepEqual(byName.get('curl'), { name: 'curl', versions: [{ version: null, devices: 1 }], devices: 1 });
        let status = (await engine!.status()).catalog;
        assert.deepEqual(
          [status.supported, status.schedule, status.queued, status.lastRun?.created, status.lastRun?.packages],
          [true, '24h', false, 2, 2],
        );
        assert.equal(status.nextRunAt, new Date(now + 24 * HOUR).toISOString());

        // On demand, nothing changed: nothing written.
        const writes = () => desk.calls.filter((c) => c === 'saveSoftware').length;
        assert.equal(await engine!.requestCatalogSync(), true);
        await engine!.whenIdle();
        assert.equal(writes(), 2);
        assert.equal((await engine!.status()).catalog.lastRun?.unchanged, 2);

        // A day later, a new version: one update, no second record.
        await install('dev-2', 'curl', '8.5.0', null);
        await advance(24 * HOUR);
        assert.equal(writes(), 3);
        assert.equal(desk.software.size, 2);
        status = (await engine!.status()).catalog;
        assert.deepEqual([status.lastRun?.updated, status.lastRun?.unchanged], [1, 1]);
      });

      it('finds a package the desk already has rather than creating it again, and keeps no schedule on demand', async () => {
        await install(DEVICE, 'Firefox', '128.0');
        await desk.saveSoftware({ name: 'firefox', versions: [], devices: 0 });
        start({ schedules: { catalog: 'on-demand' } });
        await advance(0);
        await advance(2 * FIRST_CATALOG_RUN_DELAY_MS);
        assert.equal(desk.calls.includes('findSoftware'), false, 'on demand only');
        assert.equal((await engine!.status()).catalog.nextRunAt, null);
        await engine!.requestCatalogSync();
        await engine!.whenIdle();
        assert.equal(desk.software.size, 1);
        assert.equal([...desk.software.values()][0]?.devices, 1);
      });
    }

    it('does not offer a catalog the connector cannot keep', async () => {
      desk.capabilities = { ...desk.capabilities, softwareCatalog: false };
      start();
      assert.equal(await engine!.requestCatalogSync(), false);
      assert.equal((await engine!.status()).catalog.supported, false);
    });

    it("checks prohibited patterns from outside the settings each time, merged with the settings' list", async () => {
      let extra: string[] = [];
      start({ assetEvents: AssetEventRulesSchema.parse({ prohibited: ['bittorrent*'] }), extraProhibited: () => extra });
      const installPkg = async (name: string) => {
        const snapshot = machine({ hostname: 'pc-01', software: [pkg(name, '1.0')] });
        const change = {
          at: '2026-01-05T10:00:00Z',
          trigger: 'software-change' as const,
          seq: ++seq,
          section: 'software' as const,
          added: [pkg(name, '1.0')],
          removed: [],
          changed: [],
        };
        await store.applyBatch(
          DEVICE,
          now,
          () => ({ lastSeq: seq, needsFull: false, ...storedOutcome(snapshot, `d${seq}`), changes: [change] }),
          followBatch(now, undefined, engine!.jobs),
        );
        await engine!.whenIdle();
      };
      await installPkg('coinminer');
      assert.equal(desk.tickets.size, 0);
      extra = ['*miner*', '*'];
      await installPkg('xmrig-miner');
      await installPkg('bittorrent-cli');
      assert.deepEqual(
        [...desk.tickets.values()].map((t) => /miner|bittorrent/.exec(t.subject)?.[0]),
        ['miner', 'bittorrent'],
      );
    });
  });
}
