#!/usr/bin/env node
// A device's logbook and ticket list at fleet size: a store with N devices, each with 20 inventory
// changes (20 packages each), 3 tickets and their desk jobs, plus one busy device with 5,000 changes
// and 300 tickets (rows written straight into SQLite: what is measured is the reading). Prints the
// median store time of a logbook page (busy device first page and a deep page, a typical device) and
// of the busy device's ticket list.
// Run: node bench/logbook.mjs [devices=10000] [runs=20]   (TypeScript sources through tsx)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { tsImport } from 'tsx/esm/api';
import { median } from './lib/proc.mjs';

const load = (path) => tsImport(path, import.meta.url);
const { openDatabase } = await load('../server/store/sqlite/open.ts');
const { SqliteDeskStore } = await load('../server/store/sqlite/desk-store.ts');
const { SqliteDeviceWork } = await load('../server/store/sqlite/device-work.ts');

const DEVICES = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-logbook-'));
const db = openDatabase(dir);

const device = db.prepare(
  `INSERT INTO devices (id, install_id, hostname, secret_hash, os, first_seen, last_seen, digest, last_seq) VALUES (?, ?, ?, x'00', '{}', 1, 2, NULL, 0)`,
);
const change = db.prepare(
  `INSERT INTO changes (device_id, at, received_at, trigger, seq, section, added, removed, changed) VALUES (?, 'x', ?, 'schedule', 1, 'software', ?, '[]', '[]')`,
);
const ticket = db.prepare(
  `INSERT INTO tickets (device_id, ref, subject, description, priority, status, requester, requester_account, device, hostname, created_at, received_at, updated_at, public_updated_at)
   VALUES (?, ?, 'Printer jams', 'Every second page.', 'normal', 'new', '{}', 'alice', '{}', 'pc', ?, ?, ?, ?)`,
);
const job = db.prepare(
  `INSERT INTO desk_jobs (kind, key, payload, state, next_at, created_at, updated_at) VALUES (?, ?, ?, 'done', 0, ?, ?)`,
);
const added = JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ name: `pkg${i}`, version: '1.0' })));

db.transaction(() => {
  for (let d = 0; d < DEVICES; d++) {
    const id = `dev-${d}`;
    device.run(id, `install-${d}`, `pc-${d}`);
    const busy = d === 0;
    for (let c = 0; c < (busy ? 5000 : 20); c++) change.run(id, c * 1000, added);
    job.run('asset', `asset:${id}`, JSON.stringify({ deviceId: id }), d, d);
    for (let t = 0; t < (busy ? 300 : 3); t++) {
      const at = t * 997;
      const ticketId = Number(ticket.run(id, `ref-${d}-${t}`, at, at, at, at).lastInsertRowid);
      job.run('ticket.create', `ticket:${id}:${t}`, JSON.stringify({ deviceId: id, ref: `ref-${d}-${t}` }), at, at);
      job.run('ticket.status', `status:${ticketId}:x`, JSON.stringify({ ticketId, changeId: 'x' }), at + 1, at + 1);
    }
  }
})();

const work = new SqliteDeviceWork(db, new SqliteDeskStore(db));
async function time(fn) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    runs.push(performance.now() - t);
  }
  return median(runs).toFixed(1);
}

const jobs = db.prepare('SELECT count(*) FROM desk_jobs').pluck().get();
console.log(`${DEVICES} devices, ${jobs} desk jobs; median of ${RUNS}, store time in ms`);
console.log(
  `logbook, busy device (5,000 changes, 300 tickets), first page of 25: ${await time(() => work.logbook('dev-0', { limit: 25 }))}`,
);
console.log(
  `logbook, busy device, a deep page: ${await time(() => work.logbook('dev-0', { limit: 25, before: { at: 100_000, kind: 'inventory', id: 1 } }))}`,
);
console.log(
  `logbook, typical device, first page of 25: ${await time(() => work.logbook(`dev-${Math.floor(DEVICES / 2)}`, { limit: 25 }))}`,
);
console.log(`ticket list, busy device (300 tickets): ${await time(() => work.deviceTickets('dev-0', 500))}`);
db.close();
rmSync(dir, { recursive: true, force: true });
