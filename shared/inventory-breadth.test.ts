// The issue 18 sections (volumes, monitors, printers, accounts, groups, security) on the wire: each
// diffs and digests like the older sections, a free-space change is recorded only on a 1 % step, and
// a snapshot without them keeps the digest protocol 2 always gave it.
import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { describe, it } from 'node:test';
import { applyDelta, diffSnapshots, emptySnapshot } from './delta.js';
import { DeltaSchema } from './delta-schema.js';
import { decodeDigests, encodeDigests, sectionDigests, snapshotDigest } from './digest.js';
import { OutpostError } from './errors.js';
import { quantiseFree, SNAPSHOT_LIMITS, SnapshotSchema, type Snapshot, type Volume } from './inventory.js';
import { normaliseSnapshot } from './normalise.js';

const GB = 1024 ** 3;
const volume = (mount: string, availableBytes: number, sizeBytes = 100 * GB): Volume => ({
  mount,
  fs: 'ext4',
  sizeBytes,
  ...quantiseFree(sizeBytes, availableBytes),
});

function machine(extra: Partial<Snapshot> = {}): Snapshot {
  return normaliseSnapshot({
    ...emptySnapshot('pc-1'),
    os: { platform: 'linux', hostname: 'pc-1' },
    software: [{ name: 'bash', version: '5', source: 'dpkg', scope: 'machine' }],
    ...extra,
  });
}

describe('inventory breadth sections', () => {
  it('leaves the digest of a snapshot without the new sections as protocol 2 defined it', () => {
    const s = machine();
    const d = sectionDigests(s);
    const hex = (v: bigint) => v.toString(16).padStart(64, '0');
    const protocol2 = hash(
      'sha256',
      ['outpost-snapshot-digest/2', d.hardware, d.os, hex(d.network), hex(d.users), hex(d.software)].join('\n'),
      'hex',
    );
    assert.equal(snapshotDigest(s), protocol2);
    assert.equal(snapshotDigest({ ...s, volumes: [], security: {} }), protocol2, 'empty reads as absent');
    assert.notEqual(snapshotDigest(machine({ volumes: [volume('/', 50 * GB)] })), protocol2);
    assert.notEqual(snapshotDigest(machine({ security: { firewall: 'on' } })), protocol2);
  });

  it('reads section digests stored before the new sections existed', () => {
    const s = machine();
    const stored = JSON.parse(encodeDigests(sectionDigests(s))) as Record<string, string>;
    for (const k of ['volumes', 'monitors', 'printers', 'accounts', 'groups', 'security']) delete stored[k];
    assert.deepEqual(decodeDigests(JSON.stringify(stored)), sectionDigests(s));
  });

  it('records free space only when it crosses a whole percent', () => {
    assert.deepEqual(quantiseFree(100 * GB, 12.9 * GB), { freePercent: 12, freeBytes: 12 * GB });
    const a = machine({ volumes: [volume('/', 12.1 * GB)] });
    const sameStep = machine({ volumes: [volume('/', 12.8 * GB)] });
    assert.deepEqual(diffSnapshots(a, sameStep), {}, 'a few hundred MB inside one step is no change');
    const next = machine({ volumes: [volume('/', 11.9 * GB)] });
    const delta = diffSnapshots(a, next);
    assert.deepEqual(delta, { volumes: { changed: [volume('/', 11.9 * GB)] } });
    const { snapshot, changes } = applyDelta(a, delta);
    assert.equal(snapshotDigest(snapshot), snapshotDigest(next));
    assert.deepEqual(changes[0]?.changed[0]?.fields.freePercent, { from: 12, to: 11 });
  });

  it('diffs security field by field and the collections by their keys', () => {
    const a = machine({
      security: { firewall: 'on', diskEncryption: 'on', rebootRequired: false },
      accounts: [{ name: 'ann', admin: true, groups: ['sudo'] }],
      groups: [{ name: 'sudo', admin: true, members: ['ann'] }],
      printers: [{ name: 'HP', isDefault: true }],
      monitors: [{ vendor: 'DEL', model: 'U2720Q', serial: '1' }],
    });
    const b = machine({
      security: { firewall: 'off', diskEncryption: 'on' },
      accounts: [{ name: 'ann', admin: false, groups: [] }],
      printers: [{ name: 'HP', isDefault: true }],
      monitors: [{ vendor: 'DEL', model: 'U2720Q', serial: '1' }],
    });
    const delta = diffSnapshots(a, b);
    assert.deepEqual(delta, {
      security: { set: { firewall: 'off' }, unset: ['rebootRequired'] },
      accounts: { changed: [{ name: 'ann', admin: false, groups: [] }] },
      groups: { removed: ['sudo'] },
    });
    assert.ok(DeltaSchema.safeParse(JSON.parse(JSON.stringify(delta))).success);
    assert.equal(snapshotDigest(applyDelta(a, delta).snapshot), snapshotDigest(b));
  });

  it('refuses a delta that would pass a section limit, and a snapshot past one', () => {
    const a = machine();
    const many = Array.from({ length: SNAPSHOT_LIMITS.volumes + 1 }, (_, i) => volume(`/m${i}`, GB));
    assert.throws(
      () => applyDelta(a, { volumes: { added: many } }),
      (e: unknown) => e instanceof OutpostError && e.code === 'E_SNAPSHOT_LIMIT',
    );
    assert.equal(SnapshotSchema.safeParse({ ...a, volumes: many }).success, false);
    const av = Array.from({ length: SNAPSHOT_LIMITS.antivirus + 1 }, (_, i) => ({ product: `av${i}` }));
    assert.equal(SnapshotSchema.safeParse({ ...a, security: { antivirus: av } }).success, false);
    assert.equal(SnapshotSchema.safeParse({ ...a, volumes: [{ mount: '/', freePercent: 101 }] }).success, false);
  });
});
