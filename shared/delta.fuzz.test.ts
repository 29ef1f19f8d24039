// Property tests of the delta and digest code with random snapshots and deltas: the incremental
// digest always equals the digest of the snapshot recomputed from scratch, diff then apply gives the
// target back, and a delta whose result breaks a limit is refused with its code and changes nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyDelta, diffSnapshots, materialise, withSections } from './delta.js';
import { applyDeltaTo, keyed, keyedAll, type KeyedCollection } from './delta-apply.js';
import { DeltaSchema, type Delta } from './delta-schema.js';
import { combineDigests, sectionDigests, snapshotDigest } from './digest.js';
import { ERROR_CODES } from './errors.js';
import { SNAPSHOT_LIMITS, SnapshotSchema, itemKey, itemsOf, objectOf, type Snapshot, type Software, type Volume } from './inventory.js';
import { normaliseSnapshot } from './normalise.js';

// Small value pools so that random items collide on keys (the interesting cases: change, re-add).
const word = fc.constantFrom('a', 'b', 'c', 'curl', 'bash', 'ü', '\u{1F600}', 'x\ty');
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const software: fc.Arbitrary<Software> = fc
  .record({
    name: word,
    version: opt(fc.constantFrom('1', '2', '1.0-1')),
    publisher: opt(word),
    arch: opt(fc.constantFrom('amd64', 'arm64')),
    source: fc.constantFrom('dpkg', 'rpm', 'snap'),
    scope: fc.constantFrom('machine', 'user'),
    user: opt(word),
  })
  .map((s) => JSON.parse(JSON.stringify(s)) as Software);

const iface = fc
  .record({
    name: fc.constantFrom('eth0', 'eth1', 'wlan0', 'lo'),
    mac: opt(fc.constantFrom('aa:bb:cc:dd:ee:01', 'aa:bb:cc:dd:ee:02')),
    ipv4: fc.uniqueArray(fc.constantFrom('10.0.0.1', '10.0.0.2', '192.168.1.9'), { maxLength: 3 }),
    ipv6: fc.uniqueArray(fc.constantFrom('fe80::1', '::1'), { maxLength: 2 }),
    virtual: fc.boolean(),
  })
  .map((n) => JSON.parse(JSON.stringify(n)) as Snapshot['network'][number]);

const user = fc
  .record({ name: word, domain: opt(word), terminal: opt(fc.constantFrom('tty1', 'pts/0')) })
  .map((u) => JSON.parse(JSON.stringify(u)) as Snapshot['users'][number]);

const volume = fc
  .record({
    mount: fc.constantFrom('/', '/home', 'C:', '/mnt/data'),
    fs: opt(fc.constantFrom('ext4', 'NTFS')),
    sizeBytes: opt(fc.constantFrom(1000, 5000)),
    freePercent: opt(fc.integer({ min: 0, max: 100 })),
    encrypted: opt(fc.boolean()),
  })
  .map((v) => JSON.parse(JSON.stringify(v)) as Volume);

