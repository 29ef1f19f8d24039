#!/usr/bin/env node
// The web console's data at fleet size: a store filled with N realistic devices (hostnames, service
// tags, logged-on users, IPs, ~300 packages each from a pool of ~3,000 names), filled through the
// store's own path (store.enrol, then store.applyBatch with the ingest planner and a full snapshot,
// as the gateway applies an agent's first inventory). Then each console request is answered by the
// real route modules over Fastify's inject: server time, no network. Medians over R runs.
// Run: node bench/console.mjs [devices=10000] [runs=20] [dataDir]   (TypeScript sources through tsx;
// no build needed). Filling 10,000 devices takes minutes; with a dataDir the filled store is kept
// there and reused by the next run with the same device count.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { tsImport } from 'tsx/esm/api';
import { median } from './lib/proc.mjs';

const load = (path) => tsImport(path, import.meta.url);
const { default: Fastify } = await import('fastify');
const { SqliteStore } = await load('../server/store/sqlite/sqlite-store.ts');
const { DB_FILE } = await load('../server/store/sqlite/open.ts');
const { issueEnrolmentToken } = await load('../server/store/tokens.ts');
const { hashSecret } = await load('../server/store/secrets.ts');
const { planBatch } = await load('../server/ingest/plan-batch.ts');
const { snapshotDigest } = await load('../shared/digest.ts');
const { deviceRoutes } = await load('../server/api/devices.ts');
const { softwareRoutes } = await load('../server/api/software.ts');
const { ProhibitedList } = await load('../server/desk/rules/prohibited-list.ts');

const DEVICES = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 20);
const PACKAGES_PER_DEVICE = 300;
const NAME_POOL = 3_000;
const TARGETS = { page: 150, search: 200 };

// A seeded generator: the same fleet on every run, so that figures compare across changes.
let seed = 0x2545f491;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

const SITES = ['ber', 'lon', 'nyc', 'par', 'mad', 'sfo', 'tok', 'syd', 'ams', 'zrh', 'vie', 'muc'];
const KINDS = [
  ['lt', 0.55],
  ['ws', 0.3],
  ['mac', 0.1],
  ['srv', 0.05],
];
const FIRST = [
  'anna',
  'ben',
  'carla',
  'david',
  'eva',
  'felix',
  'greta',
  'hugo',
  'ines',
  'jonas',
  'karin',
  'lukas',
  'maria',
  'nina',
  'oskar',
  'paula',
  'quentin',
  'rosa',
  'sven',
  'tina',
  'ugo',
  'vera',
  'walter',
  'xenia',
  'yann',
  'zoe',
];
const LAST = [
  'schmidt',
  'meyer',
  'dupont',
  'garcia',
  'smith',
  'jones',
  'tanaka',
  'rossi',
  'novak',
  'jansen',
  'berg',
  'keller',
  'lopez',
  'martin',
  'nowak',
  'olsen',
  'petit',
  'weber',
  'wagner',
  'fischer',
  'brown',
  'taylor',
  'moreau',
  'ricci',
  'silva',
  'kowalski',
  'horvat',
  'eriksson',
  'moller',
  'lindqvist',
];
const VENDORS = [
  'Microsoft',
  'Adobe',
  'Google',
  'Mozilla',
  'Oracle',
  'JetBrains',
  'Zoom',
  'Cisco',
  'VMware',
  'Citrix',
  'Autodesk',
  'Slack',
  'Dropbox',
  'Valve',
  'Canonical',
  null,
];
const WORDS = [
  'Office',
  'Reader',
  'Chrome',
  'Firefox',
  'Runtime',
  'Tools',
  'Client',
  'Agent',
  'SDK',
  'Studio',
  'Viewer',
  'Driver',
  'Update',
  'Helper',
  'Connect',
  'Sync',
  'Player',
  'Codec',
  'Shell',
  'Library',
];
const SERIAL = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

const pool = Array.from({ length: NAME_POOL }, (_, i) => {
  const publisher = VENDORS[i % VENDORS.length];
  const name =
    i < 400
      ? `${publisher ?? 'lib'} ${WORDS[i % WORDS.length]} ${Math.floor(i / WORDS.length)}`
      : `${pick(['lib', 'python3-', 'node-', 'gir1.2-', 'fonts-'])}${pick(WORDS).toLowerCase()}-${i}`;
  const versions = Array.from({ length: int(1, 4) }, () => `${int(1, 30)}.${int(0, 20)}.${int(0, 9)}`);
  return { name, publisher, versions };
});

