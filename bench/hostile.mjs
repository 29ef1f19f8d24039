#!/usr/bin/env node
// One hostile device against a real server, sending the worst valid batches protocol 3 allows: every
// text field at its 1,024-character limit, every collection at its limit, every batch at the entry
// budget. The server runs in this process, so that its event loop can be watched (perf_hooks
// monitorEventLoopDelay for the p99, and a 5 ms timer that records each stall and when it ended);
// the device and an /api/health prober (a request every 20 ms) run as child processes. The device
// reports when each batch was sent and acked, so every stall is put down to the batch it happened in
// (or to the software sweeper, between batches). The device, in order:
//   - a full snapshot at every limit (50,000 packages and every other collection at its limit, a
//     full hardware section) in parts of 2,000 units (an entry weighs one unit per KiB of its text):
//     the largest parts;
//   - frames of deltas past the entry budget (~14 MB of small packages) and a delta of as many large
//     packages as the budget allows, past the snapshot limit: all refused, nothing applied;
//   - the same snapshot again in parts (a resync: the old 50,000 rows are left to the sweeper);
//   - the largest valid deltas of large packages: all changed, and half removed + half added;
//   - a full snapshot within the budget onto the 50,000 stored (the sweeper deletes those).
// Prints, per kind of batch, the slowest ack, the longest event-loop stall (with the main thread's CPU
// in it) and the most CPU its store transaction took; the longest stalls with the batches, sweeper
// steps and garbage collections in them; then the event-loop delay p99/max and the /api/health
// latency p50/p99/max over the whole attack. On a loaded machine read the CPU columns: wall times
// there include waiting for a core.
// Run after `npm run build`: node bench/hostile.mjs
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import WebSocket from 'ws';
import { worstRest } from './worst-rest.mjs';

const dist = new URL('../dist/', import.meta.url);

