#!/usr/bin/env node
// First full snapshots (~650 packages, bench/fleet's synthetic fleet) into a PostgreSQL store on the
// tests' own server (test/support/postgres.ts starts it): the store batch's wall time, median, and
// the CPU of that server's processes (the postmaster and its backends, from /proc) per snapshot,
// which is where PostgreSQL's share of a batch is spent. Linux only (reads /proc).
// TypeScript sources through tsx, no build needed: node bench/pg-snapshot-cost.mjs [devices]
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tsImport } from 'tsx/esm/api';
import { deviceModel, digestsOf, snapshotOf } from './fleet/inventory.mjs';

const load = (p) => tsImport(`../${p}`, import.meta.url);
const { freshStore, enrolInStore } = await load('test/support/stores.ts');
const { planBatch } = await load('server/ingest/plan-batch.ts');
const DEVICES = Number(process.argv[2] ?? 20);
const TICKS = 100; // USER_HZ: /proc's CPU times are in ticks of 10 ms

/** CPU ms of `root` and every process under it. */
function treeCpuMs(root) {
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(d), { ppid: Number(f[1]), ms: ((Number(f[11]) + Number(f[12])) * 1000) / TICKS });
    } catch {
      // gone since the listing
    }
  }
  let ms = procs.get(root)?.ms ?? 0;
  const todo = [root];
  while (todo.length > 0) {
    const parent = todo.pop();
    for (const [pid, p] of procs) {
      if (p.ppid !== parent) continue;
      ms += p.ms;
      todo.push(pid);
    }
  }
  return ms;
}

const under = await freshStore('postgres');
const [{ data_directory: dataDir }] = await under.sql('SHOW data_directory');
const postmaster = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
const ids = [];
for (let i = 0; i < DEVICES; i++) ids.push(await enrolInStore(under.store, `pg-snapshot-cost-${i}`, 1));
const wall = [];
const cpu0 = treeCpuMs(postmaster);
for (let i = 0; i < DEVICES; i++) {
  const model = deviceModel(1000 + i);
  const body = { trigger: 'startup', digest: digestsOf(model).digest, snapshot: snapshotOf(model) };
  const item = { seq: 1, at: new Date().toISOString(), kind: 'inventory.full', body };
  const t0 = performance.now();
  const res = await under.store.applyBatch(ids[i], 2, (s) => planBatch(s, [item]));
  wall.push(performance.now() - t0);
  if (res.plan.problems.length) throw new Error(JSON.stringify(res.plan.problems));
}
const pgMs = (treeCpuMs(postmaster) - cpu0) / DEVICES;
wall.sort((a, b) => a - b);
console.log(`first full snapshot into PostgreSQL (median of ${DEVICES} devices)`);
console.log(`  store batch, wall                      ${wall[wall.length >> 1].toFixed(1).padStart(8)} ms`);
console.log(`  PostgreSQL's processes, CPU a snapshot ${pgMs.toFixed(1).padStart(8)} ms`);
await under.dispose();
process.exit(0);
