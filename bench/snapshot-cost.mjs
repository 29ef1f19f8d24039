#!/usr/bin/env node
// Server CPU for one device's first full snapshot (~650 packages, ~100 KB, from bench/fleet's
// synthetic fleet), split into its steps as the gateway runs them: parse and validate the frame
// (JSON + the protocol's schemas), then the store's batch transaction with the ingest planner
// (normalise, digest, software rows, history). CPU time, median of 40 devices into one database.
// Run after `npm run build`: node bench/snapshot-cost.mjs
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceModel, digestsOf, snapshotOf } from './fleet/inventory.mjs';

const dist = new URL('../dist/', import.meta.url);
const load = (p) => import(new URL(p, dist).href);
const { SqliteStore } = await load('server/store/sqlite/sqlite-store.js');
const { issueEnrolmentToken } = await load('server/store/tokens.js');
const { hashSecret } = await load('server/store/secrets.js');
const { planBatch } = await load('server/ingest/plan-batch.js');
const { AgentMessages, parseFrame } = await load('shared/protocol.js');

// CPU time (user + system) of this process, not wall time: the machine is shared and loaded.
const cpuMs = (a, b) => (b.user - a.user + b.system - a.system) / 1000;
const DEVICES = Number(process.argv[2] ?? 40);
const dir = mkdtempSync(join(tmpdir(), 'snapshot-cost-'));
const store = SqliteStore.open(dir);
const token = await issueEnrolmentToken(store, { expiresInMs: 1e9 }, 0);
const parse = [];
const apply = [];
let packages = 0;
let bytes = 0;
const enrolAndFrame = async (i) => {
  const model = deviceModel(1000 + i);
  const e = await store.enrol({
    tokenHash: hashSecret(token),
    hints: { installId: `snapshot-cost-${i}`, hostname: model.rest.os.hostname, macs: [] },
    agentVersion: 'x',
    secretHash: hashSecret('s'),
    at: 1,
  });
  const snapshot = snapshotOf(model);
  const frame = JSON.stringify({
    type: 'items',
    items: [
      {
        seq: 1,
        at: new Date().toISOString(),
        kind: 'inventory.full',
        body: { trigger: 'startup', digest: digestsOf(model).digest, snapshot },
      },
    ],
  });
  return { deviceId: e.deviceId, snapshot, frame };
};
const applyFrame = async (deviceId, frame) => {
  const parsed = parseFrame(AgentMessages, frame);
  const res = await store.applyBatch(deviceId, 2, (s) => planBatch(s, parsed.message.items));
  if (res.plan.problems.length) throw new Error(JSON.stringify(res.plan.problems));
};
for (let i = 0; i < DEVICES; i++) {
  const { deviceId, snapshot, frame } = await enrolAndFrame(i);
  packages += snapshot.software.length;
  bytes += frame.length;
  const t0 = process.cpuUsage();
  const parsed = parseFrame(AgentMessages, frame);
  const t1 = process.cpuUsage();
  const res = await store.applyBatch(deviceId, 2, (s) => planBatch(s, parsed.message.items));
  const t2 = process.cpuUsage();
  if (res.plan.problems.length) throw new Error(JSON.stringify(res.plan.problems));
  parse.push(cpuMs(t0, t1));
  apply.push(cpuMs(t1, t2));
}
// The pages of one batch: its WAL frames (24-byte header, the page number first) after an empty WAL.
const db = store.db;
const pageSize = db.pragma('page_size', { simple: true });
const owner = new Map(
  db
    .prepare('SELECT pageno, name FROM dbstat')
    .all()
    .map((r) => [r.pageno, r.name]),
);
const pagesByName = new Map();
const framesPerBatch = [];
for (let i = DEVICES; i < DEVICES + 5; i++) {
  const { deviceId, frame } = await enrolAndFrame(i);
  db.pragma('wal_checkpoint(TRUNCATE)');
  await applyFrame(deviceId, frame);
  const wal = readFileSync(join(dir, 'outpost.db-wal'));
  const pages = new Set();
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) pages.add(wal.readUInt32BE(at));
  framesPerBatch.push((wal.length - 32) / (24 + pageSize));
  for (const p of pages) {
    const name = owner.get(p) ?? '(new pages)';
    pagesByName.set(name, (pagesByName.get(name) ?? 0) + 1 / 5);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (what, ms) => console.log(`${what.padEnd(64)} ${ms.toFixed(2).padStart(8)} ms`);
console.log(
  `first full snapshot, ${Math.round(packages / DEVICES)} packages, ${Math.round(bytes / DEVICES / 1024)} KB (median of ${DEVICES})`,
);
row('  parse and validate the frame (JSON + schemas)', median(parse));
row('  store batch: plan, digest, rows, history', median(apply));
row('  together (target <= 10 ms; inflate and the socket come on top)', median(parse) + median(apply));
console.log(
  `  WAL frames one more first snapshot writes (${pageSize} B pages, median of 5)`.padEnd(64) +
    `${String(median(framesPerBatch)).padStart(8)}`,
);
const stored = db.prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat WHERE name LIKE 'device_software%' GROUP BY name").all();
const perDevice = (bytes) => `${(bytes / (DEVICES + 5) / 1024).toFixed(1)} KB`;
const total = db.prepare('SELECT SUM(pgsize) AS bytes FROM dbstat').get().bytes;
console.log(`  database per device (dbstat, ${DEVICES + 5} devices)`.padEnd(64) + perDevice(total).padStart(11));
for (const r of stored) console.log(`    ${r.name.padEnd(40)} ${perDevice(r.bytes).padStart(10)}`);
console.log('  pages of that one more first snapshot, by table or index:');
for (const [name, n] of [...pagesByName].sort((a, b) => b[1] - a[1]))
  console.log(`    ${name.padEnd(40)} ${n.toFixed(1).padStart(7)} pages`);
await store.close();
rmSync(dir, { recursive: true, force: true });
