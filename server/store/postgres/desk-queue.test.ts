// The desk job queue shared by several server processes on one PostgreSQL database: each due job is
// taken by exactly one of them, and a job whose process died comes back when its lease ends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { freshDatabase } from '../../../test/support/postgres.js';
import { createPool } from './open.js';
import { createPgDeskStore, DESK_JOB_LEASE_MS, type PgDeskStore } from './desk-store.js';

describe('PostgreSQL desk queue across processes', () => {
  let pools: pg.Pool[];
  let processes: PgDeskStore[];
  before(async () => {
    const url = await freshDatabase();
    // One pool per "process", each with several connections, as each server process has.
    pools = [createPool(url, 4), createPool(url, 4), createPool(url, 4)];
    processes = pools.map((p) => createPgDeskStore(p));
  });
  after(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  it('hands each due job to exactly one of three processes draining at once', async () => {
    const [first] = processes;
    for (let i = 0; i < 60; i++) await first!.enqueue({ kind: 'asset', key: `asset:dev-${i}`, payload: { deviceId: `dev-${i}` } }, 1_000);
    const taken: number[][] = processes.map(() => []);
    // Each process runs two workers, like two ticks of its engine overlapping.
    await Promise.all(
      processes.flatMap((store, p) =>
        [0, 1].map(async () => {
          for (;;) {
            const job = await store.nextDue(2_000);
            if (!job) return;
            taken[p]!.push(job.id);
            await store.beginAttempt(job.id, 2_000);
            await store.completeJob(job.id, job.revision, 2_001);
          }
        }),
      ),
    );
    const all = taken.flat();
    assert.equal(all.length, 60, 'every job ran');
    assert.equal(new Set(all).size, 60, 'no job ran twice');
    assert.deepEqual(await first!.jobCounts(), { queued: 0, failed: 0 });
  });

  it('keeps a claimed job from the others until its lease ends, then hands it on with its attempt counted', async () => {
    const [a, b] = processes;
    await a!.enqueue({ kind: 'ticket.create', key: 'ticket:dev-x:ref-1', payload: { deviceId: 'dev-x', ref: 'ref-1' } }, 10_000);
    const claimed = await a!.nextDue(10_000);
    assert.equal(claimed?.nextAt, 10_000, 'returned with the time it was due');
    await a!.beginAttempt(claimed.id, 10_000);
    // Process a dies here, mid-job.
    assert.equal(await b!.nextDue(10_001), null, 'not while a holds it');
    assert.equal(await b!.nextDueAt(), 10_000 + DESK_JOB_LEASE_MS);
    const again = await b!.nextDue(10_000 + DESK_JOB_LEASE_MS);
    assert.deepEqual([again?.id, again?.attempts], [claimed.id, 1]);
    await b!.completeJob(again!.id, again!.revision, 10_000 + DESK_JOB_LEASE_MS);
    assert.equal(await b!.jobState('ticket:dev-x:ref-1'), 'done');
  });

  it("wakes the other processes' desk sync when one enqueues, and tells the enqueuing process once", async () => {
    const [a, b] = processes;
    let heardA = 0;
    const heardB = new Promise<void>((resolve) => b!.onEnqueued(resolve));
    a!.onEnqueued(() => heardA++);
    await b!.whenListening();
    await a!.enqueue({ kind: 'catalog', key: 'catalog', payload: {} }, 30_000);
    await heardB;
    await a!.jobCounts();
    assert.equal(heardA, 1, 'its own announcement is not heard twice');
    a!.onEnqueued(null);
    b!.onEnqueued(null);
  });

  it('runs a job re-armed while it ran again at once, not at the end of the lease', async () => {
    const [a] = processes;
    const job = { kind: 'asset' as const, key: 'asset:dev-rearm', payload: { deviceId: 'dev-rearm' }, coalesce: true };
    await a!.enqueue(job, 20_000);
    const running = (await a!.nextDue(20_000))!;
    await a!.enqueue(job, 20_500);
    await a!.completeJob(running.id, running.revision, 21_000);
    const rerun = await a!.nextDue(21_000);
    assert.deepEqual([rerun?.id, rerun?.revision], [running.id, running.revision + 1]);
    await a!.completeJob(rerun!.id, rerun!.revision, 21_500);
    assert.equal(await a!.jobState('asset:dev-rearm'), 'done');
  });
});
