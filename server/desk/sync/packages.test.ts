// The package store's catalog to the desk ("software packages"): daily by default and on demand,
// one record per package, nothing rewritten that did not change, and nothing offered by a desk that
// keeps no such catalog. Once per store engine.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, it, mock } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { FakeDesk } from '../../../test/fakes/desk-connector.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../../test/support/stores.js';
import type { NewPackage } from '../../store/deploy-records.js';
import { FIRST_CATALOG_RUN_DELAY_MS } from './catalog-schedule.js';
import { DeskSyncEngine } from './engine.js';
import { SchedulesSchema, type SchedulesInput } from './schedules.js';

const HOUR = 3_600_000;

const pkg = (name: string, extra: Partial<NewPackage> = {}): NewPackage => ({
  id: randomUUID(),
  name,
  version: '1.0',
  installer: 'apt',
  fileSha256: null,
  managerPackage: name.toLowerCase(),
  args: [],
  detection: { name },
  platforms: ['linux'],
  selfService: true,
  timeoutSeconds: 600,
  retries: 1,
  createdAt: 0,
  createdBy: 'admin',
  ...extra,
});

describeStores('package catalog to the desk', (storeEngine) => {
  let kit: StoreUnderTest;
  let desk: FakeDesk;
  let engine: DeskSyncEngine | null;
  let now: number;

  beforeEach(async () => {
    kit = await freshStore(storeEngine);
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    desk = new FakeDesk().keepPackages();
    now = Date.parse('2026-01-05T10:20:00Z');
    engine = null;
  });
  afterEach(async () => {
    await engine?.stop();
    mock.timers.reset();
    await kit.dispose();
  });

  const start = (schedules: SchedulesInput = {}) => {
    engine = new DeskSyncEngine({
      desk,
      store: kit.store,
      log: silentLogger,
      pollMs: 30_000,
      now: () => now,
      random: () => 1,
      ticketChanged: () => undefined,
      schedules: SchedulesSchema.parse(schedules),
    });
    engine.start();
    return engine;
  };
  const advance = async (ms: number) => {
    now += ms;
    mock.timers.tick(ms);
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    await engine!.whenIdle();
  };
  const saves = () => desk.calls.filter((c) => c === 'savePackage').length;

  it('sends every package daily by default, each once, and shows the schedule and the last run', async () => {
    const gimp = await kit.store.deploy.addPackage(pkg('GIMP', { version: '2.10.38' }));
    await kit.store.deploy.addPackage(pkg('curl', { version: null, selfService: false }));
    start();
    await advance(0);
    assert.equal(desk.packages.size, 0, 'the first run waits a few minutes after start');
    await advance(FIRST_CATALOG_RUN_DELAY_MS);
    const byName = new Map([...desk.packages.values()].map((p) => [p.name, p]));
    assert.deepEqual(byName.get('GIMP'), {
      outpostId: gimp.id,
      name: 'GIMP',
      version: '2.10.38',
      installer: 'apt',
      platforms: ['linux'],
      selfService: true,
      source: 'gimp',
    });
    assert.equal(byName.get('curl')?.selfService, false);
    let status = (await engine!.status()).packages;
    assert.deepEqual(
      [status.supported, status.schedule, status.queued, status.lastRun?.packages, status.lastRun?.created],
      [true, '24h', false, 2, 2],
    );
    assert.equal(status.nextRunAt, new Date(now + 24 * HOUR).toISOString());

    // A day later with one new package: one write, nothing doubled.
    await kit.store.deploy.addPackage(pkg('Inkscape'));
    await advance(24 * HOUR);
    assert.equal(saves(), 3);
    assert.equal(desk.packages.size, 3);
    status = (await engine!.status()).packages;
    assert.deepEqual([status.lastRun?.created, status.lastRun?.unchanged], [1, 2]);
  });

  it('sends now when asked, on demand only, writing only what changed', async () => {
    await kit.store.deploy.addPackage(pkg('GIMP'));
    start({ packages: 'on-demand' });
    await advance(2 * FIRST_CATALOG_RUN_DELAY_MS);
    assert.equal(desk.calls.includes('findPackage'), false, 'on demand only');
    assert.equal((await engine!.status()).packages.nextRunAt, null);

    assert.equal(await engine!.requestPackagesSync(), true);
    await engine!.whenIdle();
    assert.equal(desk.packages.size, 1);
    assert.equal(await engine!.requestPackagesSync(), true);
    await engine!.whenIdle();
    assert.equal(saves(), 1, 'an unchanged package is not written again');

    // A new package: created, the other left alone.
    await kit.store.deploy.addPackage(pkg('Firefox'));
    await engine!.requestPackagesSync();
    await engine!.whenIdle();
    assert.deepEqual([...desk.packages.values()].map((p) => p.name).sort(), ['Firefox', 'GIMP']);
    const run = (await engine!.status()).packages.lastRun;
    assert.deepEqual([run?.created, run?.unchanged], [1, 1]);
  });

  it('marks a retired package retired in the desk once, and nothing for one never sent', async () => {
    const gimp = await kit.store.deploy.addPackage(pkg('GIMP'));
    const curl = await kit.store.deploy.addPackage(pkg('curl'));
    start({ packages: 'on-demand' });
    await engine!.requestPackagesSync();
    await engine!.whenIdle();
    const gimpRecord = await kit.store.desk.deskIdFor('package', gimp.id);
    assert.ok(gimpRecord);

    await kit.store.deploy.retirePackage(gimp.id);
    const never = await kit.store.deploy.addPackage(pkg('Never sent'));
    await kit.store.deploy.retirePackage(never.id);
    await engine!.requestPackagesSync();
    await engine!.whenIdle();
    assert.deepEqual([...desk.retiredPackages], [gimpRecord]);
    assert.equal(desk.packages.get(gimpRecord)?.name, 'GIMP', 'the record stays, retired');
    let run = (await engine!.status()).packages.lastRun;
    assert.deepEqual([run?.packages, run?.unchanged, run?.retired], [1, 1, 1]);

    const calls = desk.calls.length;
    await engine!.requestPackagesSync();
    await engine!.whenIdle();
    assert.deepEqual(
      desk.calls.slice(calls).filter((c) => c.endsWith('Package')),
      [],
      'nothing asked again for the retired ones, the live one unchanged',
    );
    run = (await engine!.status()).packages.lastRun;
    assert.deepEqual([run?.retired, desk.retiredPackages.size], [0, 1]);
    assert.equal(
      await kit.store.desk.deskIdFor('package', curl.id),
      [...desk.packages.keys()].find((k) => k !== gimpRecord),
    );
  });

  it('offers nothing when the desk keeps no catalog of software packages', async () => {
    desk = new FakeDesk();
    await kit.store.deploy.addPackage(pkg('GIMP'));
    start();
    await advance(2 * FIRST_CATALOG_RUN_DELAY_MS);
    assert.equal(await engine!.requestPackagesSync(), false);
    const status = (await engine!.status()).packages;
    assert.deepEqual([status.supported, status.nextRunAt, status.lastRun], [false, null, null]);
  });
});
