import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, it } from 'node:test';
import { snapshotDigest } from '../../shared/digest.js';
import { SNAPSHOT_LIMITS, type Snapshot, type Software } from '../../shared/inventory.js';
import { entryWeight, inventoryEntries, snapshotEntries, snapshotParts, type InventoryItem } from '../../shared/inventory-parts.js';
import { normaliseSnapshot } from '../../shared/normalise.js';
import { LIMITS, type Item } from '../../shared/protocol.js';
import { deltaItem, fullItem, machine, pkg } from '../../test/support/server/fixtures.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { describeStores, enrolInStore, freshStore, type StoreUnderTest } from '../../test/support/stores.js';
import { SWEEP_STEP_CHARS } from '../store/sqlite/software-sweep.js';
import { planBatch } from './plan-batch.js';

const AT = '2025-01-02T03:04:05.000Z';
const BUDGET = LIMITS.maxInventoryEntriesPerBatch;

/** A machine with `n` packages named `${prefix}-i`: past the budget, it travels in parts. */
const big = (n: number, prefix = 'pkg') => machine({ software: Array.from({ length: n }, (_, i) => pkg(`${prefix}-${i}`, '1')) });

/** The parts of a snapshot as the agent builds them, seqs from `first` on. */
function parts(snapshot: Snapshot, first: number, digest = snapshotDigest(snapshot)): Item[] {
  return snapshotParts(normaliseSnapshot(snapshot), digest, 'startup', first).map((body, i) => ({
    seq: first + i,
    at: AT,
    kind: 'inventory.part',
    body,
  }));
}

