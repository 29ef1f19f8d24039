// What the desk asset shows of a device (CPU, memory, disks, OS build, BIOS, encryption, volumes,
// software), when it is written (only when that changes), what the mapping leaves to the desk, and
// posture events raised through the real store: one ticket per crossing, across restarts.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it, mock } from 'node:test';
import type { Snapshot, Volume } from '../../../shared/inventory.js';
import { silentLogger } from '../../../shared/log.js';
import { hashSecret } from '../../store/secrets.js';
import { openStore } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../../test/support/stores.js';
import { issueEnrolmentToken } from '../../store/tokens.js';
import { hintsFor, machine, pkg, storedOutcome } from '../../../test/support/server/fixtures.js';
import { FakeDesk } from '../../../test/fakes/desk-connector.js';
import { AssetEventRulesSchema } from '../rules/asset-events.js';
import { LAST_SEEN_REFRESH_MS } from './asset-fingerprint.js';
import { DeskSyncEngine } from './engine.js';
import { followBatch } from '../../ingest/apply-tickets.js';
import { FieldMappingSchema, type FieldMappingInput } from './mapping.js';

const vol = (mount: string, freePercent: number, sizeBytes = 100e9): Volume => ({
  mount,
  fs: 'ext4',
  sizeBytes,
  freePercent,
  freeBytes: Math.floor((sizeBytes * freePercent) / 100),
});

function rich(volumes: Volume[], extra: Partial<Snapshot> = {}): Snapshot {
  const base = machine({ hostname: 'acct-pc7', serial: 'SN-7', software: [pkg('Firefox', '120'), pkg('7-Zip', '23.01')] });
  return {
    ...base,
    hardware: {
      ...base.hardware,
      cpu: { manufacturer: 'Intel', brand: 'Intel Core i5-8500', cores: 6, physicalCores: 6, sockets: 1 },
      disks: [{ vendor: 'Samsung', model: 'Samsung SSD 980', sizeBytes: 1e12, serial: 'S1' }],
      bios: { vendor: 'Dell Inc.', version: '1.21.0', releaseDate: '2023-05-10' },
    },
    os: { ...base.os, build: '6.1.0-27-amd64' },
    volumes,
    security: { diskEncryption: 'on' },
    ...extra,
  };
}

describeStores('the desk asset of a device with the new inventory sections', (storeEngine) => {
  let kit: StoreUnderTest;
  let store: Store;
  let desk: FakeDesk;
  let engine: DeskSyncEngine;
  let token: string;
  let now: number;
  let seq: number;
  let deviceId: string;

  const start = (mapping: FieldMappingInput = {}) => {
    engine = new DeskSyncEngine({
      desk,
      store,
      log: silentLogger,
      pollMs: 30_000,
      now: () => now,
      random: () => 1,
      requesterDomain: 'example.com',
      ticketChanged: () => undefined,
      mapping: FieldMappingSchema.parse(mapping),
      assetEvents: AssetEventRulesSchema.parse({ volumeLowSpace: true, encryptionOff: true }),
    });
    engine.start();
  };

  beforeEach(async () => {
    kit = await freshStore(storeEngine);
    store = kit.store;
    // After the store is open: the PostgreSQL pool's own timers stay real.
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    now = Date.parse('2026-12-07T07:00:00Z');
    seq = 0;
    token = await issueEnrolmentToken(store, {}, now);
    desk = new FakeDesk();
    const enrolled = await store.enrol({
      tokenHash: hashSecret(token),
      hints: hintsFor(rich([])),
      agentVersion: 't',
      secretHash: hashSecret('s'),
      at: now,
    });
    assert.ok(enrolled.ok);
    deviceId = enrolled.deviceId;
  });
  afterEach(async () => {
    await engine.stop();
    mock.timers.reset();
    await store.close();
    await kit.dispose();
  });

  const report = async (snapshot: Snapshot) => {
    now += 60_000;
    seq++;
    const outcome = { lastSeq: seq, needsFull: false, ...storedOutcome(snapshot, `d${seq}`), changes: [] };
    await store.applyBatch(deviceId, now, () => outcome, followBatch(now, undefined, engine.jobs));
    await engine.whenIdle();
  };
  const saves = () => desk.calls.filter((c) => c === 'saveAsset').length;
  const asset = () => [...desk.assets.values()][0]!;

  it('carries CPU, memory, disks, OS build, BIOS, encryption, free space and software', async () => {
    start();
    await report(rich([vol('/', 42, 255e9), vol('/data', 60, 1e12)], { security: { diskEncryption: 'on' } }));
    const a = asset();
    assert.deepEqual(
      [a.cpu, a.memory, a.disks, a.osBuild, a.bios, a.encryption, a.volumes, a.software],
      [
        'Intel Core i5-8500 (6 cores)',
        '16 GB',
        ['Samsung SSD 980 1.0 TB (serial S1)'],
        '6.1.0-27-amd64',
        { vendor: 'Dell Inc.', version: '1.21.0', releaseDate: '2023-05-10' },
        'on',
        ['/ 42 % free of 255.0 GB', '/data 60 % free of 1.0 TB'],
        ['7-Zip 23.01', 'Firefox 120'],
      ],
    );
  });

  it('writes the asset only when something it shows changed, and refreshes Last Seen once a day', async () => {
    start();
    await report(rich([vol('/', 42)]));
    assert.equal(saves(), 1);
    // A new snapshot whose differences the asset does not show (an IP address): no desk call.
    const moved = rich([vol('/', 42)]);
    moved.network = moved.network.map((n) => ({ ...n, ipv4: ['10.9.9.9'] }));
    await report(moved);
    assert.equal(saves(), 1);
    await report(rich([vol('/', 41)]));
    assert.equal(saves(), 2, 'free space crossed a 1 % step');
    now += LAST_SEEN_REFRESH_MS;
    await report(moved);
    assert.equal(saves(), 3, 'a day later Last Seen is written again');
  });

  it('leaves fields the mapping gives to the desk alone', async () => {
    start({ assetFields: { cpu: 'desk', software: 'desk' } });
    await report(rich([vol('/', 42)]));
    const a = asset();
    assert.equal(a.cpu, undefined);
    assert.equal(a.software, undefined);
    assert.deepEqual(a.deskOwned, ['cpu', 'software']);
    assert.equal(a.memory, '16 GB');
    assert.equal(FieldMappingSchema.safeParse({ assetFields: { name: 'desk' } }).success, false, 'the name is always Outpost’s');
  });

  it('raises one low-space ticket per crossing, linked to the asset, across redelivery and a restart', async () => {
    start();
    await report(rich([vol('/', 42)]));
    await report(rich([vol('/', 8)]));
    await report(rich([vol('/', 7)]));
    assert.equal(desk.tickets.size, 1);
    const [, ticket] = [...desk.tickets][0]!;
    assert.match(ticket.subject, /^Low disk space on acct-pc7: \/ 8 % free/);
    assert.equal(ticket.assetId, asset().id);
    // The server restarts over the same data; the device keeps reporting a low or hovering volume.
    await engine.stop();
    await store.close();
    store = await openStore(kit.where);
    start();
    await report(rich([vol('/', 9)]));
    await report(rich([vol('/', 11)]));
    await report(rich([vol('/', 9)]));
    assert.equal(desk.tickets.size, 1);
    // Recovered above 10 + 5, then low again: a new crossing, a new ticket.
    await report(rich([vol('/', 30)]));
    await report(rich([vol('/', 5)]));
    assert.equal(desk.tickets.size, 2);
  });
});
