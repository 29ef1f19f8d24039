import assert from 'node:assert/strict';
import { afterEach, beforeEach, it, mock } from 'node:test';
import type { IdentityHints } from '../../../shared/inventory.js';
import { silentLogger } from '../../../shared/log.js';
import { hashSecret } from '../../store/secrets.js';
import type { Store } from '../../store/store.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../../test/support/stores.js';
import { issueEnrolmentToken } from '../../store/tokens.js';
import { hintsFor, machine, storedOutcome } from '../../../test/support/server/fixtures.js';
import { DeskSyncEngine } from './engine.js';
import { FakeDesk } from '../../../test/fakes/desk-connector.js';
import { DESK_PROFILES } from '../../../test/fakes/desk-profiles.js';
import { followBatch } from '../../ingest/apply-tickets.js';

const MAC_A = '3c:52:82:11:22:33';
const MAC_B = '3c:52:82:44:55:66';

// Devices as desk assets through their life: renamed, reimaged, cloned.
// Once per real connector's capabilities: what RT can do and what ServiceDesk Plus can do.
for (const profile of DESK_PROFILES) {
  describeStores(`desk assets of renamed, reimaged and cloned devices, with ${profile.name}'s capabilities`, (storeEngine) => {
    let kit: StoreUnderTest;
    let store: Store;
    let desk: FakeDesk;
    let engine: DeskSyncEngine;
    let token: string;
    let now: number;
    let seq: number;

    beforeEach(async () => {
      kit = await freshStore(storeEngine);
      store = kit.store;
      // After the store is open: the PostgreSQL pool's own timers stay real.
      mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
      now = Date.parse('2026-01-05T10:00:00Z');
      seq = 0;
      token = await issueEnrolmentToken(store, {}, now);
      desk = new FakeDesk();
      desk.capabilities = { ...profile.capabilities };
      engine = new DeskSyncEngine({
        desk,
        store,
        log: silentLogger,
        pollMs: 30_000,
        now: () => now,
        random: () => 1,
        ticketChanged: () => undefined,
      });
      engine.start();
      await engine.whenIdle();
    });
    afterEach(async () => {
      await engine.stop();
      mock.timers.reset();
      await kit.dispose();
    });

    /** Enrols a machine with these hints, sends its snapshot, and returns its device and desk asset ids. */
    const report = async (installId: string, spec: { hostname: string; serial: string; macs: string[] }) => {
      const snapshot = machine(spec);
      const hints: IdentityHints = hintsFor(snapshot, installId);
      const enrolled = await store.enrol({
        tokenHash: hashSecret(token),
        hints,
        agentVersion: 't',
        secretHash: hashSecret(`s${++seq}`),
        at: ++now,
      });
      assert.ok(enrolled.ok);
      await store.applyBatch(
        enrolled.deviceId,
        now,
        () => ({ lastSeq: seq, needsFull: false, ...storedOutcome(snapshot, `d${seq}`), changes: [] }),
        followBatch(now, undefined, engine.jobs),
      );
      await engine.whenIdle();
      return { deviceId: enrolled.deviceId, cloneOf: enrolled.cloneOf, assetId: (await store.desk.deskIdFor('asset', enrolled.deviceId))! };
    };

    it('renames the desk asset when the device is renamed', async () => {
      const first = await report('inst-1', { hostname: 'pc-old', serial: 'SN-1', macs: [MAC_A] });
      assert.equal(desk.assets.get(first.assetId)?.name, 'pc-old');
      const renamed = await report('inst-1', { hostname: 'pc-new', serial: 'SN-1', macs: [MAC_A] });
      assert.equal(renamed.assetId, first.assetId);
      assert.equal(desk.assets.size, 1);
      assert.equal(desk.assets.get(first.assetId)?.name, 'pc-new');
    });

    it('keeps the desk asset of a reimaged device (same serial, new install)', async () => {
      const before = await report('inst-1', { hostname: 'pc-1', serial: 'SN-1', macs: [MAC_A] });
      const after = await report('inst-2', { hostname: 'pc-1-new', serial: 'SN-1', macs: [MAC_A] });
      assert.equal(after.deviceId, before.deviceId);
      assert.equal(after.assetId, before.assetId);
      assert.equal(desk.assets.size, 1);
      assert.equal(desk.assets.get(after.assetId)?.name, 'pc-1-new');
    });

    it('gives a clone an asset of its own, marked as a suspected clone, and leaves the original asset alone', async () => {
      const original = await report('inst-image', { hostname: 'lab-pc', serial: 'SN-1', macs: [MAC_A] });
      const originalAsset = { ...desk.assets.get(original.assetId) };
      const clone = await report('inst-image', { hostname: 'lab-pc', serial: 'SN-2', macs: [MAC_B] });
      assert.equal(clone.cloneOf, original.deviceId);
      assert.notEqual(clone.deviceId, original.deviceId);
      assert.notEqual(clone.assetId, original.assetId);
      assert.equal(desk.assets.size, 2);
      const asset = desk.assets.get(clone.assetId) as { description?: string; serviceTag?: string };
      assert.equal(asset.serviceTag, 'SN-2');
      assert.match(asset.description ?? '', new RegExp(`suspected clone of lab-pc \\(Outpost device ${original.deviceId}\\)`, 'i'));
      assert.deepEqual(desk.assets.get(original.assetId), originalAsset);
    });
  });
}
