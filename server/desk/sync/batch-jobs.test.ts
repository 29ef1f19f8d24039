// The desk jobs of an applied batch: a batch in which only software changed makes its asset job and
// its software events without building the device's other sections (up to megabytes), and a batch
// that changed them still raises posture events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchOutcome, ChangeRecord, StoredInventory } from '../../store/store.js';
import { AssetEventRulesSchema } from '../rules/asset-events.js';
import { BatchJobRules, type AppliedItems } from './batch-jobs.js';

const rules = AssetEventRulesSchema.parse({ volumeLowSpace: true, prohibited: ['bittorrent'], prohibitedSoftware: true });
const digests = {} as NonNullable<BatchOutcome['snapshot']>['digests'];

const inventory: StoredInventory = {
  hardware: { memory: { modules: [] }, disks: [], graphics: [] },
  os: { platform: 'linux', hostname: 'acct-pc7' },
  network: [],
  users: [],
  volumes: [{ mount: '/data', fs: 'ext4', sizeBytes: 100e9, freePercent: 5, freeBytes: 5e9 }],
};

const installed: ChangeRecord = {
  at: '2026-12-07T07:00:00Z',
  trigger: 'software-change',
  seq: 2,
  section: 'software',
  added: [{ name: 'BitTorrent', source: 'dpkg', scope: 'machine' }],
  removed: [],
  changed: [],
};

/** An applied batch whose snapshot counts how often its other sections were built. */
function applied(restChanged: boolean): { items: AppliedItems; builds: () => number } {
  let builds = 0;
  let memory: string | null = null;
  const outcome: BatchOutcome = {
    lastSeq: 2,
    needsFull: false,
    changes: [installed],
    snapshot: {
      get inventory() {
        builds++;
        return inventory;
      },
      hostname: 'acct-pc7',
      digests,
      digest: 'd',
      softwareCount: 1,
      restChanged,
    },
  };
  const items: AppliedItems = {
    deviceId: 'dev-1',
    outcome,
    ticketItems: [],
    results: [],
    first: false,
    at: Date.parse('2026-12-07T07:00:00Z'),
    memory: { get: () => memory, set: (v) => void (memory = v) },
    exemptions: () => [],
  };
  return { items, builds: () => builds };
}

describe('BatchJobRules.jobsFor', () => {
  it('makes the asset job and the prohibited-software event of a software-only batch without building its other sections', () => {
    const jobs = new BatchJobRules();
    jobs.setEnabled(true, rules);
    const { items, builds } = applied(false);
    const made = jobs.jobsFor(items);
    assert.deepEqual(
      made.map((j) => j.kind),
      ['asset', 'event'],
    );
    assert.match(JSON.stringify(made[1]!.payload), /BitTorrent/);
    assert.equal(builds(), 0);
  });

  it('raises a posture event when the other sections changed', () => {
    const jobs = new BatchJobRules();
    jobs.setEnabled(true, rules);
    const { items, builds } = applied(true);
    const made = jobs.jobsFor(items);
    const subjects = made.filter((j) => j.kind === 'event').map((j) => String((j.payload as { subject: string }).subject));
    assert.ok(
      subjects.some((s) => s.startsWith('Low disk space on acct-pc7')),
      subjects.join('; '),
    );
    assert.equal(builds(), 1);
  });
});
