// The issue 18 sections through the real store: a full snapshot with volumes, accounts and security
// is stored and served back, a delta moves one volume a percent, and a device first stored without
// the new sections takes them by delta (its stored digests predate them).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { snapshotDigest } from '../../../shared/digest.js';
import type { Snapshot } from '../../../shared/inventory.js';
import { normaliseSnapshot } from '../../../shared/normalise.js';
import { deltaItem, fullItem, machine } from '../../../test/support/server/fixtures.js';
import { planBatch } from '../../ingest/plan-batch.js';
import { hashSecret } from '../secrets.js';
import { issueEnrolmentToken } from '../tokens.js';
import type { Store } from '../store.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../../test/support/stores.js';

const GB = 1024 ** 3;
const broad = (freePercent: number): Snapshot =>
  normaliseSnapshot({
    ...machine({ serial: 'SN-BROAD' }),
    volumes: [
      { mount: '/', fs: 'ext4', sizeBytes: 100 * GB, freePercent, freeBytes: freePercent * GB, encrypted: true, encryption: 'LUKS' },
    ],
    accounts: [{ name: 'ann', admin: true, groups: ['sudo'] }],
    groups: [{ name: 'sudo', gid: '27', admin: true, members: ['ann'] }],
    security: { firewall: 'on', diskEncryption: 'on', pendingUpdates: 3, rebootRequired: false },
  });

describeStores('store: inventory breadth sections', (engine) => {
  let under: StoreUnderTest;
  let store: Store;
  let token: string;
  let clock = 2_000_000;
  const enrolled = new Map<string, string>();
  const enrol = async (installId: string) => {
    const r = await store.enrol({
      tokenHash: hashSecret(token),
      hints: { installId, hostname: installId, macs: [] },
      agentVersion: 't',
      secretHash: hashSecret(installId),
      at: clock++,
    });
    assert.ok(r.ok);
    enrolled.set(installId, r.deviceId);
    return r.deviceId;
  };

  before(async () => {
    under = await freshStore(engine);
    store = under.store;
    token = await issueEnrolmentToken(store, {}, clock);
  });
  after(async () => {
    await under.dispose();
  });

  it('stores and serves the new sections, and applies a one-percent volume step by delta', async () => {
    const id = await enrol('inst-broad');
    await store.applyBatch(id, clock++, (s) => planBatch(s, [fullItem(1, broad(12))]));
    const step = await store.applyBatch(id, clock++, (s) => planBatch(s, [deltaItem(2, broad(12), broad(11))]));
    assert.deepEqual(step?.plan.problems, []);
    const device = await store.getDevice(id);
    assert.deepEqual(device?.snapshot, broad(11));
    assert.equal(device?.digest, snapshotDigest(broad(11)));
    const changes = (await store.listChanges(id, { limit: 10 })) ?? [];
    assert.ok(changes.some((c) => c.section === 'volumes' && c.changed.length === 1));
  });

  it('takes the new sections by delta onto a snapshot stored without them', async () => {
    const id = await enrol('inst-old');
    const old = machine({ serial: 'SN-OLD' });
    await store.applyBatch(id, clock++, (s) => planBatch(s, [fullItem(1, old)]));
    const next = normaliseSnapshot({ ...old, security: { firewall: 'off' }, volumes: broad(5).volumes });
    const r = await store.applyBatch(id, clock++, (s) => planBatch(s, [deltaItem(2, old, next)]));
    assert.deepEqual(r?.plan.problems, []);
    assert.deepEqual((await store.getDevice(id))?.snapshot, next);
  });

  it('filters the device list by low disk, encryption, reboot and firewall, and by unknown posture', async () => {
    const filterId = await enrol('inst-filter');
    await store.applyBatch(filterId, clock++, (s) => planBatch(s, [fullItem(1, broad(7))]));
    const byId = new Map([
      [enrolled.get('inst-broad'), 'inst-broad'],
      [enrolled.get('inst-old'), 'inst-old'],
      [filterId, 'inst-filter'],
    ]);
    const names = async (q: Partial<Parameters<Store['listDevices']>[0]>) =>
      (await store.listDevices({ limit: 50, offset: 0, ...q })).items.map((d) => byId.get(d.id) ?? d.id).sort();
    // broad(7): one volume 7 % free, encryption on, firewall on, no reboot; inst-old has volumes 5 %, firewall off.
    assert.deepEqual(await names({ lowDisk: 10 }), ['inst-filter', 'inst-old']);
    assert.deepEqual(await names({ lowDisk: 6 }), ['inst-old']);
    assert.deepEqual(await names({ lowDisk: 5 }), []);
    assert.deepEqual(await names({ encryption: 'on' }), ['inst-broad', 'inst-filter']);
    assert.deepEqual(await names({ encryption: 'unknown' }), ['inst-old']);
    assert.deepEqual(await names({ firewall: 'off' }), ['inst-old']);
    assert.deepEqual(await names({ rebootRequired: false, lowDisk: 10 }), ['inst-filter']);
    assert.deepEqual(await names({ rebootRequired: true }), []);
  });
});
