// The SQLite software rows with the identities kept in memory: what is written reads back as it was,
// devices share a package's identity, a delta's version takes the key's place, and ids made in a
// transaction that rolled back are never written again once forgotten.
import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import type { Software } from '../../../shared/inventory.js';
import { sortedSoftware } from './batch.js';
import { openDatabase } from './open.js';
import { createSoftwareRows, type SoftwareRows } from './software-rows.js';

let dir: string;
let db: Database.Database;
let rows: SoftwareRows;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outpost-software-rows-'));
  db = openDatabase(dir);
  for (const id of ['d1', 'd2']) {
    db.prepare(`INSERT INTO devices (id, install_id, hostname, secret_hash, first_seen, last_seen) VALUES (?, ?, ?, x'00', 1, 1)`).run(
      id,
      `i-${id}`,
      id,
    );
  }
  rows = createSoftwareRows(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const pkg = (name: string, version?: string, more: Partial<Software> = {}): Software => ({
  name,
  source: 'dpkg',
  scope: 'machine',
  ...(version === undefined ? {} : { version }),
  ...more,
});
const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

it('reads a snapshot back as it was written, every field, whatever order the keys were made in', () => {
  // Keys made in an order unlike the item keys' order: ids and item keys sort differently.
  rows.write('d2', 1, [pkg('zsh', '5.9'), pkg('bash', '5.1')], 'replace');
  const items = [
    pkg('bash', '5.2', { publisher: 'Debian', arch: 'amd64', installDate: '2026-01-02' }),
    pkg('firefox', undefined, { source: 'snap', scope: 'user', user: 'ann' }),
    pkg('zsh', '5.9'),
    pkg('curl', '8.0', { publisher: 'Debian' }),
  ];
  rows.write('d1', 3, items, 'replace');
  assert.deepEqual(sortedSoftware(rows.all('d1', 3)), sortedSoftware(items.map(toRow)));
  assert.deepEqual(rows.all('d1', 2), [], 'another generation holds nothing');
  assert.equal(rows.byKey('d1', 3, 'snap\tfirefox\t\tuser\tann')?.user_name, 'ann');
});

it('stores a package the fleet shares once, and a delta moves the key to its new version', () => {
  rows.write('d1', 1, [pkg('bash', '5.2'), pkg('zsh', '5.9')], 'replace');
  rows.write('d2', 1, [pkg('bash', '5.2')], 'replace');
  assert.equal(count('software_keys'), 2);
  assert.equal(count('software_packages'), 2);
  rows.write('d1', 1, [pkg('bash', '5.3')], 'replace');
  assert.equal(rows.byKey('d1', 1, 'dpkg\tbash\t\tmachine\t')?.version, '5.3');
  assert.equal(rows.byKey('d2', 1, 'dpkg\tbash\t\tmachine\t')?.version, '5.2', 'the other device keeps its version');
  assert.equal(rows.all('d1', 1).length, 2);
  // Back to a version seen before: its identity again, not a new one.
  rows.write('d1', 1, [pkg('bash', '5.2')], 'replace');
  assert.equal(count('software_packages'), 3);
});

it('keeps the row already there when a part is sent again', () => {
  rows.write('d1', 1, [pkg('bash', '5.2')], 'keep');
  rows.write('d1', 1, [pkg('bash', '9.9')], 'keep');
  assert.equal(rows.byKey('d1', 1, 'dpkg\tbash\t\tmachine\t')?.version, '5.2');
});

it('never writes an id whose identity a rollback took away, once told to forget', () => {
  rows.write('d1', 1, [pkg('bash', '5.2')], 'replace');
  assert.throws(() =>
    db.transaction(() => {
      rows.write('d1', 1, [pkg('vim', '9.1'), pkg('bash', '5.3')], 'replace');
      throw new Error('the plan failed');
    })(),
  );
  rows.forget();
  rows.write('d2', 1, [pkg('vim', '9.1'), pkg('bash', '5.3'), pkg('bash', '5.2', { arch: 'arm64' })], 'replace');
  const dangling = db
    .prepare(
      `SELECT COUNT(*) AS n FROM device_software r
       WHERE NOT EXISTS (SELECT 1 FROM software_keys k WHERE k.id = r.key_id)
          OR NOT EXISTS (SELECT 1 FROM software_packages p WHERE p.id = r.package_id AND p.key_id = r.key_id)`,
    )
    .get() as { n: number };
  assert.equal(dangling.n, 0);
  assert.deepEqual(
    sortedSoftware(rows.all('d2', 1)).map((s) => `${s.name}:${s.version}:${s.arch ?? ''}`),
    ['bash:5.3:', 'bash:5.2:arm64', 'vim:9.1:'],
  );
});

function toRow(s: Software) {
  return {
    name: s.name,
    version: s.version ?? null,
    publisher: s.publisher ?? null,
    arch: s.arch ?? null,
    source: s.source,
    scope: s.scope,
    user_name: s.user ?? null,
    install_date: s.installDate ?? null,
  };
}

it('keeps one identity per version of a key reported at more versions than it remembers, each row reading back its own', () => {
  // 100 versions of one key, each twice (two devices): past what a key keeps in memory, the index answers.
  for (const device of ['d1', 'd2']) for (let v = 0; v < 100; v++) rows.write(device, v + 1, [pkg('bash', `5.${v}`)], 'replace');
  assert.equal(count('software_packages'), 100);
  for (const v of [0, 31, 32, 99]) assert.equal(rows.all('d2', v + 1)[0]?.version, `5.${v}`);
});
