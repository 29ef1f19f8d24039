// A snapshot received in pages is digested page by page (addPage): the result must always be the
// digest of the whole, however the pages are cut and whatever keys repeat across them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { addPage, combineDigests, sectionDigests, snapshotDigest } from './digest.js';
import { COLLECTION_SECTIONS, itemsOf, type Snapshot } from './inventory.js';
import { normaliseSnapshot } from './normalise.js';

// Small key spaces, so that keys repeat within and across pages.
const name = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const snapshots = fc
  .record({
    network: fc.array(
      fc.record({
        name,
        ipv4: fc.array(fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3')),
        ipv6: fc.constant<string[]>([]),
        virtual: fc.boolean(),
      }),
      { maxLength: 6 },
    ),
    users: fc.array(fc.record({ name, domain: fc.constantFrom('x', 'y') }), { maxLength: 6 }),
    printers: fc.array(fc.record({ name }), { maxLength: 6 }),
    volumes: fc.array(fc.record({ mount: name, label: fc.string({ maxLength: 3 }) }), { maxLength: 6 }),
    hostname: fc.string({ maxLength: 5 }),
    security: fc.option(fc.record({ firewall: fc.constantFrom('on', 'off') }), { nil: undefined }),
  })
  .map(({ hostname, security, ...collections }): Snapshot => ({
    hardware: { memory: { modules: [] }, disks: [], graphics: [] },
    os: { platform: 'linux', hostname },
    software: [],
    ...(security ? { security } : {}),
    ...collections,
  }));

/** The snapshot's collections cut into pages at the given points (items kept in order). */
function cut(s: Snapshot, points: number[]): Partial<Snapshot>[] {
  const flat = COLLECTION_SECTIONS.flatMap((section) => itemsOf(s, section).map((item) => ({ section, item })));
  const at = [...new Set(points.map((p) => p % (flat.length + 1)))].sort((a, b) => a - b);
  const pages: Partial<Snapshot>[] = [];
  let from = 0;
  for (const to of [...at, flat.length]) {
    const page: Record<string, unknown[]> = {};
    for (const { section, item } of flat.slice(from, to)) (page[section] ??= []).push(item);
    pages.push(page);
    from = to;
  }
  return pages;
}

describe('digesting a snapshot page by page', () => {
  it('equals the digest of the whole, however it is cut and whatever keys repeat', () => {
    fc.assert(
      fc.property(snapshots, fc.array(fc.nat(), { maxLength: 5 }), (s, points) => {
        const [first, ...more] = cut(s, points);
        const objects = { hardware: s.hardware, os: s.os, ...(s.security ? { security: s.security } : {}) };
        let seen: Partial<Snapshot> = {};
        let digests = addPage(sectionDigests({ ...objects, network: [], users: [], software: [] }), seen, first!);
        seen = first!;
        for (const page of more) {
          digests = addPage(digests, seen, page);
          const merged: Record<string, unknown[]> = { ...seen } as Record<string, unknown[]>;
          for (const section of COLLECTION_SECTIONS) {
            const items = itemsOf(page, section);
            if (items.length) merged[section] = [...itemsOf(seen, section), ...items];
          }
          seen = merged;
        }
        assert.equal(combineDigests(digests), snapshotDigest(s));
        assert.deepEqual(digests, sectionDigests(normaliseSnapshot(s)));
      }),
      { numRuns: 5_000 },
    );
  });
});
