import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScanQueue } from './scan-queue.js';
import type { ScanRequest } from './triggers/types.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('scan queue', () => {
  it('runs one scan at a time and folds a burst into one more scan of the widest scope', async () => {
    const ran: ScanRequest[] = [];
    const first = gate();
    const queue = new ScanQueue(async (req) => {
      ran.push(req);
      if (ran.length === 1) await first.opened;
      return { changed: true };
    });
    const a = queue.request({ trigger: 'startup', scope: 'full' });
    const b = queue.request({ trigger: 'software-change', scope: 'software' });
    const c = queue.request({ trigger: 'software-change', scope: 'software' });
    const d = queue.request({ trigger: 'logon', scope: 'users' });
    first.open();
    await Promise.all([a, b, c, d]);
    assert.equal(ran.length, 2);
    assert.deepEqual(ran[1], { trigger: 'software-change', scope: 'full' }, 'software + users needs a full scan');
    await queue.idle();
  });

  it('keeps the narrow scope when only that kind of change is waiting', async () => {
    const ran: ScanRequest[] = [];
    const first = gate();
    const queue = new ScanQueue(async (req) => {
      ran.push(req);
      if (ran.length === 1) await first.opened;
      return { changed: false };
    });
    const a = queue.request({ trigger: 'refresh', scope: 'full' });
    const b = queue.request({ trigger: 'users-refresh', scope: 'users' });
    const c = queue.request({ trigger: 'logon', scope: 'users' });
    first.open();
    await Promise.all([a, b, c]);
    assert.deepEqual(
      ran.map((r) => r.scope),
      ['full', 'users'],
    );
  });

  it('reports a failed scan to its callers and keeps serving later requests', async () => {
    let calls = 0;
    const queue = new ScanQueue(async () => {
      if (++calls === 1) throw new Error('collector exploded');
      return { changed: true };
    });
    await assert.rejects(queue.request({ trigger: 'manual', scope: 'full' }), /collector exploded/);
    assert.deepEqual(await queue.request({ trigger: 'manual', scope: 'full' }), { changed: true });
  });
});
