#!/usr/bin/env node
// `outpost store copy` at fleet size: a SQLite store of N devices (each a ~60 KB snapshot, P software
// rows, 5 inventory changes, a ticket with a note; rows written straight into SQLite), copied by the
// real CLI (dist/, under GNU time) into a fresh database of a private PostgreSQL, `runs` times.
// Prints the median wall time, rows per second and the copy process's peak RSS: the batches are
// bounded, so the RSS stays flat as N grows. Needs `npm run build` first.
// Run: node bench/store-copy.mjs [devices=2000] [packages=650] [runs=3]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { BIN } from './lib/proc.mjs';
import { median, timedRun } from './lib/timed-run.mjs';

const load = (path) => tsImport(path, import.meta.url);
const { openDatabase } = await load('../server/store/sqlite/open.ts');
const { freshDatabase } = await load('../test/support/postgres.ts');

const DEVICES = Number(process.argv[2] ?? 2000);
const PACKAGES = Number(process.argv[3] ?? 650);
const RUNS = Number(process.argv[4] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-copy-'));

const started = Date.now();
const db = openDatabase(dir);
const snapshot = JSON.stringify({ os: { platform: 'linux' }, pad: 'x'.repeat(60_000) });
const insert = {
  device: db.prepare(
    'INSERT INTO devices (id, install_id, hostname, secret_hash, os, first_seen, last_seen, last_seq) VALUES (?, ?, ?, randomblob(32), \'{"platform":"linux"}\', 1, 2, 5)',
  ),
  snapshot: db.prepare('INSERT INTO snapshots (device_id, snapshot, updated_at) VALUES (?, ?, 2)'),
  software: db.prepare(
    "INSERT INTO software_rows (device_id, gen, item_key, name, version, publisher, arch, source, scope) VALUES (?, 0, ?, ?, ?, 'Vendor', 'amd64', 'dpkg', 'machine')",
  ),
  change: db.prepare(
    "INSERT INTO changes (device_id, at, received_at, trigger, seq, section, added, removed, changed) VALUES (?, 'x', 2, 'schedule', ?, 'software', '[{\"name\":\"curl\"}]', '[]', '[]')",
  ),
  ticket: db.prepare(
    `INSERT INTO tickets (device_id, ref, subject, description, priority, status, requester, requester_account, device, hostname,
       created_at, received_at, updated_at, public_updated_at) VALUES (?, ?, 'Printer jams', 'It jams.', 'normal', 'open', '{}', 'alice', '{}', ?, 1, 1, 1, 1)`,
  ),
  note: db.prepare(
    "INSERT INTO ticket_notes (ticket_id, note_id, author, text, visibility, from_endpoint, at) VALUES (?, ?, 'it', 'On it.', 'customer', 0, 2)",
  ),
};
for (let d = 0; d < DEVICES; d++) {
  db.transaction(() => {
    const id = `device-${d}`;
    insert.device.run(id, `install-${d}`, `pc-${d}`);
    insert.snapshot.run(id, snapshot);
    for (let p = 0; p < PACKAGES; p++) insert.software.run(id, `pkg-${p}`, `package-${p}`, `1.${(d + p) % 7}`);
    for (let s = 1; s <= 5; s++) insert.change.run(id, s);
    const ticket = insert.ticket.run(id, `ref-bench-${d}`, `pc-${d}`).lastInsertRowid;
    insert.note.run(ticket, `note-bench-${d}`);
  })();
}
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();
const rows = DEVICES * (3 + PACKAGES + 5 + 2);
const fileMB = statSync(join(dir, 'outpost.db')).size / 2 ** 20;
console.log(
  `store: ${DEVICES} devices x ${PACKAGES} packages, ~${rows} rows, ${fileMB.toFixed(0)} MB SQLite file (made in ${((Date.now() - started) / 1000).toFixed(0)} s)`,
);

const results = [];
for (let i = 0; i < RUNS; i++) {
  const url = await freshDatabase({ schema: false });
  const load1 = loadavg()[0].toFixed(1);
  const r = timedRun(process.execPath, [BIN, 'store', 'copy', '--from', dir, '--to', url]);
  if (!/every table's count matches/.test(r.stdout.toString())) throw new Error(`copy did not finish: ${r.stdout}`);
  console.log(`run ${i + 1}: ${r.wallS.toFixed(1)} s wall, ${r.cpuS.toFixed(1)} s CPU, peak RSS ${r.rssMB.toFixed(0)} MB (load ${load1})`);
  results.push(r);
}
const wall = median(results.map((r) => r.wallS));
console.log(
  `median of ${RUNS}: ${wall.toFixed(1)} s, ${Math.round(rows / wall)} rows/s, ${(fileMB / wall).toFixed(1)} MB/s, ` +
    `peak RSS ${median(results.map((r) => r.rssMB)).toFixed(0)} MB; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
rmSync(dir, { recursive: true, force: true });
process.exit(0);