function packagesFor(platform) {
  const source = platform === 'win32' ? 'registry' : platform === 'darwin' ? 'macos-app' : 'dpkg';
  // A skewed draw: low indexes (the popular packages) are on most devices, the tail on few.
  const chosen = new Set();
  while (chosen.size < PACKAGES_PER_DEVICE) chosen.add(Math.floor(NAME_POOL * rand() ** 2.2));
  return [...chosen].map((i) => {
    const p = pool[i];
    return { name: p.name, version: pick(p.versions), source, scope: 'machine', ...(p.publisher ? { publisher: p.publisher } : {}) };
  });
}

const NOW = Date.UTC(2025, 5, 1);
function deviceSnapshot(n) {
  const kind = (() => {
    let r = rand();
    for (const [k, p] of KINDS) if ((r -= p) < 0) return k;
    return 'lt';
  })();
  const site = SITES[n % SITES.length];
  const hostname = `${site}-${kind}-${String(n).padStart(5, '0')}`;
  const platform = kind === 'mac' ? 'darwin' : kind === 'srv' || rand() < 0.1 ? 'linux' : 'win32';
  const users = kind === 'srv' || rand() < 0.2 ? [] : Array.from({ length: int(1, 2) }, () => ({ name: `${pick(FIRST)}.${pick(LAST)}` }));
  const ip = `10.${SITES.indexOf(site)}.${int(0, 63)}.${int(1, 254)}`;
  const serial = Array.from({ length: 7 }, () => pick(SERIAL)).join('');
  const mac = `3c:52:82:${[n >> 16, (n >> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
  return {
    hardware: {
      manufacturer: pick(['Dell Inc.', 'HP', 'Lenovo', 'Apple Inc.']),
      model: pick(['Latitude 7440', 'EliteBook 840', 'ThinkPad T14', 'MacBook Pro']),
      serial,
      memory: { totalBytes: 16 * 2 ** 30, modules: [] },
      disks: [],
      graphics: [],
    },
    os: {
      platform,
      distro: platform === 'win32' ? 'Windows 11 Pro' : platform === 'darwin' ? 'macOS' : 'Ubuntu',
      release: platform === 'win32' ? '23H2' : platform === 'darwin' ? '14.5' : '24.04',
      arch: 'x64',
      hostname,
    },
    network: [{ name: 'eth0', mac, ipv4: [ip], ipv6: [], virtual: false }],
    users,
    software: packagesFor(platform),
  };
}

// The store's methods are synchronous under their promises, so an outer transaction (reached
// through the private handle: a bench shortcut) groups 200 devices per commit, which only saves fsyncs.
const FILL_CHUNK = 200;

async function fill(store) {
  const token = await issueEnrolmentToken(store, { expiresInMs: 10 * 365 * 86_400_000 }, 0);
  const db = store.db;
  const ids = [];
  for (let n = 0; n < DEVICES; n++) {
    if (n % FILL_CHUNK === 0) db.exec(n === 0 ? 'BEGIN' : 'COMMIT; BEGIN');
    const snapshot = deviceSnapshot(n);
    const hints = {
      installId: `bench-install-${n}`,
      hostname: snapshot.os.hostname,
      serial: snapshot.hardware.serial,
      macs: [snapshot.network[0].mac],
    };
    const enrolled = await store.enrol({
      tokenHash: hashSecret(token),
      hints,
      agentVersion: '0.1.0',
      secretHash: hashSecret(`s${n}`),
      at: 1,
    });
    if (!enrolled.ok) throw new Error('enrolment refused');
    const at = NOW - int(0, 60 * 86_400_000);
    const item = {
      seq: 1,
      at: new Date(at).toISOString(),
      kind: 'inventory.full',
      body: { trigger: 'startup', digest: snapshotDigest(snapshot), snapshot },
    };
    await store.applyBatch(enrolled.deviceId, at, (state) => planBatch(state, [item]));
    if (rand() < 0.3) await store.setOnline(enrolled.deviceId, true);
    ids.push(enrolled.deviceId);
  }
  db.exec('COMMIT');
  return ids;
}

function time(fn) {
  return async () => {
    const t0 = performance.now();
    const res = await fn();
    const ms = performance.now() - t0;
    if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body.slice(0, 200)}`);
    return { ms, body: res.json() };
  };
}

const keptDir = process.argv[4];
const dir = keptDir ?? mkdtempSync(join(tmpdir(), 'outpost-bench-console-'));
if (!keptDir) process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const reuse = keptDir !== undefined && existsSync(join(dir, DB_FILE));
const store = SqliteStore.open(dir);
let ids;
if (reuse) {
  const all = await store.listDevices({ limit: DEVICES + 1, offset: 0 });
  ids = all.items.map((d) => d.id);
  if (all.total !== DEVICES) throw new Error(`${dir} holds ${all.total} devices, not ${DEVICES}: remove it or pick another directory`);
  console.log(`reusing the ${DEVICES} devices in ${dir}`);
} else {
  const t0 = performance.now();
  ids = await fill(store);
  const fillS = (performance.now() - t0) / 1000;
  console.log(
    `filled ${DEVICES} devices x ${PACKAGES_PER_DEVICE} packages in ${fillS.toFixed(1)} s (store.enrol + store.applyBatch); database ${(statSync(join(dir, DB_FILE)).size / 2 ** 20).toFixed(0)} MB`,
  );
}

