#!/usr/bin/env node
// Where a fleet device's first snapshot and a one-package delta cost the server CPU, and where its
// bytes go in SQLite: N devices of bench/fleet's synthetic fleet (~680 packages each) ingested
// through the store's batch as the gateway runs it (parse + store.applyBatch with the planner), then
// one one-package delta each; CPU time (median), then the database's bytes per device by table and
// index (sqlite's dbstat), after the sweeper has run dry.
// Run after `npm run build`: node bench/software-cost.mjs [devices=200]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { deviceModel, digestsOf, snapshotOf, upgradeOne, rng } from './fleet/inventory.mjs';

const dist = new URL('../dist/', import.meta.url);
const load = (p) => import(new URL(p, dist).href);
const { SqliteStore } = await load('server/store/sqlite/sqlite-store.js');
const { issueEnrolmentToken } = await load('server/store/tokens.js');
const { hashSecret } = await load('server/store/secrets.js');
const { planBatch } = await load('server/ingest/plan-batch.js');
const { AgentMessages, parseFrame } = await load('shared/protocol.js');

const cpuMs = (a, b) => (b.user - a.user + b.system - a.system) / 1000;
const DEVICES = Number(process.argv[2] ?? 200);
const dir = mkdtempSync(join(tmpdir(), 'software-cost-'));
const store = SqliteStore.open(dir);
const token = await issueEnrolmentToken(store, { expiresInMs: 1e9 }, 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load1 = () => loadavg()[0].toFixed(1);
console.log(`load average at start ${load1()}`);

const devices = [];
const full = { parse: [], apply: [] };
let packages = 0;
for (let i = 0; i < DEVICES; i++) {
  const model = deviceModel(1000 + i);
  const e = await store.enrol({
    tokenHash: hashSecret(token),
    hints: { installId: `software-cost-${i}`, hostname: model.rest.os.hostname, macs: [] },
    agentVersion: 'x',
    secretHash: hashSecret('s'),
    at: 1,
  });
  const state = digestsOf(model);
  const snapshot = snapshotOf(model);
  packages += snapshot.software.length;
  const item = {
    seq: 1,
    at: new Date().toISOString(),
    kind: 'inventory.full',
    body: { trigger: 'startup', digest: state.digest, snapshot },
  };
  await timed(full, e.deviceId, item);
  devices.push({ id: e.deviceId, model, state, seq: 1 });
}
const delta = { parse: [], apply: [] };
const random = rng(42);
for (const d of devices) {
  const { delta: body, digests, digest } = upgradeOne(d.model, d.state, random);
  const item = {
    seq: ++d.seq,
    at: new Date().toISOString(),
    kind: 'inventory.delta',
    body: { trigger: 'software-change', baseDigest: d.state.digest, digest, delta: body },
  };
  d.state = { digests, digest };
  await timed(delta, d.id, item);
}
while ((await store.sweepSoftware(500, 3)) > 0);
await store.close();

const row = (what, v) => console.log(`${what.padEnd(60)} ${v}`);
console.log(`${DEVICES} devices, ${Math.round(packages / DEVICES)} packages on average; CPU medians`);
row('  first full snapshot: parse and validate the frame', `${median(full.parse).toFixed(2)} ms`);
row('  first full snapshot: store batch (plan, digest, rows, history)', `${median(full.apply).toFixed(2)} ms`);
row('  one-package delta: parse', `${median(delta.parse).toFixed(2)} ms`);
row('  one-package delta: store batch', `${median(delta.apply).toFixed(2)} ms`);

const db = new Database(join(dir, 'outpost.db'), { readonly: true });
const pageSize = db.pragma('page_size', { simple: true });
const pages = db.pragma('page_count', { simple: true });
row('  database per device (page_count x page_size)', `${((pages * pageSize) / 1024 / DEVICES).toFixed(1)} KB`);
const byName = db.prepare('SELECT name, SUM(pgsize) AS bytes, SUM(payload) AS payload FROM dbstat GROUP BY name ORDER BY bytes DESC').all();
for (const t of byName.slice(0, 12)) {
  row(`    ${t.name}`, `${(t.bytes / 1024 / DEVICES).toFixed(1)} KB (payload ${(t.payload / 1024 / DEVICES).toFixed(1)} KB)`);
}
db.close();
console.log(`load average at end ${load1()}`);
if (process.env.KEEP) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });

async function timed(into, deviceId, item) {
  const frame = JSON.stringify({ type: 'items', items: [item] });
  const t0 = process.cpuUsage();
  const parsed = parseFrame(AgentMessages, frame);
  const t1 = process.cpuUsage();
  const res = await store.applyBatch(deviceId, 2, (s) => planBatch(s, parsed.message.items));
  const t2 = process.cpuUsage();
  if (res.plan.problems.length) throw new Error(JSON.stringify(res.plan.problems));
  into.parse.push(cpuMs(t0, t1));
  into.apply.push(cpuMs(t1, t2));
}
