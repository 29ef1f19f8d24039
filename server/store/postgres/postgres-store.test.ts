// What only a shared database asks of the store: two server processes (here two stores, each with
// its own pool) on one PostgreSQL database, writing at the same moment.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deltaItem, fullItem, machine, pkg } from '../../../test/support/server/fixtures.js';
import { freshDatabase } from '../../../test/support/postgres.js';
import { planBatch } from '../../ingest/plan-batch.js';
import { hashSecret } from '../secrets.js';
import type { EnrolRequest } from '../store.js';
import { issueEnrolmentToken } from '../tokens.js';
import { PostgresStore } from './postgres-store.js';

describe('PostgreSQL store: two server processes on one database', () => {
  let a: PostgresStore;
  let b: PostgresStore;
  let token: string;
  const request = (installId: string, serial: string, at: number): EnrolRequest => ({
    tokenHash: hashSecret(token),
    hints: { installId, hostname: `host-${installId}`, serial, macs: [] },
    agentVersion: 't',
    secretHash: hashSecret(installId),
    at,
  });

  before(async () => {
    const url = await freshDatabase();
    [a, b] = [await PostgresStore.open(url), await PostgresStore.open(url)];
    token = await issueEnrolmentToken(a, {}, 1);
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it('enrols one machine once when its enrolment reaches both processes at the same moment', async () => {
    const results = await Promise.all([a.enrol(request('inst-1', 'SN-TWICE', 10)), b.enrol(request('inst-2', 'SN-TWICE', 10))]);
    assert.ok(results[0].ok && results[1].ok);
    assert.equal(results[0].deviceId, results[1].deviceId);
    assert.deepEqual(results.map((r) => r.ok && r.created).sort(), [false, true]);
    assert.equal((await a.listDevices({ limit: 10, offset: 0, q: 'host-inst' })).total, 1);
  });

  it('applies a batch redelivered to both processes at once exactly once', async () => {
    const enrolled = await a.enrol(request('inst-redeliver', 'SN-REDELIVER', 20));
    assert.ok(enrolled.ok);
    const v1 = machine({ serial: 'SN-REDELIVER', software: [pkg('bash', '5.1')] });
    const v2 = machine({ serial: 'SN-REDELIVER', software: [pkg('bash', '5.2')] });
    await a.applyBatch(enrolled.deviceId, 21, (s) => planBatch(s, [fullItem(1, v1)]));
    const before = (await a.listChanges(enrolled.deviceId, { limit: 100 }))!.length;
    const delta = [deltaItem(2, v1, v2)];
    await Promise.all([
      a.applyBatch(enrolled.deviceId, 22, (s) => planBatch(s, delta)),
      b.applyBatch(enrolled.deviceId, 22, (s) => planBatch(s, delta)),
    ]);
    assert.equal((await b.listChanges(enrolled.deviceId, { limit: 100 }))!.length, before + 1, 'one change record for seq 2');
    assert.deepEqual(await b.listSoftware(enrolled.deviceId), [pkg('bash', '5.2')]);
  });

  it('counts the fleet right when devices with the same packages report through both processes at once', async () => {
    const names = ['curl', 'git', 'openssl', 'python3', 'vim', 'zsh'];
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await a.enrol(request(`inst-fleet-${i}`, `SN-FLEET-${i}`, 30 + i));
      assert.ok(r.ok);
      ids.push(r.deviceId);
    }
    // Each device lists the same names in another order, half through each process.
    await Promise.all(
      ids.map((id, i) => {
        const software = [...names.slice(i), ...names.slice(0, i)].map((n) => pkg(n, `1.${i % 2}`));
        const store = i % 2 === 0 ? a : b;
        return store.applyBatch(id, 40, (s) => planBatch(s, [fullItem(1, machine({ serial: `SN-FLEET-${i}`, software }))]));
      }),
    );
    const fleet = await b.listFleetSoftware({ limit: 50, offset: 0 });
    const counted = new Map(fleet.items.map((s) => [s.name, `${s.devices}/${s.versions}`]));
    for (const name of names) assert.equal(counted.get(name), '6/2', name);
  });

  it('keeps what a batch sent when it names known and new packages at once, and when a full snapshot drops a section', async () => {
    // Batches write rows on identities that exist in one statement and make the missing ones after:
    // a delta with both, and a second full snapshot that renames the machine and has no volumes.
    const other = await a.enrol(request('inst-known', 'SN-KNOWN', 50));
    const enrolled = await a.enrol(request('inst-mixed', 'SN-MIXED', 50));
    assert.ok(other.ok && enrolled.ok);
    const id = enrolled.deviceId;
    await a.applyBatch(other.deviceId, 51, (s) =>
      planBatch(s, [fullItem(1, machine({ serial: 'SN-KNOWN', software: [pkg('zsh', '5.9')] }))]),
    );
    const volumes = [{ mount: '/', sizeBytes: 1000, freePercent: 40, freeBytes: 400 }];
    const v1 = { ...machine({ serial: 'SN-MIXED', software: [pkg('bash', '5.1'), pkg('curl', '7.88')] }), volumes };
    const v2 = { ...v1, software: [pkg('bash', '5.2'), pkg('curl', '7.88'), pkg('git', '2.39'), pkg('zsh', '5.9')] };
    await a.applyBatch(id, 52, (s) => planBatch(s, [fullItem(1, v1)]));
    await b.applyBatch(id, 53, (s) => planBatch(s, [deltaItem(2, v1, v2)]));
    assert.deepEqual(await a.listSoftware(id), [pkg('bash', '5.2'), pkg('curl', '7.88'), pkg('git', '2.39'), pkg('zsh', '5.9')]);
    const changed = (await a.listChanges(id, { limit: 10 }))!.find((c) => c.seq === 2);
    assert.deepEqual(changed?.added, [pkg('git', '2.39'), pkg('zsh', '5.9')]);

    const v3 = machine({ serial: 'SN-MIXED', hostname: 'renamed', software: v2.software });
    await a.applyBatch(id, 54, (s) => planBatch(s, [fullItem(3, v3)]));
    const detail = (await b.getDevice(id))!;
    assert.equal(detail.hostname, 'renamed');
    assert.equal(detail.snapshot?.volumes, undefined, 'the volumes section is gone');
    assert.equal(detail.snapshot?.os.hostname, 'renamed');
  });
});
