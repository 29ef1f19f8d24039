#!/usr/bin/env node
// Server CPU for one device's first full snapshot (~650 packages, ~100 KB, from bench/fleet's
// synthetic fleet), split into its steps as the gateway runs them: parse and validate the frame
// (JSON + the protocol's schemas), then the store's batch transaction with the ingest planner
// (normalise, digest, software rows, history). CPU time, median of 40 devices into one database.
// Run after `npm run build`: node bench/snapshot-cost.mjs
import { mkdtempSync, rmSync } from 'node:fs';
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
for (let i = 0; i < DEVICES; i++) {
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
  packages += snapshot.software.length;
  bytes += frame.length;
  const t0 = process.cpuUsage();
  const parsed = parseFrame(AgentMessages, frame);
  const t1 = process.cpuUsage();
  const res = await store.applyBatch(e.deviceId, 2, (s) => planBatch(s, parsed.message.items));
  const t2 = process.cpuUsage();
  if (res.plan.problems.length) throw new Error(JSON.stringify(res.plan.problems));
  parse.push(cpuMs(t0, t1));
  apply.push(cpuMs(t1, t2));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (what, ms) => console.log(`${what.padEnd(64)} ${ms.toFixed(2).padStart(8)} ms`);
console.log(
  `first full snapshot, ${Math.round(packages / DEVICES)} packages, ${Math.round(bytes / DEVICES / 1024)} KB (median of ${DEVICES})`,
);
row('  parse and validate the frame (JSON + schemas)', median(parse));
row('  store batch: plan, digest, rows, history', median(apply));
row('  together (target <= 10 ms; inflate and the socket come on top)', median(parse) + median(apply));
await store.close();
rmSync(dir, { recursive: true, force: true });
