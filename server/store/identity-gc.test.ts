// Package identities no device row names are collected by the sweeper's steps, on both engines; what
// a row of any generation names stays; a package reported again after its identity went is stored
// and shown (SQLite: the ids the batch keeps in memory are forgotten); and in PostgreSQL a step waits
// for a batch that has named an identity and not committed yet.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeStores } from '../../test/support/stores.js';
import { testFleet, type TestFleet } from '../../test/support/server/fleet.js';
import { deltaItem, pkg } from '../../test/support/server/fixtures.js';
import { waitFor } from '../../test/support/outpost.js';
import { planBatch } from '../ingest/plan-batch.js';
import type { Software } from '../../shared/inventory.js';
import type { Item } from '../../shared/protocol.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import { snapshotParts } from '../../shared/inventory-parts.js';
import { snapshotDigest } from '../../shared/digest.js';
import { PASS_EVERY_MS } from './identity-gc.js';
import { createPool } from './postgres/open.js';
import { insertSoftwareRows } from './postgres/staging.js';
import { readDeviceState } from './postgres/batch-state.js';

const T0 = 1_700_000_000_000;

async function identities(fleet: TestFleet): Promise<string[]> {
  const rows = await fleet.sql<{ name: string; version: string }>(
    'SELECT k.name, p.version FROM software_packages p JOIN software_keys k ON k.id = p.key_id',
  );
  return rows.map((r) => `${r.name}@${r.version}`).sort();
}

/** Replaces a device's software with a delta at `seq`. */
async function setSoftware(fleet: TestFleet, id: string, seq: number, software: Software[]): Promise<void> {
  const now = (await fleet.store.getDevice(id))!.snapshot!;
  await fleet.store.applyBatch(id, T0, (s) => planBatch(s, [deltaItem(seq, now, { ...now, software })]));
}

/** Sweeps until nothing is left at `at`; the steps taken. */
async function sweep(fleet: TestFleet, limit: number, at: number): Promise<number> {
  let steps = 0;
  while ((await fleet.store.sweepSoftware(limit, at)) > 0) steps++;
  return steps;
}

describeStores('package identities no device names any more', (engine) => {
  it('go in bounded steps once a pass is due; a staged row keeps its own; a package seen again comes back', async () => {
    const fleet = await testFleet(engine);
    try {
      const a = await fleet.add({ hostname: 'a', software: [pkg('firefox', '1'), pkg('bash', '5'), pkg('gimp', '2')] });
      const b = await fleet.add({ hostname: 'b', software: [pkg('bash', '5')] });
      // a upgrades firefox and uninstalls gimp: firefox@1 and gimp (key and package) are named by no row.
      await setSoftware(fleet, a, 2, [pkg('firefox', '2'), pkg('bash', '5')]);
      // a snapshot in parts is under way on b: its staged rows name vim@9, which no live row does.
      const now = (await fleet.store.getDevice(b))!.snapshot!;
      const next = normaliseSnapshot({ ...now, software: [pkg('bash', '5'), pkg('vim', '9'), pkg('zsh', '1'), pkg('jq', '1')] });
      const parts = snapshotParts(next, snapshotDigest(next), 'startup', 2, 2).map((body, i): Item => ({
        seq: 2 + i,
        at: new Date(T0).toISOString(),
        kind: 'inventory.part',
        body,
      }));
      assert.ok(parts.length >= 3);
      for (const part of parts.slice(0, -1)) await fleet.store.applyBatch(b, T0, (s) => planBatch(s, [part]));

      // The first sweep only starts the clock: no pass before PASS_EVERY_MS has gone by.
      await sweep(fleet, 2, T0);
      assert.ok((await identities(fleet)).includes('firefox@1'));
      await sweep(fleet, 2, T0 + PASS_EVERY_MS - 1);
      assert.ok((await identities(fleet)).includes('gimp@2'));

      const before = (await identities(fleet)).length;
      const steps = await sweep(fleet, 2, T0 + PASS_EVERY_MS);
      assert.ok(steps >= before / 2, `a pass looks at 2 ids a step (${steps} steps for ${before} packages and their keys)`);
      const left = await identities(fleet);
      assert.ok(!left.includes('firefox@1') && !left.includes('gimp@2'), left.join(' '));
      assert.ok(left.includes('vim@9'), 'a staged row keeps its identity');
      assert.deepEqual(await fleet.sql("SELECT id FROM software_keys WHERE name = 'gimp'"), []);

      // The swap at the last part shows the staged packages; firefox 1 reported again is stored anew.
      await fleet.store.applyBatch(b, T0, (s) => planBatch(s, [parts.at(-1)!]));
      await setSoftware(fleet, a, 3, [pkg('firefox', '2'), pkg('bash', '5'), pkg('gimp', '2')]);
      await setSoftware(fleet, b, 2 + parts.length, [...next.software, pkg('firefox', '1')]);
      assert.deepEqual(
        (await fleet.store.listSoftware(b))!.map((s) => `${s.name}@${s.version}`),
        ['bash@5', 'firefox@1', 'jq@1', 'vim@9', 'zsh@1'],
      );
      assert.deepEqual(
        (await fleet.store.listSoftware(a))!.map((s) => `${s.name}@${s.version}`),
        ['bash@5', 'firefox@2', 'gimp@2'],
      );
      const fleetList = await fleet.store.listFleetSoftware({ q: 'i', limit: 10, offset: 0 });
      assert.deepEqual(
        fleetList.items.map((s) => `${s.name}:${s.devices}/${s.versions}`),
        ['firefox:2/2', 'gimp:1/1', 'vim:1/1'],
      );
    } finally {
      await fleet.close();
    }
  });

  if (engine === 'postgres') {
    it('a step waits for a batch that has named an identity and not committed yet, then keeps it', async () => {
      const fleet = await testFleet(engine);
      const pool = createPool(fleet.where.store!, 2);
      const client = await pool.connect();
      try {
        const a = await fleet.add({ hostname: 'a', software: [pkg('firefox', '1')] });
        const b = await fleet.add({ hostname: 'b', software: [pkg('bash', '5')] });
        await setSoftware(fleet, a, 2, [pkg('firefox', '2')]);
        await sweep(fleet, 500, T0);
        // A batch on b (its first statement, which takes the identity lock shared, as applyBatch's
        // does) names firefox@1 (no committed row does) and has not committed yet.
        await client.query('BEGIN');
        const state = await readDeviceState(client, b);
        await insertSoftwareRows(client, b, Number(state!.row.software_gen), [pkg('firefox', '1')], 'replace');
        let stepped = false;
        const step = sweep(fleet, 500, T0 + PASS_EVERY_MS).then(() => (stepped = true));
        await waitFor(
          async () =>
            stepped ||
            Number(
              (await pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows[0]!
                .n,
            ) > 0,
          10_000,
          'the identity step waiting for the batch',
        );
        assert.equal(stepped, false, 'the step did not wait for the uncommitted batch');
        await client.query('COMMIT');
        await step;
        assert.ok((await identities(fleet)).includes('firefox@1'));
        assert.deepEqual(
          (await fleet.store.listSoftware(b))!.map((s) => `${s.name}@${s.version}`),
          ['bash@5', 'firefox@1'],
        );
      } finally {
        client.release();
        await pool.end();
        await fleet.close();
      }
    });
  }
});
