import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { IdentityHints } from '../../../shared/inventory.js';
import { planBatch } from '../../ingest/plan-batch.js';
import { fullItem, machine, pkg } from '../../../test/support/server/fixtures.js';
import { hashSecret } from '../secrets.js';
import { openStore } from '../open-store.js';
import type { Store } from '../store.js';
import { createEnrolmentTokenInDataDir, issueEnrolmentToken } from '../tokens.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../../test/support/stores.js';

const MAC_A = '3c:52:82:11:22:33';
const MAC_B = '3c:52:82:44:55:66';

describeStores('store', (engine) => {
  let under: StoreUnderTest;
  let store: Store;
  let token: string;
  let clock = 1_000_000;

  const enrol = async (hints: Partial<IdentityHints> & { installId: string }, withToken = token) => {
    const result = await store.enrol({
      tokenHash: hashSecret(withToken),
      hints: { hostname: `host-${hints.installId}`, macs: [], ...hints },
      agentVersion: 't',
      secretHash: hashSecret(`secret-${clock}`),
      at: clock++,
    });
    assert.ok(result.ok, 'enrolment refused');
    return result;
  };

  before(async () => {
    under = await freshStore(engine);
    store = under.store;
    token = await issueEnrolmentToken(store, {}, clock);
  });
  after(async () => {
    await under.dispose();
  });

  it('identifies devices through the database: serial continues, MAC and name only flag, clone, reimage', async () => {
    const laptop = await enrol({ installId: 'inst-laptop', hostname: 'laptop', serial: 'SN-1', macs: [MAC_A] });
    assert.equal(laptop.created, true);

    const reimaged = await enrol({ installId: 'inst-laptop-2', hostname: 'laptop-new', serial: 'sn-1', macs: [] });
    assert.deepEqual(reimaged, {
      ok: true,
      deviceId: laptop.deviceId,
      created: false,
      cloneOf: null,
      matchedBy: 'serial',
      duplicateOf: null,
    });
    const [continued] = (await store.listIdentityEvents(laptop.deviceId, 10)) ?? [];
    assert.equal(continued?.kind, 'continued');
    assert.deepEqual(continued?.detail, {
      matchedBy: 'serial',
      remote: null,
      hostname: 'laptop-new',
      previousHostname: 'laptop',
      newInstall: true,
    });

    const desktop = await enrol({ installId: 'inst-desk', hostname: 'desk', macs: [MAC_B] });
    const byMac = await enrol({ installId: 'inst-desk-2', hostname: 'desk-renamed', macs: [MAC_B.toUpperCase()] });
    assert.equal(byMac.created, true);
    assert.deepEqual(byMac.duplicateOf, { deviceId: desktop.deviceId, reason: 'mac' });

    const vm = await enrol({ installId: 'inst-vm', hostname: 'build-vm-3', macs: ['00:50:56:00:00:01'] });
    const vmAgain = await enrol({ installId: 'inst-vm-2', hostname: 'BUILD-VM-3', macs: ['00:50:56:00:00:02'] });
    assert.notEqual(vmAgain.deviceId, vm.deviceId);
    assert.deepEqual(vmAgain.duplicateOf, { deviceId: vm.deviceId, reason: 'hostname' });
    assert.equal((await store.getDevice(vmAgain.deviceId))?.duplicateOf?.deviceId, vm.deviceId);

    const junkA = await enrol({ installId: 'inst-junk-a', hostname: 'localhost', serial: 'System Serial Number' });
    const junkB = await enrol({ installId: 'inst-junk-b', hostname: 'localhost', serial: 'System Serial Number' });
    assert.notEqual(junkA.deviceId, junkB.deviceId);

    const clone = await enrol({ installId: 'inst-laptop-2', hostname: 'laptop-new', serial: 'SN-CLONE', macs: ['3c:52:82:99:99:99'] });
    assert.equal(clone.created, true);
    assert.equal(clone.cloneOf, laptop.deviceId);
    const all = await store.listDevices({ limit: 500, offset: 0 });
    const listed = all.items.find((d) => d.id === clone.deviceId);
    assert.equal(listed?.cloneOf, laptop.deviceId);
    assert.equal(all.items.length, 8);
    assert.equal(all.total, 8);
  });

  it('re-enrolment restarts the seq, requires a full snapshot and replaces the secret', async () => {
    const first = await enrol({ installId: 'inst-seq', serial: 'SN-SEQ' });
    await store.applyBatch(first.deviceId, clock, (s) => planBatch(s, [fullItem(7, machine({ serial: 'SN-SEQ' }))]));
    assert.deepEqual(
      await store.recordHello(first.deviceId, { hints: { installId: 'inst-seq', hostname: 'pc', macs: [] }, agentVersion: 't', at: clock }),
      {
        lastSeq: 7,
        needsFull: false,
      },
    );
    const again = await enrol({ installId: 'inst-seq', serial: 'SN-SEQ' });
    assert.equal(again.deviceId, first.deviceId);
    const state = await store.applyBatch(first.deviceId, clock, (s) => ({ lastSeq: s.lastSeq, needsFull: s.needsFull, changes: [] }));
    assert.deepEqual(state?.plan, { lastSeq: 0, needsFull: true, changes: [] });
    assert.deepEqual((await store.deviceCredential(first.deviceId))?.secretHash, hashSecret(`secret-${clock - 1}`));
  });

  it('does not continue a device with a live connection, even on its serial', async () => {
    const real = await enrol({ installId: 'inst-live', serial: 'SN-LIVE' });
    const live = (id: string) => id === real.deviceId;
    const other = await store.enrol({
      tokenHash: hashSecret(token),
      hints: { installId: 'inst-live-2', hostname: 'intruder', serial: 'SN-LIVE', macs: [] },
      agentVersion: 't',
      secretHash: hashSecret('other'),
      at: clock++,
      isLive: live,
    });
    assert.ok(other.ok);
    assert.notEqual(other.deviceId, real.deviceId);
    assert.deepEqual(other.duplicateOf, { deviceId: real.deviceId, reason: 'serial-in-use' });
    assert.deepEqual((await store.deviceCredential(real.deviceId))?.secretHash, hashSecret(`secret-${clock - 2}`));
  });

  it('merges a duplicate into its device: tickets, history and the credential move, the old id stays an alias', async () => {
    const original = await enrol({ installId: 'inst-m1', hostname: 'merge-me' });
    const duplicate = await enrol({ installId: 'inst-m2', hostname: 'merge-me' });
    assert.equal(duplicate.duplicateOf?.deviceId, original.deviceId);
    await store.applyBatch(duplicate.deviceId, clock, (s) => planBatch(s, [fullItem(3, machine())]));
    const changes = (await store.listChanges(duplicate.deviceId, { limit: 100 }))!.length;
    assert.ok(changes > 0);

    assert.deepEqual(await store.mergeDevice(duplicate.deviceId, original.deviceId, clock, () => true), {
      ok: false,
      reason: 'into-online',
    });
    assert.deepEqual(await store.mergeDevice(duplicate.deviceId, duplicate.deviceId, clock, () => false), {
      ok: false,
      reason: 'same-device',
    });
    assert.deepEqual(await store.mergeDevice(duplicate.deviceId, original.deviceId, clock, () => false), { ok: true });

    assert.equal(await store.getDevice(duplicate.deviceId), null);
    const credential = await store.deviceCredential(duplicate.deviceId);
    assert.equal(credential?.deviceId, original.deviceId);
    assert.deepEqual(credential?.secretHash, hashSecret(`secret-${clock - 1}`));
    const merged = await store.getDevice(original.deviceId);
    assert.equal(merged?.duplicateOf, null);
    assert.equal(merged?.needsFull, true);
    assert.equal((await store.listChanges(original.deviceId, { limit: 100 }))!.length, changes);
    const [event] = (await store.listIdentityEvents(original.deviceId, 10)) ?? [];
    assert.deepEqual({ kind: event?.kind, from: event?.detail.from }, { kind: 'merged', from: duplicate.deviceId });
    assert.deepEqual(
      (
        await store.recordHello(original.deviceId, {
          hints: { installId: 'inst-m2', hostname: 'merge-me', macs: [] },
          agentVersion: 't',
          at: clock,
        })
      )?.lastSeq,
      3,
    );
  });

  it('refuses expired, used-up and unknown tokens, and spends one use per enrolment', async () => {
    const once = await issueEnrolmentToken(store, { uses: 1 }, clock);
    await enrol({ installId: 'inst-once' }, once);
    const spent = await store.enrol({
      tokenHash: hashSecret(once),
      hints: { installId: 'inst-twice', hostname: 'x', macs: [] },
      agentVersion: 't',
      secretHash: hashSecret('s'),
      at: clock,
    });
    assert.deepEqual(spent, { ok: false });

    const short = await issueEnrolmentToken(store, { expiresInMs: 10 }, clock);
    const late = await store.enrol({
      tokenHash: hashSecret(short),
      hints: { installId: 'inst-late', hostname: 'x', macs: [] },
      agentVersion: 't',
      secretHash: hashSecret('s'),
      at: clock + 10,
    });
    assert.deepEqual(late, { ok: false });

    const unknown = await store.enrol({
      tokenHash: hashSecret('never-issued-token'),
      hints: { installId: 'inst-u', hostname: 'x', macs: [] },
      agentVersion: 't',
      secretHash: hashSecret('s'),
      at: clock,
    });
    assert.deepEqual(unknown, { ok: false });
    await assert.rejects(issueEnrolmentToken(store, { uses: 0 }), { code: 'E_CONFIG' });
  });

  it('writes nothing when the planner throws', async () => {
    const d = await enrol({ installId: 'inst-atomic', serial: 'SN-ATOMIC' });
    await assert.rejects(
      store.applyBatch(d.deviceId, clock, (s) => {
        planBatch(s, [fullItem(1, machine({ software: [pkg('x', '1')] }))]);
        throw new Error('boom');
      }),
    );
    assert.deepEqual(await store.listSoftware(d.deviceId), []);
    assert.equal(await store.applyBatch('no-such-device', clock, () => ({ lastSeq: 1, needsFull: false, changes: [] })), null);
  });

  it('issues tokens from another connection while the store is open', async () => {
    const fromCli = await createEnrolmentTokenInDataDir(under.where, { uses: 2 });
    const result = await enrol({ installId: 'inst-cli' }, fromCli);
    assert.equal(result.ok, true);
  });

  it('reopens an existing database without migrating again', async () => {
    const again = await openStore(under.where);
    try {
      const everything = { limit: 500, offset: 0 };
      assert.equal((await again.listDevices(everything)).items.length, (await store.listDevices(everything)).items.length);
    } finally {
      await again.close();
    }
  });
});