const security = fc
  .record(
    {
      firewall: fc.constantFrom('on', 'off'),
      diskEncryption: fc.constantFrom('on', 'partial', 'off'),
      pendingUpdates: fc.nat({ max: 50 }),
      rebootRequired: fc.boolean(),
      antivirus: fc.array(fc.record({ product: word, enabled: opt(fc.boolean()) }), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  )
  .map((v) => JSON.parse(JSON.stringify(v)) as NonNullable<Snapshot['security']>);

const snapshot: fc.Arbitrary<Snapshot> = fc
  .record({
    manufacturer: opt(word),
    serial: opt(word),
    totalBytes: opt(fc.nat()),
    distro: opt(word),
    hostname: word,
    platform: fc.constantFrom('linux', 'win32', 'darwin'),
    network: fc.array(iface, { maxLength: 5 }),
    users: fc.array(user, { maxLength: 5 }),
    software: fc.array(software, { maxLength: 25 }),
    volumes: opt(fc.array(volume, { maxLength: 4 })),
    security: opt(security),
  })
  .map(
    (r) =>
      JSON.parse(
        JSON.stringify({
          hardware: {
            manufacturer: r.manufacturer,
            serial: r.serial,
            memory: { totalBytes: r.totalBytes, modules: [] },
            disks: [],
            graphics: [],
          },
          os: { platform: r.platform, hostname: r.hostname, distro: r.distro },
          network: r.network,
          users: r.users,
          software: r.software,
          volumes: r.volumes,
          security: r.security,
        }),
      ) as Snapshot,
  );

const keyOf = itemKey.software;
const delta: fc.Arbitrary<Delta> = fc
  .record(
    {
      os: fc.record(
        {
          set: fc.record({ distro: opt(word), hostname: word }, { requiredKeys: [] }),
          unset: fc.array(fc.constantFrom('distro', 'hostname', 'release'), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
      security: fc.record(
        {
          set: security,
          unset: fc.array(fc.constantFrom('firewall', 'rebootRequired', 'antivirus'), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
      volumes: fc.record(
        { changed: fc.array(volume, { maxLength: 2 }), removed: fc.array(fc.constantFrom('/', 'C:', 'nope'), { maxLength: 2 }) },
        { requiredKeys: [] },
      ),
      network: fc.record(
        { added: fc.array(iface, { maxLength: 3 }), removed: fc.array(fc.constantFrom('eth0', 'wlan0', 'nope'), { maxLength: 2 }) },
        { requiredKeys: [] },
      ),
      software: fc.record(
        {
          added: fc.array(software, { maxLength: 8 }),
          changed: fc.array(software, { maxLength: 4 }),
          removed: fc.array(software.map(keyOf), { maxLength: 6 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  )
  .map((d) => DeltaSchema.parse(JSON.parse(JSON.stringify(d))));

const RUNS = 3_000;

describe('delta and digest properties', () => {
  it('diff then apply gives the target back, with the incremental digest equal to the recomputed one', () => {
    fc.assert(
      fc.property(snapshot, snapshot, (a, b) => {
        const base = normaliseSnapshot(a);
        const target = normaliseSnapshot(b);
        const { snapshot: result, digests } = applyDelta(base, diffSnapshots(base, target));
        assert.deepEqual(result, target);
        assert.equal(combineDigests(digests), snapshotDigest(target));
        assert.equal(snapshotDigest(b), snapshotDigest(target), 'the digest does not depend on collection order');
      }),
      { numRuns: RUNS },
    );
  });

  it('any delta either applies with a digest equal to the recomputed one, or is refused with a known code', () => {
    fc.assert(
      fc.property(snapshot, delta, (a, d) => {
        const base = normaliseSnapshot(a);
        const applied = applyDeltaTo(stateOf(base), d);
        if (!applied.ok) {
          assert.ok(Object.hasOwn(ERROR_CODES, applied.code), applied.code);
          return;
        }
        const result = withSections(
          { hardware: applied.hardware, os: applied.os, network: [], users: [], software: [] },
          applied.security,
          (section) => materialise(section, itemsOf(base, section), applied.collections[section]),
        );
        assert.ok(SnapshotSchema.safeParse(result).success, 'an applied delta leaves a valid snapshot');
        assert.equal(applied.collections.software.size, result.software.length);
        assert.deepEqual(applied.digests, sectionDigests(result));
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses exactly the deltas whose result would pass the software limit, and leaves the base untouched', () => {
    fc.assert(
      // Without an os part, so that no other refusal (a required field unset) comes first.
      fc.property(
        fc.array(software, { maxLength: 10 }),
        delta.map(({ os: _os, ...rest }) => rest),
        fc.integer({ min: 0, max: 12 }),
        (items, d, headroom) => {
          const present = keyed('software', items);
          // The base claims to be near the limit; only the keys it really holds can be looked up.
          const base: KeyedCollection<'software'> = { get: (k) => present.get(k), size: SNAPSHOT_LIMITS.software - headroom };
          const state = {
            ...stateOf(normaliseSnapshot({ ...emptyMachine(), software: [] })),
            collections: { ...stateOf(emptyMachine()).collections, software: base },
          };
          const before = JSON.stringify(state.digests, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v));
          const grown = netGrowth(present, d);
          const applied = applyDeltaTo(state, d);
          if (grown > headroom) {
            assert.equal(applied.ok, false);
            if (!applied.ok) assert.equal(applied.code, 'E_SNAPSHOT_LIMIT');
          } else if (applied.ok) {
            assert.ok(applied.collections.software.size <= SNAPSHOT_LIMITS.software);
          }
          assert.equal(
            JSON.stringify(state.digests, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v)),
            before,
          );
          assert.equal(base.size, SNAPSHOT_LIMITS.software - headroom);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

function emptyMachine(): Snapshot {
  return {
    hardware: { memory: { modules: [] }, disks: [], graphics: [] },
    os: { platform: 'linux', hostname: 'h' },
    network: [],
    users: [],
    software: [],
  };
}

function stateOf(s: Snapshot) {
  return {
    hardware: s.hardware,
    os: s.os,
    security: objectOf(s, 'security'),
    collections: keyedAll(s),
    digests: sectionDigests(s),
  };
}

/** How many keys the delta adds to the collection, net of the ones it removes: computed independently. */
function netGrowth(base: KeyedCollection<'software'>, d: Delta): number {
  const state = new Map<string, boolean>();
  const has = (k: string) => state.get(k) ?? base.get(k) !== undefined;
  let growth = 0;
  for (const k of d.software?.removed ?? []) {
    if (has(k)) growth--;
    state.set(k, false);
  }
  for (const s of [...(d.software?.added ?? []), ...(d.software?.changed ?? [])]) {
    if (!has(keyOf(s))) growth++;
    state.set(keyOf(s), true);
  }
  return growth;
}
