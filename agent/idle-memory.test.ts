import assert from 'node:assert/strict';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { describe, it, type TestContext } from 'node:test';
import { COMPACTOR, startHeapCompactor, tuneHeapForIdle } from './idle-memory.js';

const MB = 1024 * 1024;

/** A compactor on fake timers over a heap whose size the test sets; collecting brings it to `after`. */
function compactorOn(t: TestContext, heap: { size: number; after?: number }) {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let collections = 0;
  const stop = startHeapCompactor({
    heapBytes: () => heap.size,
    compact: () => {
      collections++;
      if (heap.after !== undefined) heap.size = heap.after;
    },
  });
  const ticks = (n: number) => t.mock.timers.tick(n * COMPACTOR.intervalMs);
  return { stop, ticks, collections: () => collections };
}

describe('the heap compactor of the idle agent', () => {
  it('collects once after start-up, then leaves an idle heap alone', (t) => {
    const heap = { size: 30 * MB, after: 20 * MB };
    const c = compactorOn(t, heap);
    c.ticks(1);
    assert.equal(c.collections(), 1);
    c.ticks(100);
    assert.equal(c.collections(), 1);
    c.stop();
  });

  it('collects again after a burst grows the heap by the threshold, not for less', (t) => {
    const heap = { size: 20 * MB };
    const c = compactorOn(t, heap);
    c.ticks(1);
    heap.size = 20 * MB + COMPACTOR.growthBytes - 1;
    c.ticks(5);
    assert.equal(c.collections(), 1);
    heap.size = 20 * MB + COMPACTOR.growthBytes;
    c.ticks(1);
    assert.equal(c.collections(), 2);
    c.ticks(5);
    assert.equal(c.collections(), 2);
    c.stop();
  });

  it('measures growth from the lowest size since it last collected, so a heap that shrank on its own is watched from there', (t) => {
    const heap = { size: 40 * MB };
    const c = compactorOn(t, heap);
    c.ticks(1);
    heap.size = 25 * MB; // V8 shrank it itself
    c.ticks(1);
    heap.size = 25 * MB + COMPACTOR.growthBytes;
    c.ticks(1);
    assert.equal(c.collections(), 2);
    c.stop();
  });

  it('looks no more once stopped', (t) => {
    const heap = { size: 20 * MB };
    const c = compactorOn(t, heap);
    c.stop();
    heap.size = 100 * MB;
    c.ticks(10);
    assert.equal(c.collections(), 0);
  });
});

describe('the idle heap settings', () => {
  it('give a full collection on demand', async () => {
    const compact = tuneHeapForIdle();
    const majors: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors.push(entry.startTime);
    });
    observer.observe({ entryTypes: ['gc'] });
    compact();
    await new Promise((r) => setTimeout(r, 50));
    observer.disconnect();
    assert.ok(majors.length >= 1, 'a major collection ran');
  });
});
