import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rateFile } from './reconnect-rate-file.js';
import { MAX_RATE } from './reconnect-window.js';

describe('the reconnect rate kept across restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-rate-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what it wrote, as a whole number of welcomes a busy second', () => {
    const file = rateFile(join(dir, 'rate.json'));
    assert.equal(file.read(), undefined, 'no file yet: the prior');
    file.write(812.4);
    assert.equal(file.read(), 812);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'rate.json'), 'utf8')), { welcomesPerBusySecond: 812 });
  });

  it('treats a corrupt, foreign or implausible file as no file, never as an error', () => {
    const path = join(dir, 'bad.json');
    const file = rateFile(path);
    for (const text of [
      '{"welcomesPerBusySecond": 8',
      '[]',
      '{"welcomesPerBusySecond": "fast"}',
      `{"welcomesPerBusySecond": ${MAX_RATE * 10}}`,
      '{"welcomesPerBusySecond": 500, "x": 1}',
    ]) {
      writeFileSync(path, text);
      assert.equal(file.read(), undefined, text);
    }
  });
});
