#!/usr/bin/env node
// The server's own work per batch, without the network, the frame parsing or anyone else's garbage:
// the planner and the store's transaction (what runs on the event loop for one batch), in CPU time,
// for the largest valid batches of protocol 3 with every package text at its 1,024-character limit.
// A full snapshot of N such packages in parts, the sweeper's steps after it, deltas at the budget, a
// full snapshot within the budget swapped onto the N stored and the sweeper's steps after that.
// With `rest`, the snapshot also carries every other section at its limits (bench/worst-rest.mjs), as
// bench/hostile.mjs sends it, and the parts carrying pages of them are shown apart.
// Run after `npm run build`: node bench/batch-cost.mjs [packages=20000] [rest]
// (OUTPOST_BENCH_DIST=/path/to/other/dist/ measures another build, e.g. main's, in the same minutes.)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL(process.env.OUTPOST_BENCH_DIST ?? '../dist/', import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const { SqliteStore } = await load('server/store/sqlite/sqlite-store.js');
const { planBatch } = await load('server/ingest/plan-batch.js');
const { hashSecret } = await load('server/store/secrets.js');
const { issueEnrolmentToken } = await load('server/store/tokens.js');
const { SWEEP_STEP_ROWS } = await load('server/ingest/software-sweeper.js');
const { entryWeight, snapshotParts } = await load('shared/inventory-parts.js');
const { snapshotDigest } = await load('shared/digest.js');
const { diffSnapshots } = await load('shared/delta.js');
const { normaliseSnapshot } = await load('shared/normalise.js');
const { LIMITS } = await load('shared/protocol.js');
const { SNAPSHOT_LIMITS } = await load('shared/inventory.js');
const { worstRest } = await import('./worst-rest.mjs');

const packages = Number(process.argv[2] ?? 20_000);
const withRest = process.argv[3] === 'rest';
const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-batch-cost-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const store = SqliteStore.open(dir);
const token = await issueEnrolmentToken(store, {}, 1);
const enrolled = await store.enrol({
  tokenHash: hashSecret(token),
  hints: { installId: 'bench-batch-cost', hostname: 'cost', macs: [] },
  agentVersion: 'bench',
  secretHash: hashSecret('bench-batch-cost-secret'),
  at: 1,
});
const deviceId = enrolled.deviceId;

const long = (tag) => `${tag}-`.padEnd(1024, 'x');
const large = (prefix, i, version = 'v1') => ({
  name: long(`${prefix}-${i}`),
  version: long(version),
  publisher: long('publisher'),
  arch: long('arch'),
  source: 'windows-registry',
  scope: 'user',
  user: long('user'),
  installDate: long('date'),
});
const rest = withRest
  ? worstRest(SNAPSHOT_LIMITS)
  : { hardware: { memory: { modules: [] }, disks: [], graphics: [] }, os: { platform: 'linux', hostname: 'cost' }, network: [], users: [] };
const machine = (software) => normaliseSnapshot({ ...rest, software });

/** Main-thread CPU (this process is single-threaded here) of one call, in ms. */
async function cpu(run) {
  const before = process.cpuUsage();
  await run();
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}
let seq = 0;
const at = new Date().toISOString();
const apply = async (items) => {
  let applied;
  const ms = await cpu(async () => (applied = await store.applyBatch(deviceId, Date.now(), (state) => planBatch(state, items))));
  // A refused batch would measure nothing: the bench's batches are all valid.
  if (applied.plan.problems.length) throw new Error(`refused: ${applied.plan.problems.map((p) => p.code).join(', ')}`);
  return ms;
};
async function sweep() {
  const times = [];
  for (;;) {
    let n = 0;
    const ms = await cpu(async () => (n = await store.sweepSoftware(SWEEP_STEP_ROWS, Date.now())));
    if (n === 0) return times;
    times.push(ms);
  }
}
const summary = (times) => {
  if (times.length === 0) return 'none';
  const sorted = [...times].sort((a, b) => a - b);
  return `${times.length} batches, median ${sorted[sorted.length >> 1].toFixed(0)} ms, slowest ${sorted.at(-1).toFixed(0)} ms`;
};
const row = (what, times) => console.log(`${what.padEnd(64)} ${summary(times)}`);

const fit = Math.floor(LIMITS.maxInventoryEntriesPerBatch / entryWeight(large('x', 0)) / 2) * 2;
console.log(
  `\nServer CPU per batch (planner + store transaction), packages of ~6 KB of text, ${fit} per batch at the budget; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);
let snapshot = machine(Array.from({ length: packages }, (_, i) => large('base', i)));
const parts = [];
const paged = [];
const bodies = snapshotParts(snapshot, snapshotDigest(snapshot), 'startup', seq + 1);
for (const [i, body] of bodies.entries()) {
  const ms = await apply([{ seq: ++seq, at, kind: 'inventory.part', body }]);
  if (i === bodies.length - 1) row('its last part (the swap)', [ms]);
  else (body.rest || body.more ? paged : parts).push(ms);
}
if (paged.length) row('its parts carrying a page of the other sections', paged);
row(`its other parts (${packages} packages${withRest ? ', other sections at every limit' : ''})`, parts);
row('sweeper steps after it', await sweep());
const deltas = [];
for (let round = 0; round < 5; round++) {
  const next = { ...snapshot, software: snapshot.software.map((p, i) => (i < fit ? { ...p, version: long(`v${round + 2}`) } : p)) };
  const item = {
    seq: ++seq,
    at,
    kind: 'inventory.delta',
    body: {
      trigger: 'software-change',
      baseDigest: snapshotDigest(snapshot),
      digest: snapshotDigest(next),
      delta: diffSnapshots(snapshot, next),
    },
  };
  deltas.push(await apply([item]));
  snapshot = next;
}
row(`delta changing ${fit} packages`, deltas);
// A full snapshot within the budget sent as one item onto the N stored (a swap), as bench/hostile.mjs
// ends: its other collections empty, its object sections kept (with `rest` a 3 MB hardware section, so
// a ~4 MB item). Three times, the N stored again before each, for a median.
const swaps = [];
const afterSwaps = [];
for (let round = 0; round < 3; round++) {
  if (round > 0) {
    snapshot = machine(Array.from({ length: packages }, (_, i) => large(`again${round}`, i)));
    for (const body of snapshotParts(snapshot, snapshotDigest(snapshot), 'startup', seq + 1)) {
      await apply([{ seq: ++seq, at, kind: 'inventory.part', body }]);
    }
    await sweep();
  }
  const small = normaliseSnapshot({
    ...snapshot,
    ...Object.fromEntries(['network', 'users', 'volumes', 'monitors', 'printers', 'accounts', 'groups'].map((c) => [c, []])),
    software: Array.from({ length: fit }, (_, i) => large(`small${round}`, i)),
  });
  swaps.push(
    await apply([{ seq: ++seq, at, kind: 'inventory.full', body: { trigger: 'refresh', digest: snapshotDigest(small), snapshot: small } }]),
  );
  afterSwaps.push(...(await sweep()));
}
row(`full snapshot of ${fit} as one item onto the ${packages} stored (a swap)`, swaps);
row('sweeper steps after it', afterSwaps);
await store.close();
console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
