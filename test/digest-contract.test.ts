// shared/digest.ts is a contract between the agent and the server: the digest an agent of any version
// computes must be the one the server computes. Its fast paths (canonical JSON without sorted copies,
// hashes as binary strings, normalising without a sort when already in order) are checked here
// against the first forms they replaced, on snapshots built from recorded collector output and on
// random ones, and the digest of the recorded snapshot is pinned to what the first forms gave.
import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseWmicTable, qfeToSoftware } from '../agent/collect/software/hotfix.js';
import { appToSoftware, parseAppsJson } from '../agent/collect/software/macos-apps.js';
import { packageToSoftware, parseFormatList } from '../agent/collect/software/msix.js';
import { parseRpmQuery } from '../agent/collect/software/rpm.js';
import { parseSnapList } from '../agent/collect/software/snap.js';
import { canonicalJson } from '../shared/canonical.js';
import { combineDigests, itemHash, sectionDigests, snapshotDigest, type SectionDigests } from '../shared/digest.js';
import { emptySnapshot } from '../shared/delta.js';
import { COLLECTION_SECTIONS, OBJECT_SECTIONS, itemKey, itemsOf, objectOf, type CollectionSection } from '../shared/inventory-keys.js';
import type { Snapshot, Software } from '../shared/inventory.js';
import { firstCanonical } from './support/first-canonical.js';
import { normaliseSnapshot } from '../shared/normalise.js';

// The first forms, as protocol 2 defined the digest with them.
const MOD = 1n << 256n;
function firstItemHash(section: CollectionSection, item: object): bigint {
  const n = item as { ipv4?: string[]; ipv6?: string[] };
  const canonical = section === 'network' ? { ...n, ipv4: [...n.ipv4!].sort(), ipv6: [...n.ipv6!].sort() } : item;
  return BigInt(`0x${hash('sha256', `${section}\n${firstCanonical(canonical)}`, 'hex')}`);
}
function firstSectionDigests(s: Snapshot): Record<string, string | bigint> {
  const out: Record<string, string | bigint> = {};
  for (const section of OBJECT_SECTIONS) out[section] = hash('sha256', `${section}\n${firstCanonical(objectOf(s, section))}`, 'hex');
  for (const section of COLLECTION_SECTIONS) {
    out[section] = (itemsOf(s, section) as object[]).reduce((sum: bigint, item) => (sum + firstItemHash(section, item)) % MOD, 0n);
  }
  return out;
}
function firstNormalise(snapshot: Snapshot): Snapshot {
  const out: Record<string, unknown> = { ...snapshot };
  for (const section of COLLECTION_SECTIONS) {
    const keyOf = itemKey[section] as (item: unknown) => string;
    const byKey = new Map<string, unknown>();
    for (const item of itemsOf(snapshot, section)) if (!byKey.has(keyOf(item))) byKey.set(keyOf(item), item);
    out[section] = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => byKey.get(k));
  }
  for (const section of ['security', 'volumes', 'monitors', 'printers', 'accounts', 'groups']) {
    const v = out[section];
    if (v === undefined || (Array.isArray(v) ? v.length === 0 : Object.keys(v as object).length === 0)) delete out[section];
  }
  const s = out as Snapshot;
  s.network = s.network.map((n) => ({ ...n, ipv4: [...n.ipv4].sort(), ipv6: [...n.ipv6].sort() }));
  return s;
}

const fixture = (name: string) => readFileSync(new URL(`../agent/collect/software/fixtures/${name}`, import.meta.url), 'utf8');
const defined = <T>(x: T | undefined): x is T => x !== undefined;

