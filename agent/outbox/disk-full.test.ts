import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isOutpostError } from '../../shared/errors.js';
import { asDiskFull, isDiskFull } from './disk-full.js';

describe('a full disk under the outbox', () => {
  it("is recognised from SQLite's own error when the database cannot grow", () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-disk-full-'));
    const db = new Database(join(dir, 'full.db'));
    try {
      db.exec('CREATE TABLE t (b BLOB)');
      // max_page_count caps the file as a full disk would: SQLite answers SQLITE_FULL.
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      let caught: unknown;
      try {
        db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(64 * 1024));
      } catch (err) {
        caught = err;
      }
      assert.equal(isDiskFull(caught), true);
      const mapped = asDiskFull(caught);
      assert.ok(isOutpostError(mapped) && mapped.code === 'E_DISK_FULL', String(mapped));
      assert.deepEqual(db.prepare('SELECT count(*) AS n FROM t').get(), { n: 0 }, 'nothing half-written');
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes ENOSPC and EDQUOT from the OS too, and leaves every other error as it was', () => {
    for (const code of ['ENOSPC', 'EDQUOT']) assert.equal(isDiskFull(Object.assign(new Error(code), { code })), true);
    const other = Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' });
    assert.equal(isDiskFull(other), false);
    assert.equal(asDiskFull(other), other);
    assert.equal(isDiskFull(null), false);
  });
});
