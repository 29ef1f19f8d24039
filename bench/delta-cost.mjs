#!/usr/bin/env node
// Server CPU for one one-package delta on a device with N packages: the store's batch transaction
// with the ingest planner (store.applyBatch + planBatch), as the gateway runs it, median of 20.
// TypeScript sources through tsx, no build needed: node bench/delta-cost.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { tsImport } from 'tsx/esm/api';
const load = (p) => tsImport(`../${p}`, import.meta.url);
const { SqliteStore } = await load('server/store/sqlite/sqlite-store.ts');
const { issueEnrolmentToken } = await load('server/store/tokens.ts');
const { hashSecret } = await load('server/store/secrets.ts');
const { planBatch } = await load('server/ingest/plan-batch.ts');
const { snapshotDigest } = await load('shared/digest.ts');
const { diffSnapshots } = await load('shared/delta.ts');
const { snapshotParts } = await load('shared/inventory-parts.ts');
const { normaliseSnapshot } = await load('shared/normalise.ts');
// 49,980: room for the 20 packages the runs add under SNAPSHOT_LIMITS.software (50,000).
// node bench/delta-cost.mjs [N,N...]: the device sizes (default both).
const SIZES = process.argv[2] ? process.argv[2].split(',').map(Number) : [2000, 49_980];
for (const N of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'dc-'));
  const store = SqliteStore.open(dir);
  const token = await issueEnrolmentToken(store, { expiresInMs: 1e9 }, 0);
  const e = await store.enrol({
    tokenHash: hashSecret(token),
    hints: { installId: 'bench-install-1', hostname: 'h', macs: [] },
    agentVersion: 'x',
    secretHash: hashSecret('s'),
    at: 1,
  });
  const pkgs = Array.from({ length: N }, (_, i) => ({ name: `pkg-${i}`, version: '1.0', source: 'dpkg', scope: 'machine' }));
  let snap = {
    hardware: { memory: { modules: [] }, disks: [], graphics: [] },
    os: { platform: 'linux', hostname: 'h' },
    network: [],
    users: [],
    software: pkgs,
  };
  let seq = 1;
  // A snapshot past one batch's budget travels in parts, as the agent sends it.
  const first = normaliseSnapshot(snap);
  for (const body of snapshotParts(first, snapshotDigest(first), 'startup', seq)) {
    const item = { seq: seq++, at: new Date().toISOString(), kind: 'inventory.part', body };
    const res = await store.applyBatch(e.deviceId, 1, (s) => planBatch(s, [item]));
    if (res.plan.problems.length) throw new Error(JSON.stringify(res.plan.problems));
  }
  const times = [];
  for (let r = 0; r < 20; r++) {
    const next = { ...snap, software: [...snap.software, { name: `zz-new-${r}`, version: '1', source: 'dpkg', scope: 'machine' }] };
    const item = {
      seq: seq++,
      at: new Date().toISOString(),
      kind: 'inventory.delta',
      body: {
        trigger: 'software-change',
        baseDigest: snapshotDigest(snap),
        digest: snapshotDigest(next),
        delta: diffSnapshots(snap, next),
      },
    };
    const t0 = performance.now();
    const res = await store.applyBatch(e.deviceId, 2, (s) => planBatch(s, [item]));
    times.push(performance.now() - t0);
    if (res.plan.problems.length) throw new Error(JSON.stringify(res.plan.problems));
    snap = next;
  }
  times.sort((a, b) => a - b);
  console.log(
    `${`one-package delta, device with ${N} packages (median of 20)`.padEnd(60)} ${times[10].toFixed(2).padStart(8)} ms   max ${times[19].toFixed(2)} ms   target <= 1 ms`,
  );
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