const app = Fastify({ logger: false });
deviceRoutes(app, { store, requestScan: () => false });
const prohibited = new ProhibitedList(store, () => ['*torrent*', 'Valve Tools ?']);
await prohibited.refresh();
softwareRoutes(app, { store, now: () => NOW, prohibited });
await app.ready();
const get = (url) => time(() => app.inject({ method: 'GET', url }));

// The first fleet-software read after the fill: uncached pages; the counts were kept by the fill's
// writes (migration 21), so no read recounts.
const firstRecount = await get('/api/software')();
if (!reuse)
  console.log(
    `first fleet software read after the fill (${firstRecount.body.total} names, counts kept on write): ${firstRecount.ms.toFixed(0)} ms`,
  );

const sampleUser = 'kowalski';
const cases = [
  ['devices: first page (default sort: hostname)', '/api/devices', TARGETS.page],
  ['devices: sorted by last seen', '/api/devices?sort=lastSeen', TARGETS.page],
  ['devices: sorted by user, descending', '/api/devices?sort=user&order=desc', TARGETS.page],
  ['devices: sorted by OS', '/api/devices?sort=os', TARGETS.page],
  [`devices: last page (offset ${Math.max(0, DEVICES - 50)})`, `/api/devices?offset=${Math.max(0, DEVICES - 50)}`, TARGETS.page],
  ['devices: search hostname fragment "lt-004"', '/api/devices?q=lt-004', TARGETS.search],
  [`devices: search user "${sampleUser}"`, `/api/devices?q=${sampleUser}`, TARGETS.search],
  ['devices: search IP "10.3.12."', '/api/devices?q=10.3.12.', TARGETS.search],
  ['devices: filter os=windows & online=true', '/api/devices?os=windows&online=true', TARGETS.page],
  ['devices: filter + search + sort (os=linux, q=srv, ip)', '/api/devices?os=linux&q=srv&sort=ip', TARGETS.search],
  ['software: fleet first page', '/api/software', TARGETS.page],
  ['software: search "adobe"', '/api/software?q=adobe', TARGETS.search],
  ['software: prohibited only', '/api/software?prohibited=true', TARGETS.search],
  ['software: detail of the most common package', `/api/software/detail?name=${encodeURIComponent(pool[0].name)}`, TARGETS.page],
  ['prohibited list with device counts', '/api/prohibited', TARGETS.search],
];

const rows = [];
for (const [what, url, target] of cases) {
  const run = get(url);
  await run(); // warm-up: statement preparation, page cache
  const samples = [];
  let body;
  for (let i = 0; i < RUNS; i++) ({ ms: samples[i], body } = await run());
  const total = body.total ?? body.installs?.total ?? body.items?.length;
  rows.push([what, median(samples), target, total]);
}

// Steady state under ingest: one device's inventory changed before each read, so the fleet list
// recounts the names that device touched.
{
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const id = ids[int(0, ids.length - 1)];
    const device = await store.getDevice(id);
    const software = device.snapshot.software.slice(5).concat(packagesFor(device.snapshot.os.platform).slice(0, 5));
    const snapshot = { ...device.snapshot, software };
    const item = {
      seq: 2 + i,
      at: new Date(NOW).toISOString(),
      kind: 'inventory.full',
      body: { trigger: 'software-change', digest: snapshotDigest(snapshot), snapshot },
    };
    await store.applyBatch(id, NOW, (state) => planBatch(state, [item]));
    samples.push((await get('/api/software')()).ms);
  }
  rows.push(['software: fleet first page, one device changed before each read', median(samples), TARGETS.page, '']);
}

console.log(`\nserver time (Fastify inject, real routes and SQLite store), median of ${RUNS} runs, ${DEVICES} devices:`);
console.log(`${'request'.padEnd(66)} ${'median'.padStart(9)}   target     matches`);
for (const [what, ms, target, total] of rows) {
  const verdict = ms <= target ? 'ok' : 'OVER';
  console.log(
    `${what.padEnd(66)} ${`${ms.toFixed(1)} ms`.padStart(9)}   <= ${String(target).padStart(3)} ms ${verdict.padEnd(4)} ${String(total).padStart(6)}`,
  );
}
await app.close();
await store.close();