async function main() {
  const { OutpostServer } = await import(new URL('server/server.js', dist).href);
  const { silentLogger } = await import(new URL('shared/log.js', dist).href);
  const { SqliteStore } = await import(new URL('server/store/sqlite/sqlite-store.js', dist).href);
  const work = watchWork(SqliteStore.prototype);
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-hostile-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const server = new OutpostServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: dir,
    adminToken: randomBytes(18).toString('base64url'),
    log: silentLogger,
    // The attacker computes its next batch (digests and diffs of 50,000 large packages) for tens of
    // seconds on a loaded machine without answering pings; that is the bench's slowness, not the server's.
    heartbeatMs: 300_000,
  });
  const { url } = await server.start();
  const token = await server.createEnrolmentToken();

  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const stalls = watchStalls(20);
  const prober = child(['probe', url]);
  const attacker = child(['attack', url, token]);
  process.on('exit', () => {
    prober.proc.kill('SIGKILL');
    attacker.proc.kill('SIGKILL');
  });
  const report = JSON.parse(await attacker.done);
  await new Promise((r) => setTimeout(r, 5000)); // the sweeper finishes deleting the old rows
  prober.proc.kill('SIGTERM');
  const health = JSON.parse(await prober.done);
  delay.disable();
  stalls.stop();
  work.stop();
  await server.stop();

  // A stall belongs to the batch in flight when it ended; one outside every batch to the sweeper.
  const groups = new Map();
  const between = { what: 'between batches (the software sweeper, heartbeats)', n: 0, mb: 0, ack: 0, stall: 0, cpu: 0, codes: new Set() };
  for (const b of report.batches) {
    const g = groups.get(b.what) ?? { what: b.what, n: 0, mb: 0, ack: 0, stall: 0, cpu: 0, codes: new Set() };
    g.n++;
    g.mb = Math.max(g.mb, b.bytes / 1e6);
    g.ack = Math.max(g.ack, b.end - b.start);
    for (const c of b.codes) g.codes.add(c);
    groups.set(b.what, g);
  }
  // The store's own transaction for each batch, by when it ended (before the ack was sent).
  for (const w of work.list) {
    if (w.what !== 'batch') continue;
    const b = report.batches.find((x) => w.end >= x.start && w.end <= x.end);
    const g = b ? groups.get(b.what) : undefined;
    if (g) g.tx = Math.max(g.tx ?? 0, w.cpu);
  }
  for (const s of stalls.list) {
    const b = report.batches.find((x) => s.end >= x.start && s.end <= x.end + 5);
    const g = b ? groups.get(b.what) : between;
    g.stall = Math.max(g.stall, s.ms);
    g.cpu = Math.max(g.cpu, s.cpu);
  }

  console.log(
    `\nOne hostile device, worst valid batches (server in this process; device and prober in their own); load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  const ms = (v) => `${v.toFixed(0)} ms`.padStart(9);
  console.log(
    `${'batch'.padEnd(68)} ${'n'.padStart(3)} ${'MB'.padStart(5)} ${'ack max'.padStart(9)} ${'stall max'.padStart(9)} ${'its CPU'.padStart(9)} ${'tx CPU'.padStart(9)}   codes`,
  );
  for (const g of [...groups.values(), between]) {
    console.log(
      `${g.what.padEnd(68)} ${String(g.n || '').padStart(3)} ${(g.mb ? g.mb.toFixed(1) : '').padStart(5)} ${g.n ? ms(g.ack) : ''.padStart(9)} ${ms(g.stall)} ${ms(g.cpu)} ${g.tx === undefined ? ''.padStart(9) : ms(g.tx)}   ${[...g.codes].join(', ')}`,
    );
  }
  // What ran in the longest stalls: batches, sweeper steps and garbage collections that overlapped them.
  console.log('\nlongest stalls, with the server work and the garbage collections in them (wall ms, CPU ms):');
  for (const s of [...stalls.list].sort((a, b) => b.ms - a.ms).slice(0, 6)) {
    const from = s.end - s.ms;
    const inside = work.list.filter((w) => w.end >= from && w.end - w.ms <= s.end);
    const text = inside.map((w) => `${w.kind ?? w.what} ${w.ms.toFixed(0)}${w.cpu === undefined ? '' : `/${w.cpu}`}`).join(', ');
    console.log(`  ${s.ms.toFixed(0).padStart(5)} / ${String(s.cpu).padStart(4)}: ${text || '(nothing recorded)'}`);
  }
  const slowest = (what) => Math.max(0, ...work.list.filter((w) => w.what === what).map((w) => w.ms));
  const all = [...groups.values(), between];
  // With the SQLite store worker (server/store/sqlite/worker/) the store transactions run on their own
  // thread, so nothing of them is recorded here: bench/batch-cost.mjs measures their CPU per batch.
  const inWorker = !work.list.some((w) => w.what === 'batch');
  if (inWorker) console.log('\n(tx CPU, batch and sweeper rows: the store runs in its worker thread; see bench/batch-cost.mjs)');
  const rows = [
    ...(inWorker
      ? []
      : [
          ['slowest batch transaction (planner + store), wall', `${slowest('batch').toFixed(0)} ms`, ''],
          ['slowest sweeper step, wall', `${slowest('sweep').toFixed(0)} ms`, ''],
        ]),
    ['longest garbage-collection pause (main thread)', `${slowest('gc').toFixed(0)} ms`, ''],
    [
      'longest event-loop stall: wall / main-thread CPU in it',
      `${Math.max(...all.map((g) => g.stall)).toFixed(0)} / ${Math.max(...all.map((g) => g.cpu)).toFixed(0)} ms`,
      '<= 100 ms',
    ],
    ['server event-loop delay p99 during the attack', `${(delay.percentile(99) / 1e6).toFixed(0)} ms`, '<= 100 ms'],
    ['server event-loop delay max during the attack', `${(delay.max / 1e6).toFixed(0)} ms`, ''],
    [`/api/health latency p50 (${health.n} requests)`, `${health.p50.toFixed(0)} ms`, ''],
    [`/api/health latency p99`, `${health.p99.toFixed(0)} ms`, '<= 100 ms'],
    ['/api/health latency max', `${health.max.toFixed(0)} ms`, ''],
  ];
  console.log('');
  for (const [what, value, target] of rows) console.log(`${what.padEnd(68)} ${String(value).padStart(13)}   ${target}`);
  process.exit(0);
}

/**
 * Records every stall of the event loop longer than `thresholdMs`: when it ended, its wall time,
 * and the main thread's CPU time in it (from /proc, 10 ms ticks). On a loaded machine a stall's wall
 * time includes waiting for a core; its CPU time is what the same batch costs on an idle one.
 */
function watchStalls(thresholdMs) {
  const list = [];
  const statPath = `/proc/self/task/${process.pid}/stat`;
  const cpuMs = () => {
    const fields = readFileSync(statPath, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in ticks of 10 ms
  };
  let last = performance.now();
  let lastCpu = cpuMs();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = cpuMs();
    const ms = now - last - 5;
    if (ms > thresholdMs) list.push({ end: Date.now(), ms, cpu: cpu - lastCpu });
    last = now;
    lastCpu = cpu;
  }, 5);
  return { list, stop: () => clearInterval(timer) };
}

/**
 * Records the server's own work as it happens (wall time by Date.now, the main thread's CPU from
 * /proc): each batch transaction and sweeper step of the store, and each garbage collection over 10 ms.
 */
function watchWork(storeProto) {
  const list = [];
  const statPath = `/proc/self/task/${process.pid}/stat`;
  const cpuMs = () => {
    const fields = readFileSync(statPath, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  const wrap = (name, what) => {
    const original = storeProto[name];
    storeProto[name] = async function (...args) {
      const t0 = performance.now();
      const c0 = cpuMs();
      try {
        return await original.apply(this, args);
      } finally {
        list.push({ what, end: Date.now(), ms: performance.now() - t0, cpu: cpuMs() - c0 });
      }
    };
  };
  wrap('applyBatch', 'batch');
  wrap('sweepSoftware', 'sweep');
  const gc = new PerformanceObserver((entries) => {
    for (const e of entries.getEntries()) {
      if (e.duration < 10) continue;
      const kind = { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weak-callbacks' }[e.detail?.kind] ?? 'gc';
      list.push({ what: 'gc', kind, end: performance.timeOrigin + e.startTime + e.duration, ms: e.duration });
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return { list, stop: () => gc.disconnect() };
}

function child(args) {
  const proc = spawn(process.execPath, ['--max-old-space-size=4096', new URL(import.meta.url).pathname, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  const done = new Promise((resolve, reject) =>
    proc.once('exit', (code, signal) =>
      code === 0 || signal === 'SIGTERM' ? resolve(out) : reject(new Error(`${args[0]} exited ${code}`)),
    ),
  );
  return { proc, done };
}

/** Asks /api/health every 20 ms until told to stop; prints the latencies' p50, p99 and max. */
async function probe(url) {
  const times = [];
  let stop = false;
  process.once('SIGTERM', () => (stop = true));
  while (!stop) {
    const t0 = performance.now();
    try {
      await (await fetch(`${url}/api/health`)).text();
      times.push(performance.now() - t0);
    } catch {
      // the server is stopping
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.floor(times.length * q)] ?? 0;
  process.stdout.write(JSON.stringify({ n: times.length, p50: at(0.5), p99: at(0.99), max: times.at(-1) ?? 0 }));
  process.exit(0);
}

/** Text at its 1,024-character limit, unique by `tag`. */
const long = (tag) => `${tag}-`.padEnd(1024, 'x');

const bigPackage = (prefix, i, version = 'v1') => ({
  name: long(`${prefix}-${i}`),
  version: long(version),
  publisher: long(`publisher-${version}`),
  arch: long('arch'),
  source: 'windows-registry',
  scope: 'user',
  user: long('user'),
  installDate: long(`date-${version}`),
});

const smallPackage = (prefix, i) => ({ name: `${prefix}-${i}`, version: '1', source: 'dpkg', scope: 'machine' });

async function attack(url, token) {
  const { snapshotDigest } = await import(new URL('shared/digest.js', dist).href);
  const { diffSnapshots } = await import(new URL('shared/delta.js', dist).href);
  const { entryWeight, snapshotParts } = await import(new URL('shared/inventory-parts.js', dist).href);
  const { normaliseSnapshot } = await import(new URL('shared/normalise.js', dist).href);
  const { PROTOCOL_VERSION, LIMITS } = await import(new URL('shared/protocol.js', dist).href);
  const { SNAPSHOT_LIMITS } = await import(new URL('shared/inventory.js', dist).href);
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/agent`, { perMessageDeflate: true, maxPayload: 64 * 1024 * 1024 });
  const waiting = [];
  const codes = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.type === 'error') codes.push(m.code);
    if (m.type === 'error' && process.env.HOSTILE_VERBOSE) process.stderr.write(`${m.code}: ${m.message}\n`);
    for (const w of waiting.splice(0)) w(m);
  });
  let done = false;
  let last = 'enrol';
  ws.on('close', (code, reason) => {
    if (done) return;
    process.stderr.write(`hostile: the server closed the connection (${code} ${reason}) after: ${last}; errors: ${codes.join(', ')}\n`);
    process.exit(1);
  });
  await new Promise((r) => ws.once('open', r));
  const next = (type) =>
    new Promise((resolve) => {
      const check = (m) => (m.type === type ? resolve(m) : waiting.push(check));
      waiting.push(check);
    });
  ws.send(
    JSON.stringify({
      type: 'enrol',
      protocol: PROTOCOL_VERSION,
      agentVersion: 'bench',
      token,
      hints: { installId: 'bench-hostile-0001', hostname: 'hostile', macs: [] },
    }),
  );
  await next('welcome');

  // As many of the largest packages as one batch may carry (an entry weighs one unit per KiB of text).
  const most = Math.floor(LIMITS.maxInventoryEntriesPerBatch / entryWeight(bigPackage('base', 0, 'v9')));
  const fit = Math.floor(most / 2) * 2;
  let snapshot = normaliseSnapshot({
    ...worstRest(SNAPSHOT_LIMITS),
    software: Array.from({ length: SNAPSHOT_LIMITS.software }, (_, i) => bigPackage('base', i)),
  });
  let seq = 0;
  const batches = [];
  const at = new Date().toISOString();
  const send = async (what, items) => {
    const frame = JSON.stringify({ type: 'items', items });
    if (frame.length > LIMITS.maxFrameBytes) throw new Error(`${what}: frame of ${frame.length} bytes is over the limit`);
    codes.length = 0;
    last = what;
    const start = Date.now();
    ws.send(frame);
    const stuck = setTimeout(() => {
      process.stderr.write(`hostile: no ack in 120 s for: ${what}; errors: ${codes.join(', ')}\n`);
      process.exit(1);
    }, 120_000);
    await next('ack');
    clearTimeout(stuck);
    if (process.env.HOSTILE_VERBOSE) process.stderr.write(`${what}: ${Date.now() - start} ms ${codes.join(', ')}\n`);
    batches.push({ what, bytes: frame.length, start, end: Date.now(), codes: [...new Set(codes)] });
  };
  const delta = (baseDigest, digest, d) => ({
    seq: ++seq,
    at,
    kind: 'inventory.delta',
    body: { trigger: 'software-change', baseDigest, digest, delta: d },
  });

  /** A full snapshot as the agent sends it past the budget: one part per batch. */
  const sendFull = async (what, trigger) => {
    for (const body of snapshotParts(snapshot, snapshotDigest(snapshot), trigger, seq + 1)) {
      await send(what, [{ seq: ++seq, at, kind: 'inventory.part', body }]);
    }
  };

  await sendFull('full snapshot at every limit, in parts (largest parts)', 'startup');
  const digest = snapshotDigest(snapshot);
  for (let round = 0; round < 3; round++) {
    const items = Array.from({ length: 4 }, (_, i) =>
      delta(digest, 'f'.repeat(64), {
        software: { added: Array.from({ length: 48_000 }, (_, j) => smallPackage(`grow${round}-${i}`, j)) },
      }),
    );
    await send('4 deltas of 48,000 small packages each, past the budget (refused)', items);
    await send(`1 delta of ${fit} large packages past the snapshot limit (refused)`, [
      delta(digest, 'f'.repeat(64), { software: { added: Array.from({ length: fit }, (_, j) => bigPackage(`over${round}`, j)) } }),
    ]);
  }
  await sendFull('the same snapshot again, in parts (a resync)', 'resync');
  // The largest valid deltas, one per batch, while the sweeper deletes the first generation.
  for (let round = 0; round < 3; round++) {
    const changed = {
      ...snapshot,
      software: snapshot.software.map((p, i) => (i < fit ? { ...p, ...bigPackage('base', i, `v${round + 2}`), name: p.name } : p)),
    };
    await send(`1 delta changing ${fit} large packages`, [
      delta(snapshotDigest(snapshot), snapshotDigest(changed), diffSnapshots(snapshot, changed)),
    ]);
    snapshot = changed;
    const swapped = normaliseSnapshot({
      ...snapshot,
      software: [...snapshot.software.slice(fit / 2), ...Array.from({ length: fit / 2 }, (_, i) => bigPackage(`swap${round}`, i))],
    });
    await send(`1 delta removing ${fit / 2} and adding ${fit / 2} large packages`, [
      delta(snapshotDigest(snapshot), snapshotDigest(swapped), diffSnapshots(snapshot, swapped)),
    ]);
    snapshot = swapped;
  }
  // A full snapshot within the budget onto the 50,000 stored: a swap; the old rows go in the sweeper's steps.
  snapshot = normaliseSnapshot({
    ...snapshot,
    ...Object.fromEntries(['network', 'users', 'volumes', 'monitors', 'printers', 'accounts', 'groups'].map((c) => [c, []])),
    software: Array.from({ length: fit }, (_, i) => bigPackage('small', i)),
  });
  await send(`full snapshot of ${fit} large packages onto 50,000 stored`, [
    { seq: ++seq, at, kind: 'inventory.full', body: { trigger: 'refresh', digest: snapshotDigest(snapshot), snapshot } },
  ]);
  done = true;
  ws.close();
  process.stdout.write(JSON.stringify({ batches }));
  process.exit(0);
}

// After every declaration above: the roles use the helpers defined with const.
const role = process.argv[2];
if (role === 'probe') await probe(process.argv[3]);
else if (role === 'attack') await attack(process.argv[3], process.argv[4]);
else await main();
