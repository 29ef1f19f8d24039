#!/usr/bin/env node
// One hostile device against a real server: the server runs in this process (so that its event-loop
// delay can be read with perf_hooks.monitorEventLoopDelay), the device and an /api/health prober run
// as child processes. The device enrols, sends the largest full snapshot the limits allow (in parts,
// one batch each, as the agent does), then 16 MB frames of deltas past the limit and the per-batch
// entry budget (refused), a resync in parts, the largest valid deltas the budget allows, and a small
// full snapshot onto the large one (a swap; the sweeper deletes the old rows in steps). Prints the
// event-loop delay p99/max and the /api/health latency p50/p99/max.
// Run after `npm run build`: node bench/hostile.mjs
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const dist = new URL('../dist/', import.meta.url);
const role = process.argv[2];
if (role === 'probe') await probe(process.argv[3]);
else if (role === 'attack') await attack(process.argv[3], process.argv[4]);
else await main();

async function main() {
  const { OutpostServer } = await import(new URL('server/server.js', dist).href);
  const { silentLogger } = await import(new URL('shared/log.js', dist).href);
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-hostile-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const server = new OutpostServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: dir,
    adminToken: randomBytes(18).toString('base64url'),
    log: silentLogger,
  });
  const { url } = await server.start();
  const token = await server.createEnrolmentToken();

  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const prober = child(['probe', url]);
  const attacker = child(['attack', url, token]);
  const report = JSON.parse(await attacker.done);
  prober.proc.kill('SIGTERM');
  const health = JSON.parse(await prober.done);
  delay.disable();
  await server.stop();

  console.log(
    `\nOne hostile device, worst valid batches (server in this process; device and prober in their own); load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  for (const s of report.scenarios) console.log(`${s.what.padEnd(72)} ${`${s.ms.toFixed(0)} ms`.padStart(9)}   ${s.codes.join(', ')}`);
  const rows = [
    ['server event-loop delay p99 during the attack', `${(delay.percentile(99) / 1e6).toFixed(0)} ms`, '<= 100 ms'],
    ['server event-loop delay max during the attack', `${(delay.max / 1e6).toFixed(0)} ms`, ''],
    [`/api/health latency p50 (${health.n} requests)`, `${health.p50.toFixed(0)} ms`, ''],
    [`/api/health latency p99`, `${health.p99.toFixed(0)} ms`, '<= 100 ms'],
    ['/api/health latency max', `${health.max.toFixed(0)} ms`, ''],
  ];
  console.log('');
  for (const [what, value, target] of rows) console.log(`${what.padEnd(72)} ${String(value).padStart(9)}   ${target}`);
  process.exit(0);
}

function child(args) {
  const proc = spawn(process.execPath, [new URL(import.meta.url).pathname, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  const done = new Promise((resolve, reject) =>
    proc.once('exit', (code, signal) =>
      code === 0 || signal === 'SIGTERM' ? resolve(out) : reject(new Error(`${args[0]} exited ${code}`)),
    ),
  );
  return { proc, done };
}

/** Asks /api/health every 20 ms until told to stop; prints the latencies' p99 and max. */
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

async function attack(url, token) {
  const { snapshotDigest } = await import(new URL('shared/digest.js', dist).href);
  const { diffSnapshots } = await import(new URL('shared/delta.js', dist).href);
  const { snapshotParts } = await import(new URL('shared/inventory-parts.js', dist).href);
  const { normaliseSnapshot } = await import(new URL('shared/normalise.js', dist).href);
  const { PROTOCOL_VERSION, LIMITS } = await import(new URL('shared/protocol.js', dist).href);
  const { SNAPSHOT_LIMITS } = await import(new URL('shared/inventory.js', dist).href);
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/agent`, { perMessageDeflate: true, maxPayload: 64 * 1024 * 1024 });
  const waiting = [];
  const codes = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.type === 'error') codes.push(m.code);
    for (const w of waiting.splice(0)) w(m);
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

  const pkgs = (prefix, n) =>
    Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i}`, version: '1', source: 'dpkg', scope: 'machine' }));
  let snapshot = {
    hardware: { memory: { modules: [] }, disks: [], graphics: [] },
    os: { platform: 'linux', hostname: 'hostile' },
    network: [],
    users: [],
    software: pkgs('base', SNAPSHOT_LIMITS.software),
  };
  let seq = 0;
  const scenarios = [];
  const at = new Date().toISOString();
  const send = async (what, items, times) => {
    const frame = JSON.stringify({ type: 'items', items });
    if (frame.length > LIMITS.maxFrameBytes) throw new Error(`${what}: frame of ${frame.length} bytes is over the limit`);
    codes.length = 0;
    const t0 = performance.now();
    ws.send(frame);
    await next('ack');
    const ms = performance.now() - t0;
    if (times) times.push(ms);
    else scenarios.push({ what: `${what} (${(frame.length / 1e6).toFixed(1)} MB)`, ms, codes: [...new Set(codes)] });
  };

  const budget = LIMITS.maxInventoryEntriesPerBatch;
  /** Sends a full snapshot as the agent does: past the budget, one part per batch. */
  const sendFull = async (what, trigger) => {
    const parts = snapshotParts(normaliseSnapshot(snapshot), snapshotDigest(snapshot), trigger, seq + 1);
    const times = [];
    for (const body of parts) {
      await send(`${what}: part ${body.index + 1} of ${body.count}`, [{ seq: ++seq, at, kind: 'inventory.part', body }], times);
    }
    scenarios.push({ what: `${what}, ${parts.length} parts: slowest part`, ms: Math.max(...times), codes: [...new Set(codes)] });
  };

  await sendFull(`full snapshot of ${SNAPSHOT_LIMITS.software} packages`, 'startup');
  // Deltas on the server's true base that would each take the software past the limit or the
  // budget, as many as one 16 MB frame holds: all refused, nothing applied.
  const digest = snapshotDigest(snapshot);
  for (let round = 0; round < 2; round++) {
    const items = Array.from({ length: 4 }, (_, i) => ({
      seq: ++seq,
      at,
      kind: 'inventory.delta',
      body: {
        trigger: 'software-change',
        baseDigest: digest,
        digest: 'f'.repeat(64),
        delta: { software: { added: pkgs(`grow${round}-${i}`, i === 0 ? 1 : 40_000) } },
      },
    }));
    await send('1 delta past the limit + 3 of 40,000 packages past the budget (refused)', items);
  }
  await sendFull('full snapshot again (resync)', 'resync');
  // The largest valid delta: budget entries (half removed, half added), one per batch.
  for (let round = 0; round < 4; round++) {
    const nextSnapshot = { ...snapshot, software: [...snapshot.software.slice(budget / 2), ...pkgs(`swap${round}`, budget / 2)] };
    const item = {
      seq: ++seq,
      at,
      kind: 'inventory.delta',
      body: {
        trigger: 'software-change',
        baseDigest: snapshotDigest(snapshot),
        digest: snapshotDigest(nextSnapshot),
        delta: diffSnapshots(snapshot, nextSnapshot),
      },
    };
    snapshot = nextSnapshot;
    await send(`1 valid delta swapping ${budget / 2} packages`, [item]);
  }
  // A small full snapshot onto the 50,000 stored: a swap; the old rows go in the sweeper's steps.
  snapshot = { ...snapshot, software: pkgs('small', 10) };
  await send('full snapshot of 10 packages onto 50,000 stored', [
    { seq: ++seq, at, kind: 'inventory.full', body: { trigger: 'refresh', digest: snapshotDigest(snapshot), snapshot } },
  ]);
  await new Promise((r) => setTimeout(r, 3000)); // the sweeper deletes the 50,000 old rows meanwhile
  ws.close();
  process.stdout.write(JSON.stringify({ scenarios }));
  process.exit(0);
}
