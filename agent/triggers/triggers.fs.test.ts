// The one test on the real fs.watch: dpkg replaces its status file by rename, which a watch on the
// file itself would not survive.
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../shared/log.js';
import { DEFAULT_SETTINGS } from '../../shared/protocol.js';
import { FakeHost } from '../../test/fakes/host.js';
import { Triggers } from './triggers.js';
import type { ScanRequest } from './types.js';
import { deadline } from '../../test/support/deadline.js';

const DEBOUNCE_MS = 100;

/** Waits for a condition on the real clock; fails after `ms` rather than hanging the run. */
async function waitFor(what: string, done: () => boolean, ms = 2000): Promise<void> {
  for (const start = Date.now(); !done(); await sleep(10)) {
    if (Date.now() - start > deadline(ms)) assert.fail(`timed out waiting for ${what}`);
  }
}

describe('Triggers on the real file system', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outpost-triggers-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function replaceLikeDpkg(status: string, content: string): Promise<void> {
    await writeFile(`${status}-new`, content);
    await rename(`${status}-new`, status);
  }

  it('sees a status file replaced by rename, exactly once per replacement, and again after it', async () => {
    const status = join(dir, 'status');
    await writeFile(status, 'Package: a\n');
    const seen: ScanRequest[] = [];
    const triggers = new Triggers({
      settings: DEFAULT_SETTINGS,
      watchPaths: [status, join(dir, 'missing', 'db')],
      logonPaths: [],
      hostnamePaths: [],
      host: new FakeHost('linux'),
      log: silentLogger,
      debounceMs: DEBOUNCE_MS,
      maxDebounceMs: 2000,
      onScan: (req) => void seen.push(req),
    });
    triggers.start();
    try {
      await writeFile(join(dir, 'lock'), ''); // a neighbour changing is not a software change
      await replaceLikeDpkg(status, 'Package: a\n\nPackage: b\n');
      await waitFor('the first software change', () => seen.length >= 2);
      await sleep(DEBOUNCE_MS * 2); // and no second one for the same replacement
      assert.deepEqual(
        seen.map((s) => s.trigger),
        ['startup', 'software-change'],
      );
      assert.equal(seen[1]!.scope, 'software');

      await replaceLikeDpkg(status, 'Package: b\n');
      await waitFor('the second software change', () => seen.length >= 3);
      await sleep(DEBOUNCE_MS * 2);
      assert.deepEqual(
        seen.map((s) => s.trigger),
        ['startup', 'software-change', 'software-change'],
      );
    } finally {
      triggers.stop();
    }
    await replaceLikeDpkg(status, 'Package: c\n');
    await sleep(DEBOUNCE_MS * 2);
    assert.equal(seen.length, 3, 'nothing after stop()');
  });
});