describeStores('full snapshots in parts (staged, swapped at the last part)', (engine) => {
  let under: StoreUnderTest;
  let store: Store;
  let deviceId: string;
  let clock = 1_000_000;

  const open = () => openStore(under.where);
  const apply = async (items: Item[]) => {
    const applied = await store.applyBatch(deviceId, clock++, (state) => planBatch(state, items));
    assert.ok(applied);
    return applied.plan;
  };
  /** One batch per item, as the agent sends parts (each is a budget's worth); each must apply cleanly. */
  const applyEach = async (items: Item[]) => {
    for (const item of items) assert.deepEqual(codes(await apply([item])), []);
  };
  const codes = (plan: { problems: { code: string; seq: number }[] }) => plan.problems.map((p) => [p.code, p.seq]);
  const stored = async () => (await store.getDevice(deviceId))!.snapshot;
  const sweep = async () => {
    while ((await store.sweepSoftware(BUDGET, clock)) > 0);
  };

  beforeEach(async () => {
    under = await freshStore(engine);
    store = under.store;
    deviceId = await enrolInStore(store, 'parts', clock++);
  });
  afterEach(async () => {
    await store.close();
    await under.dispose();
  });

  it('shows nothing of a snapshot until its last part is in, then all of it, with its digest', async () => {
    const v1 = machine({ software: [pkg('bash', '5.1')] });
    await apply([fullItem(1, v1)]);
    const v2 = big(5_000);
    const items = parts(v2, 2);
    assert.equal(items.length, Math.ceil(snapshotEntries(v2) / BUDGET));
    for (const item of items.slice(0, -1)) {
      assert.deepEqual(codes(await apply([item])), []);
      assert.equal(snapshotDigest((await stored())!), snapshotDigest(v1), 'the old snapshot stays whole until the swap');
    }
    const last = await apply(items.slice(-1));
    assert.deepEqual(codes(last), []);
    assert.equal(last.fullRequested, false);
    const after = (await stored())!;
    assert.equal(after.software.length, 5_000);
    assert.equal(snapshotDigest(after), snapshotDigest(v2));
    assert.equal((await store.getDevice(deviceId))!.digest, snapshotDigest(v2));
    // The old generation is deleted in steps; what the new one lacks is recorded as removed.
    await sweep();
    const changes = (await store.listChanges(deviceId, { limit: 50 }))!.filter(
      (c) => c.section === 'software' && c.seq === items.at(-1)!.seq,
    );
    assert.equal(
      changes.reduce((n, c) => n + c.added.length, 0),
      5_000,
    );
    assert.deepEqual(
      changes.flatMap((c) => c.removed),
      [pkg('bash', '5.1')],
    );
    // A delta on the swapped-in snapshot applies as usual.
    const v3 = { ...v2, software: [...v2.software.slice(1), pkg('zsh', '5.9')] };
    assert.deepEqual(codes(await apply([deltaItem(items.at(-1)!.seq + 1, v2, v3)])), []);
    assert.equal(snapshotDigest((await stored())!), snapshotDigest(v3));
  });

  it('keeps the acknowledged parts across a restart and completes the swap after it', async () => {
    const v = big(4_500);
    const items = parts(v, 1);
    await applyEach(items.slice(0, 2));
    await store.close();
    store = await open();
    assert.equal(await stored(), null, 'no half snapshot is visible after the restart');
    await applyEach(items.slice(2));
    assert.equal(snapshotDigest((await stored())!), snapshotDigest(v));
  });

  it('takes parts out of order and ignores a part sent twice', async () => {
    const v = big(2 * BUDGET + 500);
    const [p0, p1, p2, more] = parts(v, 1);
    assert.equal(more, undefined, 'three parts');
    // Seqs stay increasing (the server skips replays by seq); the indices come in another order.
    const reorder = (item: Item, seq: number): Item => ({ ...item, seq });
    await apply([reorder(p2!, 3)]);
    await apply([reorder(p0!, 4)]);
    await apply([reorder(p0!, 5)]);
    assert.equal(await stored(), null);
    assert.deepEqual(codes(await apply([reorder(p1!, 6)])), []);
    const after = (await stored())!;
    assert.equal(after.software.length, 2 * BUDGET + 500);
    assert.equal(snapshotDigest(after), snapshotDigest(v));
  });

  it('refuses a part of an older sequence once a newer one started, and completes the newer one', async () => {
    const a = big(4_200, 'a');
    const b = big(4_300, 'b');
    const pa = parts(a, 1);
    await apply(pa.slice(0, 1));
    const pb = parts(b, 2);
    await apply(pb.slice(0, 1));
    const stale = { ...pa[1]!, seq: 3 };
    const refused = await apply([stale]);
    assert.deepEqual(codes(refused), [['E_PART_SEQUENCE', 3]]);
    const rest = pb.slice(1).map((item, i) => ({ ...item, seq: 4 + i }));
    for (const item of rest) assert.deepEqual(codes(await apply([item])), []);
    assert.equal(snapshotDigest((await stored())!), snapshotDigest(b));
    await sweep();
  });

  it('refuses the swap when the parts do not add up to their digest, keeps the old snapshot and asks for a full one', async () => {
    const v1 = machine({ software: [pkg('bash', '5.1')] });
    await apply([fullItem(1, v1)]);
    const v2 = big(4_100);
    const items = parts(v2, 2, snapshotDigest(big(4_100, 'other')));
    await applyEach(items.slice(0, -1));
    const last = await apply(items.slice(-1));
    assert.deepEqual(codes(last), [['E_DIGEST_MISMATCH', items.at(-1)!.seq]]);
    assert.equal(last.fullRequested, true);
    assert.equal(snapshotDigest((await stored())!), snapshotDigest(v1));
    // The resend (a new sequence) goes through.
    await applyEach(parts(v2, 10));
    assert.equal(snapshotDigest((await stored())!), snapshotDigest(v2));
  });

  it('refuses any item past the entry budget with E_BATCH_TOO_LARGE and changes nothing', async () => {
    const v1 = machine({ software: [pkg('bash', '5.1')] });
    await apply([fullItem(1, v1)]);
    const tooBig = await apply([fullItem(2, big(BUDGET + 1))]);
    assert.deepEqual(codes(tooBig), [['E_BATCH_TOO_LARGE', 2]]);
    const grown = big(BUDGET + 1);
    const delta = await apply([deltaItem(3, v1, grown)]);
    assert.deepEqual(codes(delta), [['E_BATCH_TOO_LARGE', 3]]);
    assert.equal(delta.fullRequested, true);
    assert.equal(snapshotDigest((await stored())!), snapshotDigest(v1));
  });

  it('applies a small full snapshot onto a large stored one by swapping, not by diffing the large one', async () => {
    await applyEach(parts(big(6_000), 1));
    const small = machine({ software: [pkg('bash', '5.2'), pkg('vim', '9')] });
    const plan = await apply([fullItem(10, small)]);
    assert.deepEqual(codes(plan), []);
    assert.equal(plan.swapped?.gen, 10);
    assert.equal(snapshotDigest((await stored())!), snapshotDigest(small));
    await sweep();
    const removed = (await store.listChanges(deviceId, { limit: 50 }))!.filter((c) => c.seq === 10).flatMap((c) => c.removed);
    assert.equal(removed.length, 6_000);
  });

  it('carries every other collection at its limit in pages across the parts, each within the budget', async () => {
    const many = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));
    const v: Snapshot = {
      ...machine(),
      network: many(SNAPSHOT_LIMITS.network, (i) => ({ name: `eth${i}`, ipv4: [], ipv6: [], virtual: false })),
      users: many(SNAPSHOT_LIMITS.users, (i) => ({ name: `user${i}` })),
      volumes: many(SNAPSHOT_LIMITS.volumes, (i) => ({ mount: `/mnt/v${i}` })),
      monitors: many(SNAPSHOT_LIMITS.monitors, (i) => ({ serial: `m${i}` })),
      printers: many(SNAPSHOT_LIMITS.printers, (i) => ({ name: `printer${i}` })),
      accounts: many(SNAPSHOT_LIMITS.accounts, (i) => ({ name: `acct${i}`, admin: false, groups: [] })),
      groups: many(SNAPSHOT_LIMITS.groups, (i) => ({ name: `group${i}`, admin: false, members: [`acct${i}`] })),
      software: many(1_000, (i) => pkg(`pkg-${i}`, '1')),
    };
    const items = parts(v, 1);
    assert.ok(items.length >= 3, 'the other collections alone are past one budget');
    for (const item of items) assert.ok(inventoryEntries(item as InventoryItem) <= BUDGET);
    await applyEach(items);
    const after = (await stored())!;
    assert.equal(snapshotDigest(after), snapshotDigest(v));
    assert.equal(after.groups?.length, SNAPSHOT_LIMITS.groups);
    // A delta on it applies as usual.
    const v2 = { ...v, accounts: v.accounts!.slice(1) };
    assert.deepEqual(codes(await apply([deltaItem(items.length + 1, v, v2)])), []);
    assert.equal(snapshotDigest((await stored())!), snapshotDigest(v2));
  });

  it('keeps each section of each page as a row of the staged generation: no part reads or rewrites the pages before it, the swap moves a pointer', async () => {
    const many = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));
    const v: Snapshot = {
      ...machine(),
      accounts: many(SNAPSHOT_LIMITS.accounts, (i) => ({ name: `acct${i}`, admin: false, groups: [`g${i}`.padEnd(400, 'x')] })),
      groups: many(SNAPSHOT_LIMITS.groups, (i) => ({ name: `group${i}`, admin: false, members: [`acct${i}`.padEnd(400, 'x')] })),
      software: many(500, (i) => pkg(`pkg-${i}`, '1')),
    };
    const items = parts(v, 1) as Extract<Item, { kind: 'inventory.part' }>[];
    const paged = items.filter((item) => item.body.more !== undefined);
    assert.ok(paged.length >= 2, `${paged.length} parts carry pages`);
    // Each row as its place and a hash of its body (the bodies are megabytes).
    const rows = async () =>
      (
        await under.sql<{ gen: number; section: string; ord: number; body: string }>(
          'SELECT gen, section, ord, body FROM snapshot_sections WHERE device_id = $1 ORDER BY gen, section, ord',
          [deviceId],
        )
      ).map((r) => ({
        gen: Number(r.gen),
        section: r.section,
        ord: Number(r.ord),
        body: createHash('sha256').update(r.body).digest('hex'),
      }));
    await applyEach(items.slice(0, 2));
    const part0 = (await rows()).filter((r) => r.ord === 0);
    assert.deepEqual(part0.map((r) => r.section).sort(), Object.keys(items[0]!.body.rest!).sort());
    await applyEach(items.slice(2, -1));
    const beforeLast = await rows();
    assert.deepEqual(
      beforeLast.filter((r) => r.ord === 0),
      part0,
      "part 0's sections are written once, not with every page",
    );
    const pageRows = items.slice(1, -1).reduce((n, item) => n + Object.keys(item.body.more ?? {}).length, 0);
    assert.equal(beforeLast.length, part0.length + pageRows, 'one row per section of each page');
    await applyEach(items.slice(-1));
    const afterSwap = await rows();
    const lastPage = Object.keys(items.at(-1)!.body.more ?? {}).length;
    assert.equal(afterSwap.length, beforeLast.length + lastPage, 'the swap rewrites no section: the staged rows are the live ones');
    for (const r of beforeLast) assert.ok(afterSwap.some((a) => JSON.stringify(a) === JSON.stringify(r)));
    assert.equal(snapshotDigest((await stored())!), snapshotDigest(v));
    assert.deepEqual(normaliseSnapshot((await stored())!), normaliseSnapshot(v));
  });

  it('records what changed in the other sections, a section a sweeper step, and retires the old generation', async () => {
    const v1 = machine({ software: [pkg('bash', '5.1')] });
    await apply([fullItem(1, v1)]);
    const v2: Snapshot = {
      ...big(3 * BUDGET),
      printers: [{ name: 'lp-new' }],
      network: v1.network.map((n) => ({ ...n, mac: '02:00:00:00:00:99' })),
    };
    await applyEach(parts(v2, 2));
    // Readers see the new generation whole at once, before the sweeper has compared anything.
    assert.deepEqual(normaliseSnapshot((await stored())!), normaliseSnapshot(v2));
    await sweep();
    // The first snapshot's own records (seq 1) aside.
    const history = (await store.listChanges(deviceId, { limit: 500 }))!.filter((c) => c.section !== 'software' && c.seq > 1);
    const printers = history.find((c) => c.section === 'printers');
    assert.deepEqual(printers?.added, [{ name: 'lp-new' }]);
    const network = history.find((c) => c.section === 'network');
    assert.deepEqual(
      network?.changed.map((c) => Object.keys(c.fields)),
      [['mac']],
    );
    assert.equal(history.filter((c) => c.section === 'hardware').length, 0, 'an unchanged section records nothing');
    const gens = await under.sql<{ gen: number }>('SELECT DISTINCT gen FROM snapshot_sections WHERE device_id = $1', [deviceId]);
    assert.deepEqual(
      gens.map((g) => Number(g.gen)),
      [2],
      'only the live generation is left',
    );
  });

  it('finishes comparing the sections after a restart between sweeper steps, recording each change once', async () => {
    const v1: Snapshot = { ...machine({ software: [pkg('bash', '5.1')] }), printers: [{ name: 'lp-old' }] };
    await apply([fullItem(1, v1)]);
    const v2: Snapshot = { ...big(3 * BUDGET), printers: [{ name: 'lp-new' }] };
    await applyEach(parts(v2, 2));
    // A few steps, then the process dies (the store is closed without the rest being done).
    for (let i = 0; i < 4; i++) await store.sweepSoftware(BUDGET, clock);
    await store.close();
    store = await open();
    await sweep();
    const printers = (await store.listChanges(deviceId, { limit: 500 }))!.filter((c) => c.section === 'printers' && c.seq > 1);
    assert.deepEqual(
      printers.map((c) => [c.added, c.removed]),
      [[[{ name: 'lp-new' }], [{ name: 'lp-old' }]]],
    );
    assert.deepEqual(normaliseSnapshot((await stored())!), normaliseSnapshot(v2));
  });

  it('takes every part of a paged snapshot in one batch, a key repeated across its pages counting once', async () => {
    const printers = (n: number, driver: string) => Array.from({ length: n }, (_, i) => ({ name: `printer${i}`, driver }));
    const v = normaliseSnapshot({ ...big(30), printers: printers(40, 'first') });
    // Parts of 20 entries (an agent may cut smaller than the budget): the printers span three pages.
    const bodies = snapshotParts(v, 'x', 'startup', 1, 20);
    const more = bodies.filter((b) => b.more?.printers?.length);
    assert.ok(more.length >= 2, `${more.length} parts carry printers`);
    // The last page repeats the first printers with another driver: the first of a key counts.
    more.at(-1)!.more!.printers!.push(...printers(5, 'again'));
    const digest = snapshotDigest({ ...v, printers: [...v.printers!, ...printers(5, 'again')] });
    const items: Item[] = bodies.map((body, i) => ({ seq: 1 + i, at: AT, kind: 'inventory.part', body: { ...body, digest } }));
    assert.deepEqual(codes(await apply(items)), []);
    const after = (await stored())!;
    assert.equal(snapshotDigest(after), snapshotDigest(v));
    assert.equal(after.printers?.length, 40);
  });

  it('digests the other sections page by page across a restart, counting the first of a repeated key as the agent does', async () => {
    const printers = (n: number, driver: string) => Array.from({ length: n }, (_, i) => ({ name: `printer${i}`, driver }));
    const v: Snapshot = { ...big(2 * BUDGET), printers: printers(100, 'first') };
    const [p0, p1, p2] = parts(v, 1) as Extract<Item, { kind: 'inventory.part' }>[];
    assert.equal(parts(v, 1).length, 3);
    // Part 1 repeats part 0's printers with another driver (making room by carrying fewer packages):
    // the agent's digest counts the first of each key.
    const dropped = new Set(p1!.body.software.slice(0, 101).map((p) => p.name));
    const forged = {
      ...p1!,
      body: { ...p1!.body, more: { printers: [...printers(100, 'second'), { name: 'lp' }] }, software: p1!.body.software.slice(101) },
    };
    const whole = {
      ...v,
      software: v.software.filter((p) => !dropped.has(p.name)),
      printers: [...v.printers!, ...printers(100, 'second'), { name: 'lp' }],
    };
    const digest = snapshotDigest(whole);
    const withDigest = (item: Extract<Item, { kind: 'inventory.part' }>) => ({ ...item, body: { ...item.body, digest } });
    await applyEach([withDigest(p0!), withDigest(forged)]);
    await store.close();
    store = await open();
    await applyEach([withDigest(p2!)]);
    const after = (await stored())!;
    assert.equal(snapshotDigest(after), digest);
    assert.equal(after.printers?.length, 101);
    assert.deepEqual(new Set(after.printers?.map((p) => p.driver)), new Set(['first', undefined]));
  });

  it('refuses parts whose pages take another collection past its limit', async () => {
    const v = big(BUDGET + 300);
    const [p0, p1] = parts(v, 1) as Extract<Item, { kind: 'inventory.part' }>[];
    const printers = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ name: `${tag}${i}` }));
    // Each part within the budget; together, 200 + 256 printers, past the limit of 256.
    const forged = [
      { ...p0!, body: { ...p0!.body, rest: { ...p0!.body.rest!, printers: printers(200, 'a') }, software: p0!.body.software.slice(200) } },
      { ...p1!, body: { ...p1!.body, more: { printers: printers(SNAPSHOT_LIMITS.printers, 'b') } } },
    ];
    assert.deepEqual(codes(await apply([forged[0]!])), []);
    assert.deepEqual(codes(await apply([forged[1]!])), [['E_SNAPSHOT_LIMIT', 2]]);
  });

  it('counts large entries by their text: 2,000 packages at every field limit travel in parts and no larger delta is taken', async () => {
    const long = (tag: string) => `${tag}-`.padEnd(1024, 'x');
    const large = (i: number, version: string): Software => ({
      name: long(`name-${i}`),
      version: long(version),
      publisher: long('publisher'),
      arch: long('arch'),
      source: 'windows-registry',
      scope: 'user',
      user: long('user'),
      installDate: long('date'),
    });
    const v = machine({ software: Array.from({ length: 2_000 }, (_, i) => large(i, 'v1')) });
    assert.ok(entryWeight(v.software[0]) >= 6, 'a package of ~6 KB of text weighs one unit per KiB');
    const items = parts(v, 1);
    assert.ok(items.length >= 6, `${items.length} parts`);
    for (const item of items) assert.ok(inventoryEntries(item as InventoryItem) <= BUDGET);
    await applyEach(items);
    assert.equal(snapshotDigest((await stored())!), snapshotDigest(v));
    // One delta changing all 2,000 is past the budget: refused whole, nothing changed.
    const v2 = { ...v, software: v.software.map((p, i) => large(i, 'v2')) };
    const seq = items.length + 1;
    assert.deepEqual(codes(await apply([deltaItem(seq, v, v2)])), [['E_BATCH_TOO_LARGE', seq]]);
    assert.equal(snapshotDigest((await stored())!), snapshotDigest(v));
    // A small snapshot swapped onto them: the sweeper deletes the 2,000 in steps of about a batch's
    // text (SWEEP_STEP_CHARS), not of 500 rows (3 MB), and still records every one as removed.
    await sweep();
    const small = machine({ software: [pkg('bash', '5.2')] });
    assert.deepEqual(codes(await apply([fullItem(seq + 1, small)])), []);
    const perRow = 7 * 1024;
    const steps: number[] = [];
    for (let n; (n = await store.sweepSoftware(500, clock)) > 0;) steps.push(n);
    assert.ok(Math.max(...steps) <= Math.ceil(SWEEP_STEP_CHARS / perRow) + 1, `steps of ${Math.max(...steps)} rows`);
    const removed = (await store.listChanges(deviceId, { limit: 200 }))!.filter((c) => c.seq === seq + 1).flatMap((c) => c.removed);
    assert.equal(removed.length, 2_000);
  });
});
