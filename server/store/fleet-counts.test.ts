// The fleet software counts kept on write equal a recount through the `software` view after every
// kind of write, over seeded random sequences: deltas, full snapshots (as one item and in parts),
// the sweeper's steps, merging a duplicate, on both engines.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeStores } from '../../test/support/stores.js';
import { testFleet, type TestFleet } from '../../test/support/server/fleet.js';
import { deltaItem, fullItem, pkg } from '../../test/support/server/fixtures.js';
import { planBatch } from '../ingest/plan-batch.js';
import type { Snapshot, Software } from '../../shared/inventory.js';
import type { Item } from '../../shared/protocol.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import { snapshotParts } from '../../shared/inventory-parts.js';
import { snapshotDigest } from '../../shared/digest.js';
import { countChanges } from './fleet-counts.js';

/** A seeded generator (xorshift): the same sequence on every run, another per seed. */
function random(seed: number) {
  let s = seed;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

// Names that differ only in case, one name under two keys (arch, source), packages with no version.
const NAMES = ['Firefox', 'firefox', 'bash', 'curl', 'Steam', 'vim', 'git', 'zoom'];
function randomPackage(r: ReturnType<typeof random>): Software {
  const version = r.int(5) === 0 ? undefined : `1.${r.int(3)}`;
  const s = pkg(r.pick(NAMES), version ?? '', { arch: r.pick(['amd64', 'i386']), source: r.pick(['dpkg', 'snap'] as const) });
  if (version === undefined) delete s.version;
  if (r.int(3) === 0) s.publisher = r.pick(['Mozilla', 'GNU']);
  return s;
}
function randomSoftware(r: ReturnType<typeof random>, n: number): Software[] {
  return Array.from({ length: n }, () => randomPackage(r));
}

describeStores('fleet software counts kept on write', (engine) => {
  let fleet: TestFleet;
  before(async () => {
    fleet = await testFleet(engine);
  });
  after(() => fleet.close());

  /** What the console lists, against a recount of the live rows through the view. */
  const assertCounts = async (step: string) => {
    const listed = await fleet.store.listFleetSoftware({ limit: 1000, offset: 0 });
    const counts = listed.items.map((s) => [s.name.toLowerCase(), Number(s.devices), Number(s.versions)]);
    const view = await fleet.sql<{ key: string; devices: number; versions: number }>(
      'SELECT lower(name) AS key, count(DISTINCT device_id) AS devices, count(DISTINCT version) AS versions FROM software GROUP BY lower(name)',
    );
    const recount = view.map((r) => [r.key, Number(r.devices), Number(r.versions)]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    counts.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    assert.deepEqual(counts, recount, `after ${step}`);
    assert.equal(listed.total, recount.length);
    // The per-version counts behind them hold exactly the live rows: none left behind at 0.
    const order = (a: (string | number)[], b: (string | number)[]) => (`${a[0]}\u0000${a[1]}` < `${b[0]}\u0000${b[1]}` ? -1 : 1);
    const kept = await fleet.sql<{ name: string; version: string; rows: number }>('SELECT name, version, rows FROM software_name_versions');
    const live = await fleet.sql<{ key: string; version: string; rows: number }>(
      "SELECT lower(name) AS key, coalesce(version, '') AS version, count(*) AS rows FROM software GROUP BY lower(name), coalesce(version, '')",
    );
    assert.deepEqual(
      kept.map((r) => [r.name, r.version, Number(r.rows)]).sort(order),
      live.map((r) => [r.key, r.version, Number(r.rows)]).sort(order),
      `version counts after ${step}`,
    );
  };

  it('equal a recount through the view after each delta, full snapshot, part, sweep and merge', async () => {
    const r = random(0x5eed1);
    const devices: { id: string; seq: number }[] = [];
    let hosts = 0;
    const addDevice = async () => {
      const id = await fleet.add({ hostname: `h${++hosts}`, software: randomSoftware(r, 3 + r.int(6)) });
      devices.push({ id, seq: 1 });
    };
    const stored = async (id: string): Promise<Snapshot> => (await fleet.store.getDevice(id))!.snapshot!;
    const apply = async (d: { id: string }, items: Item[]) => {
      for (const item of items) await fleet.store.applyBatch(d.id, 1_700_000_000_000, (s) => planBatch(s, [item]));
    };
    for (let i = 0; i < 4; i++) await addDevice();
    await assertCounts('first inventories');
    for (let step = 0; step < 60; step++) {
      const d = r.pick(devices);
      const kind = r.pick(['delta', 'delta', 'delta', 'full', 'parts', 'sweep', 'merge'] as const);
      if (kind === 'delta') {
        const now = await stored(d.id);
        const software = [...now.software];
        for (let k = 1 + r.int(3); k > 0; k--) {
          const op = r.int(3);
          if (op === 0 && software.length > 0) software.splice(r.int(software.length), 1);
          else if (op === 1 && software.length > 0)
            software[r.int(software.length)] = { ...software[r.int(software.length)]!, version: `2.${r.int(3)}` };
          else software.push(randomPackage(r));
        }
        await apply(d, [deltaItem(++d.seq, now, { ...now, software })]);
      } else if (kind === 'full') {
        await apply(d, [fullItem(++d.seq, { ...(await stored(d.id)), software: randomSoftware(r, 2 + r.int(8)) })]);
      } else if (kind === 'parts') {
        const snapshot = normaliseSnapshot({ ...(await stored(d.id)), software: randomSoftware(r, 4 + r.int(8)) });
        const bodies = snapshotParts(snapshot, snapshotDigest(snapshot), 'startup', d.seq + 1, 3);
        const items = bodies.map((body, i) => ({
          seq: d.seq + 1 + i,
          at: new Date(0).toISOString(),
          kind: 'inventory.part' as const,
          body,
        }));
        d.seq += items.length;
        // The counts hold between parts too: the staged rows are not live until the last part swaps.
        for (const item of items) {
          await apply(d, [item]);
          await assertCounts(`part ${(item.body as { index: number }).index} of ${items.length}`);
        }
      } else if (kind === 'sweep') {
        while ((await fleet.store.sweepSoftware(2, 1)) > 0);
      } else if (devices.length > 2) {
        const into = r.pick(devices.filter((x) => x !== d));
        assert.deepEqual(await fleet.store.mergeDevice(d.id, into.id, 1, () => false), { ok: true });
        devices.splice(devices.indexOf(d), 1);
        into.seq = Math.max(into.seq, d.seq);
        await addDevice();
      }
      await assertCounts(`step ${step}: ${kind}`);
    }
  });

  it('count names that differ only in case as one, no version as none, and drop a name a merge or a swap takes away', async () => {
    const listed = async () =>
      (await fleet.store.listFleetSoftware({ q: 'zz', limit: 10, offset: 0 })).items.map((s) => [
        s.name.toLowerCase(),
        s.devices,
        s.versions,
      ]);
    const a = await fleet.add({
      hostname: 'edge-a',
      software: [
        pkg('ZZ-Zoom', '', { source: 'dpkg' }),
        pkg('zz-zoom', '5', { source: 'snap' }),
        pkg('zz-lonely', '1'),
        pkg('zz-Lonely', '1', { source: 'snap' }),
      ],
    });
    const b = await fleet.add({ hostname: 'edge-b', software: [pkg('ZZ-ZOOM', '5')] });
    await assertCounts('two first inventories');
    assert.deepEqual(await listed(), [
      ['zz-lonely', 1, 1],
      ['zz-zoom', 2, 1],
    ]);
    // The duplicate's rows leave the counts: its only name leaves the fleet, the shared one stays.
    assert.deepEqual(await fleet.store.mergeDevice(a, b, 1, () => false), { ok: true });
    await assertCounts('the merge');
    assert.deepEqual(await listed(), [['zz-zoom', 1, 1]]);
    const now = (await fleet.store.getDevice(b))!.snapshot!;
    await fleet.store.applyBatch(b, 2, (s) => planBatch(s, [fullItem(2, { ...now, software: [pkg('zz-other', '')] })]));
    await assertCounts('a full snapshot without the name');
    assert.deepEqual(await listed(), [['zz-other', 1, 0]]);
  });

  it('stay exact when first inventories of the same new names and versions are written at once', async () => {
    // PostgreSQL runs these as concurrent transactions: each version's gain is read from the count
    // its own upsert returns, after the other transaction's commit, not from a reading before it.
    const software = (i: number) => [
      pkg('yy-shared', '1'),
      pkg('YY-Shared', `${i % 2}`, { source: 'snap' }),
      pkg('yy-own', `${i}`),
      pkg('yy-none', ''),
    ];
    await Promise.all(Array.from({ length: 6 }, (_, i) => fleet.add({ hostname: `at-once-${i}`, software: software(i) })));
    await assertCounts('six first inventories at once');
    const page = await fleet.store.listFleetSoftware({ q: 'yy-', limit: 10, offset: 0 });
    assert.deepEqual(
      page.items.map((s) => [s.name.toLowerCase(), s.devices, s.versions]),
      [
        ['yy-none', 6, 0],
        ['yy-own', 6, 6],
        ['yy-shared', 6, 2],
      ],
    );
  });

  it('keep the publisher first reported and drop a name no device has any more', async () => {
    const id = await fleet.add({ hostname: 'solo', software: [pkg('onlyhere', '1', { publisher: 'Acme' })] });
    let page = await fleet.store.listFleetSoftware({ q: 'onlyhere', limit: 10, offset: 0 });
    assert.deepEqual(
      page.items.map((s) => [s.name, s.publisher, s.devices, s.versions]),
      [['onlyhere', 'Acme', 1, 1]],
    );
    const now = (await fleet.store.getDevice(id))!.snapshot!;
    await fleet.store.applyBatch(id, 2, (s) => planBatch(s, [deltaItem(2, now, { ...now, software: [] })]));
    page = await fleet.store.listFleetSoftware({ q: 'onlyhere', limit: 10, offset: 0 });
    assert.deepEqual(page, { total: 0, items: [] });
  });
});

it('turns two readings of a device into count changes: a second key of a name is not a second device', () => {
  const row = (name: string, version: string) => ({ key: name.toLowerCase(), name, version, publisher: null });
  const changes = countChanges([row('Firefox', '1')], [row('Firefox', '1'), row('firefox', '2')]);
  assert.deepEqual(changes.versions, [{ key: 'firefox', version: '2', rows: 1 }]);
  assert.deepEqual([...changes.names.entries()], [['firefox', { devices: 0, name: 'Firefox', publisher: null }]]);
  const gone = countChanges([row('vim', ''), row('vim', '9')], []);
  assert.deepEqual(gone.versions, [
    { key: 'vim', version: '', rows: -1 },
    { key: 'vim', version: '9', rows: -1 },
  ]);
  assert.equal(gone.names.get('vim')?.devices, -1);
});
