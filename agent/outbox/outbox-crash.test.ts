import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { applyDelta } from '../../shared/delta.js';
import { snapshotDigest } from '../../shared/digest.js';
import type { Snapshot } from '../../shared/inventory.js';
import { silentLogger } from '../../shared/log.js';
import { Outbox } from './outbox.js';

const child = join(import.meta.dirname, '../../test/support/outbox-crash-child.ts');

/** Runs the child until it has reported `commits` commits, then SIGKILLs it mid-stream. */
async function runAndKill(path: string, firstRound: number, commits: number): Promise<{ seq: number; digest: string }[]> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, path, String(firstRound)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const reported: { seq: number; digest: string }[] = [];
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
  for await (const line of createInterface({ input: proc.stdout })) {
    const [seq, digest] = line.split(' ');
    reported.push({ seq: Number(seq), digest: digest ?? '' });
    if (reported.length === commits) proc.kill('SIGKILL');
  }
  assert.equal(await exited, 'SIGKILL');
  return reported;
}

describe('Outbox after kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-crash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every committed item and a baseline that matches the last one', async () => {
    const path = join(dir, 'outbox.db');
    const reported = [...(await runAndKill(path, 0, 25)), ...(await runAndKill(path, 1000, 25))];

    const outbox = new Outbox({ path, log: silentLogger, maxInventoryBacklog: 1_000_000 });
    outbox.start();
    try {
      const items = outbox.peek(0, 10_000);
      const seqs = new Set(items.map((i) => i.seq));
      for (const r of reported) assert.ok(seqs.has(r.seq), `committed item ${r.seq} is missing`);
      assert.deepEqual(
        items.map((i) => i.seq),
        items.map((_, n) => n + 1),
        'seqs are gapless from 1',
      );

      // Replay the queue as the server would: every delta applies to the previous state.
      let copy: Snapshot | undefined;
      for (const item of items) {
        if (item.kind === 'inventory.full') copy = item.body.snapshot;
        else if (item.kind === 'inventory.delta') {
          assert.equal(item.body.baseDigest, snapshotDigest(copy!), `item ${item.seq} does not follow its predecessor`);
          copy = applyDelta(copy!, item.body.delta).snapshot;
        } else continue;
        assert.equal(snapshotDigest(copy), item.body.digest);
      }
      const baseline = outbox.baseline();
      const last = items.at(-1);
      assert.ok(last?.kind === 'inventory.full' || last?.kind === 'inventory.delta', 'only inventory items were recorded');
      assert.equal(baseline?.digest, last.body.digest);
      assert.equal(snapshotDigest(baseline.snapshot), baseline.digest);
    } finally {
      outbox.stop();
    }
  });
});