/** A snapshot whose software is what the collectors made of recorded output (Russian, French, ...), unsorted. */
function recordedSnapshot(): Snapshot {
  const software: Software[] = [
    ...parseRpmQuery(fixture('linux-rpm-qa-queryformat.mageia2.txt')),
    ...parseSnapList(fixture('linux-snap-list.2024.txt')),
    ...parseSnapList(fixture('linux-snap-list.2019.txt')),
    ...parseFormatList(fixture('windows-get-appxpackage-text.windowsstore.txt')).map(packageToSoftware).filter(defined),
    ...parseWmicTable(fixture('windows-wmic-qfe.win2012r2-ru.txt')).map(qfeToSoftware).filter(defined),
    ...parseAppsJson(fixture('macos-system_profiler-SPApplicationsDataType.trimmed.json')).map(appToSoftware).filter(defined),
  ];
  return {
    ...emptySnapshot('pc-recorded'),
    os: { platform: 'win32', hostname: 'pc-recorded', version: '10.0.19045', name: 'Windows 10 Pro' },
    network: [
      { name: 'eth1', ipv4: ['10.0.0.9', '10.0.0.10'], ipv6: ['fe80::2', 'fe80::1'], virtual: false, mac: '02:00:00:00:00:02' },
      { name: 'eth0', ipv4: ['192.168.1.5'], ipv6: [], virtual: false, type: 'wired', speedMbps: 1000 },
    ],
    users: [{ name: 'Пётр', domain: 'КОНТОРА', terminal: 'console' }],
    software,
  } as Snapshot;
}

function assertSameDigests(actual: SectionDigests, expected: Record<string, string | bigint>): void {
  for (const section of [...OBJECT_SECTIONS, ...COLLECTION_SECTIONS]) assert.equal(actual[section], expected[section], section);
}

describe('the snapshot digest contract', () => {
  it('gives a snapshot of recorded collector output the digest the first forms gave it', () => {
    const raw = recordedSnapshot();
    assert.ok(raw.software.length > 40, `${raw.software.length} recorded packages`);
    for (const item of raw.software) {
      assert.equal(canonicalJson(item), firstCanonical(item));
      assert.equal(BigInt(`0x${Buffer.from(itemHash('software', item), 'latin1').toString('hex')}`), firstItemHash('software', item));
    }
    const next = normaliseSnapshot(raw);
    assert.deepEqual(next, firstNormalise(raw));
    assertSameDigests(sectionDigests(next), firstSectionDigests(firstNormalise(raw)));
    // Normalising what is already normal changes nothing, and the digest stays.
    assert.deepEqual(normaliseSnapshot(next), next);
    assert.equal(snapshotDigest(normaliseSnapshot(next)), snapshotDigest(raw));
    assert.equal(combineDigests(sectionDigests(next)), RECORDED_DIGEST);
  });

  it('gives random snapshots, in any key order, the digest the first forms give them', () => {
    const text = fc.string({ maxLength: 12 });
    const software = fc.record(
      {
        name: fc.constantFrom('a', 'b', 'Ω', 'é', 'a b', 'z'),
        version: text,
        publisher: text,
        arch: fc.constantFrom('x64', 'arm64'),
        source: fc.constantFrom('dpkg', 'rpm', 'msix'),
        scope: fc.constantFrom('machine', 'user'),
        user: text,
        installDate: text,
      },
      { requiredKeys: ['name', 'source', 'scope'] },
    );
    const iface = fc.record({
      name: fc.constantFrom('eth0', 'eth1', 'wlan0'),
      ipv4: fc.array(fc.constantFrom('10.0.0.1', '10.0.0.10', '10.0.0.9', '192.168.0.1')),
      ipv6: fc.array(fc.constantFrom('fe80::1', 'fe80::2', '::1')),
      virtual: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(software, { maxLength: 30 }), fc.array(iface, { maxLength: 4 }), fc.nat(), (items, network, seed) => {
        const raw = { ...emptySnapshot('pc'), network, software: items.map((item, i) => shuffledKeys(item, seed + i)) } as Snapshot;
        const next = normaliseSnapshot(raw);
        // Compared as JSON: the same items in the same order, each with its keys as they came.
        assert.equal(JSON.stringify(next), JSON.stringify(firstNormalise(raw)));
        assertSameDigests(sectionDigests(next), firstSectionDigests(firstNormalise(raw)));
        for (const item of raw.software) assert.equal(canonicalJson(item), firstCanonical(item));
      }),
      { numRuns: 2_000 },
    );
  });
});

/** The same object with its keys inserted in another order. */
function shuffledKeys<T extends object>(value: T, seed: number): T {
  const keys = Object.keys(value);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++)
    out[keys[(i * 7 + seed) % keys.length]!] = (value as Record<string, unknown>)[keys[(i * 7 + seed) % keys.length]!];
  return Object.keys(out).length === keys.length ? (out as T) : value;
}

/** What main's digest code (before the fast paths) gave recordedSnapshot(). */
const RECORDED_DIGEST = '089532ea4b8993588a917285c683fd7187b46be4239801f65041d31b21bbc4f9';
