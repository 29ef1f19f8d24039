// Asset events from real change records: each case builds two snapshots and runs the same
// diff/apply code the server runs, so the rules are proven against the shapes the engine passes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDelta, diffSnapshots, emptySnapshot, snapshotAsChanges } from '../../../shared/delta.js';
import type { Hardware, Snapshot, Software } from '../../../shared/inventory.js';
import { AssetEventRulesSchema, assetEventsFrom, MAX_EVENTS_PER_KIND, type AssetEvent, type AssetEventRules } from './asset-events.js';

const pkg = (name: string, version = '1.0', extra: Partial<Software> = {}): Software => ({
  name,
  version,
  source: 'windows-registry',
  scope: 'machine',
  arch: 'x64',
  ...extra,
});
const disk = (serial: string | undefined, model = 'Samsung SSD 980') => ({
  vendor: 'Samsung',
  model,
  sizeBytes: 1e12,
  type: 'SSD',
  ...(serial ? { serial } : {}),
});
const dimm = (slot: string, serial?: string) => ({
  slot,
  sizeBytes: 8 * 2 ** 30,
  type: 'DDR4',
  manufacturer: 'Kingston',
  ...(serial ? { serial } : {}),
});

function machine(software: Software[], hardware: Partial<Hardware> = {}): Snapshot {
  return {
    ...emptySnapshot('acct-pc7'),
    hardware: {
      manufacturer: 'Dell Inc.',
      serial: 'SVC123',
      cpu: { manufacturer: 'Intel', brand: 'Core i5-8500', cores: 6, physicalCores: 6, sockets: 1, speedMHz: 3000 },
      memory: { totalBytes: 16 * 2 ** 30, modules: [dimm('DIMM1', 'K1'), dimm('DIMM2', 'K2')] },
      disks: [disk('S1')],
      graphics: [{ vendor: 'Intel', model: 'UHD Graphics 630' }],
      ...hardware,
    },
    os: { platform: 'win32', hostname: 'acct-pc7' },
    software,
  };
}

const rules = (over: Partial<AssetEventRules> = {}): AssetEventRules => AssetEventRulesSchema.parse(over);
const all = rules({ newHardware: true, newSoftware: true, prohibitedSoftware: true, prohibited: ['utorrent', '*torrent*'] });

function eventsBetween(before: Snapshot, after: Snapshot, r: AssetEventRules = all): AssetEvent[] {
  const { changes } = applyDelta(before, diffSnapshots(before, after));
  return assetEventsFrom({ deviceId: 'dev-1', hostname: 'acct-pc7', changes, first: false, detectedAt: '2026-11-23T18:00:00Z' }, r);
}

const base = machine([pkg('7-Zip', '23.01'), pkg('Firefox', '120')]);
const kinds = (events: AssetEvent[]) => events.map((e) => e.kind).sort();

describe('assetEventsFrom: software', () => {
  it('raises new-software for an installed package, with where, when and its fields', () => {
    const events = eventsBetween(base, machine([...base.software, pkg('htop', '3.2', { publisher: 'Hisham', installDate: '2026-11-20' })]));
    assert.equal(events.length, 1);
    const [e] = events;
    assert.equal(e!.kind, 'new-software');
    assert.equal(e!.deviceId, 'dev-1');
    assert.equal(e!.subject, 'New software on acct-pc7: htop 3.2');
    for (const part of ['acct-pc7', '2026-11-23T18:00:00Z', 'htop', '3.2', 'Hisham', '2026-11-20', 'windows-registry']) {
      assert.ok(e!.description.includes(part), `description mentions ${part}`);
    }
  });

  it('raises only prohibited-software (not also new-software) for a prohibited install', () => {
    const events = eventsBetween(base, machine([...base.software, pkg('uTorrent', '3.6')]));
    assert.deepEqual(kinds(events), ['prohibited-software']);
    assert.equal(events[0]!.subject, 'Prohibited software on acct-pc7: uTorrent 3.6');
    assert.ok(events[0]!.description.includes('Matched pattern: utorrent'));
  });

  it('gives an upgrade of a prohibited package the same key, and a plain upgrade nothing', () => {
    const v1 = machine([...base.software, pkg('uTorrent', '3.6')]);
    const v2 = machine([...base.software, pkg('uTorrent', '3.7')]);
    const installed = eventsBetween(base, v1);
    const upgraded = eventsBetween(v1, v2);
    assert.equal(upgraded.length, 1);
    assert.equal(upgraded[0]!.key, installed[0]!.key);
    assert.ok(upgraded[0]!.subject.endsWith('uTorrent 3.7'));
    assert.deepEqual(eventsBetween(base, machine([pkg('7-Zip', '24.00'), pkg('Firefox', '120')])), []);
  });

  it('flags a package already installed when it is upgraded after its name was prohibited', () => {
    const v1 = machine([...base.software, pkg('qBittorrent', '4.5')]);
    const v2 = machine([...base.software, pkg('qBittorrent', '4.6')]);
    assert.deepEqual(kinds(eventsBetween(base, v1, rules({ newSoftware: false }))), []);
    assert.deepEqual(kinds(eventsBetween(v1, v2, rules({ prohibited: ['qbit*'] }))), ['prohibited-software']);
  });

  it('raises nothing for a prohibited package the device was allowed to keep (an approved exception), any case', () => {
    const { changes } = applyDelta(
      base,
      diffSnapshots(base, machine([...base.software, pkg('uTorrent', '3.6'), pkg('BitTorrent', '7.1')])),
    );
    const input = { deviceId: 'dev-1', hostname: 'acct-pc7', changes, first: false };
    const exempted = assetEventsFrom({ ...input, exempt: [' utorrent '] }, rules({ prohibited: ['*torrent*'] }));
    // Only the exempted name: BitTorrent (the same pattern) is still flagged.
    assert.deepEqual(
      exempted.map((e) => [e.kind, e.subject]),
      [['prohibited-software', 'Prohibited software on acct-pc7: BitTorrent 7.1']],
    );
    // Kept, it is software like any other: new-software when that rule is on, nothing otherwise.
    const seen = assetEventsFrom({ ...input, exempt: ['UTORRENT', 'bittorrent'] }, all);
    assert.deepEqual(kinds(seen), ['new-software', 'new-software']);
    assert.deepEqual(assetEventsFrom({ ...input, exempt: ['utorrent', 'bittorrent'] }, rules({ prohibited: ['*torrent*'] })), []);
    // Another device's exemption is not this one's: the caller passes only this device's names.
    assert.deepEqual(kinds(assetEventsFrom(input, all)), ['prohibited-software', 'prohibited-software']);
  });

  it('keys the same package name per source, arch, scope and user, and per device', () => {
    const a = eventsBetween(base, machine([...base.software, pkg('uTorrent')]));
    const b = eventsBetween(base, machine([...base.software, pkg('uTorrent', '1.0', { scope: 'user', user: 'anna' })]));
    const c = eventsBetween(base, machine([...base.software, pkg('uTorrent', '1.0', { arch: 'x86' })]));
    assert.equal(new Set([a[0]!.key, b[0]!.key, c[0]!.key]).size, 3);
    const { changes } = applyDelta(base, diffSnapshots(base, machine([...base.software, pkg('uTorrent')])));
    const other = assetEventsFrom({ deviceId: 'dev-2', hostname: 'x', changes, first: false }, all);
    assert.notEqual(other[0]!.key, a[0]!.key);
  });

  it('gives the same events and keys for the same input twice', () => {
    const after = machine([...base.software, pkg('htop'), pkg('uTorrent')], { disks: [disk('S1'), disk('S2')] });
    assert.deepEqual(eventsBetween(base, after), eventsBetween(base, after));
  });

  it('honours each rule switch', () => {
    const after = machine([...base.software, pkg('htop'), pkg('uTorrent')], { disks: [disk('S1'), disk('S2')] });
    assert.deepEqual(kinds(eventsBetween(base, after)), ['new-hardware', 'new-software', 'prohibited-software']);
    assert.deepEqual(kinds(eventsBetween(base, after, rules({ prohibited: ['utorrent'] }))), ['prohibited-software']);
    assert.deepEqual(kinds(eventsBetween(base, after, { ...all, prohibitedSoftware: false })), [
      'new-hardware',
      'new-software',
      'new-software',
    ]);
    assert.deepEqual(kinds(eventsBetween(base, after, { ...all, newSoftware: false, newHardware: false })), ['prohibited-software']);
  });
});

describe('assetEventsFrom: first snapshot', () => {
  it('raises only prohibited software, however much is new', () => {
    const software = Array.from({ length: 800 }, (_, i) => pkg(`package-${i}`));
    const first = machine([...software, pkg('uTorrent'), pkg('BitTorrent')]);
    const events = assetEventsFrom({ deviceId: 'dev-1', hostname: 'acct-pc7', changes: snapshotAsChanges(first), first: true }, all);
    assert.deepEqual(kinds(events), ['prohibited-software', 'prohibited-software']);
  });

  it('leaves an exempted package out on the first snapshot too', () => {
    const first = machine([pkg('uTorrent'), pkg('BitTorrent')]);
    const changes = snapshotAsChanges(first);
    const events = assetEventsFrom({ deviceId: 'dev-1', hostname: 'acct-pc7', changes, first: true, exempt: ['bittorrent'] }, all);
    assert.deepEqual(
      events.map((e) => e.subject),
      ['Prohibited software on acct-pc7: uTorrent 1.0'],
    );
  });

  it('uses the same key on the first snapshot as for a later install of the same package', () => {
    const first = machine([pkg('uTorrent', '3.5')]);
    const onFirst = assetEventsFrom({ deviceId: 'dev-1', hostname: 'acct-pc7', changes: snapshotAsChanges(first), first: true }, all);
    const later = eventsBetween(base, machine([...base.software, pkg('uTorrent', '3.6')]));
    assert.equal(onFirst[0]!.key, later[0]!.key);
  });
});

describe('assetEventsFrom: hardware', () => {
  const hw = (after: Partial<Hardware>, before: Partial<Hardware> = {}) => eventsBetween(machine([], before), machine([], after));

  it('raises one event per added disk, memory module and graphics adapter', () => {
    const events = hw({
      disks: [disk('S1'), disk('S2', 'WD Blue')],
      memory: { totalBytes: 24 * 2 ** 30, modules: [dimm('DIMM1', 'K1'), dimm('DIMM2', 'K2'), dimm('DIMM3', 'K3')] },
      graphics: [
        { vendor: 'Intel', model: 'UHD Graphics 630' },
        { vendor: 'NVIDIA', model: 'RTX 4060', vramMB: 8192 },
      ],
    });
    assert.deepEqual(kinds(events), ['new-hardware', 'new-hardware', 'new-hardware']);
    const subjects = events.map((e) => e.subject).sort();
    assert.deepEqual(subjects, [
      'New hardware on acct-pc7: Disk Samsung WD Blue (1.0 TB)',
      'New hardware on acct-pc7: Graphics NVIDIA RTX 4060',
      'New hardware on acct-pc7: Memory module Kingston (8.6 GB) in DIMM3',
    ]);
    assert.ok(events.find((e) => e.subject.includes('WD Blue'))!.description.includes('serial: S2'));
  });

  it('tells identical unserialised parts apart by count, and a re-added disk keeps its key', () => {
    const one = [dimm('A'), dimm('A')];
    const added = hw({ memory: { modules: [...one, dimm('A')] } }, { memory: { modules: one } });
    assert.equal(added.length, 1);
    // Added, taken out, put back: the same key, so the desk gets one ticket, not two.
    const without = machine([], { disks: [disk('S1')] });
    const withS2 = machine([], { disks: [disk('S1'), disk('S2')] });
    const added2 = eventsBetween(without, withS2);
    assert.deepEqual(eventsBetween(withS2, without), []);
    assert.equal(eventsBetween(without, withS2)[0]!.key, added2[0]!.key);
    assert.notEqual(eventsBetween(without, machine([], { disks: [disk('S1'), disk('S3')] }))[0]!.key, added2[0]!.key);
    // A disk moved to another port (device name changes) is not new.
    assert.deepEqual(hw({ disks: [{ ...disk('S1'), device: '/dev/sdb' }] }, { disks: [{ ...disk('S1'), device: '/dev/sda' }] }), []);
  });

  it('raises for a changed CPU and a changed serial, keyed by the new value', () => {
    const cpu = { manufacturer: 'Intel', brand: 'Core i7-8700', cores: 12, physicalCores: 6, sockets: 1 };
    const [e] = hw({ cpu });
    assert.ok(e!.subject.endsWith('CPU Core i7-8700'));
    assert.ok(e!.description.includes('changed from Core i5-8500'));
    assert.notEqual(hw({ cpu: { ...cpu, brand: 'Core i9-9900' } })[0]!.key, e!.key);
    const [s] = hw({ serial: 'NEWBOARD9' });
    assert.ok(s!.subject.includes('NEWBOARD9'));
    assert.notEqual(hw({ serial: 'OTHER' })[0]!.key, s!.key);
  });

  it('raises for a new or replaced battery, not for its wear', () => {
    const battery = { manufacturer: 'LGC', model: 'DELL 7FHHV', serial: 'B1', designCapacityMWh: 60000, healthPercent: 97, cycleCount: 10 };
    assert.equal(hw({ battery }).length, 1);
    assert.deepEqual(hw({ battery: { ...battery, healthPercent: 80, cycleCount: 400 } }, { battery }), []);
    assert.equal(hw({ battery: { ...battery, serial: 'B2' } }, { battery })[0]!.description.includes('replaced'), true);
  });

  it('does not treat a clock change, a removal, or a first reading after nothing as new hardware', () => {
    assert.deepEqual(
      hw({ cpu: { manufacturer: 'Intel', brand: 'Core i5-8500', cores: 6, physicalCores: 6, sockets: 1, speedMHz: 4100 } }),
      [],
    );
    assert.deepEqual(hw({ disks: [] }), []);
    assert.deepEqual(hw({ disks: [disk('S1'), disk('S2')] }, { disks: [] }), []);
    assert.deepEqual(hw({ serial: 'SVC123' }, { serial: undefined }), []);
  });
});

describe('assetEventsFrom: limits and keys', () => {
  it('keeps keys short and in the idempotency-key alphabet, hashing an odd device id', () => {
    const { changes } = applyDelta(base, diffSnapshots(base, machine([...base.software, pkg(`uTorrent ${'x'.repeat(1000)}`)])));
    const [e] = assetEventsFrom({ deviceId: 'dev ice/ü:1', hostname: 'h', changes, first: false }, rules({ prohibited: ['utorrent*'] }));
    assert.match(e!.key, /^[A-Za-z0-9_.:-]{8,128}$/);
    assert.ok(e!.key.startsWith('prohibited-software:h'));
  });

  it('keeps subjects on one line and within 200 characters', () => {
    const [e] = eventsBetween(
      base,
      machine([...base.software, pkg(`uTorrent\nBcc: someone ${'y'.repeat(900)}`)]),
      rules({ prohibited: ['utorrent*'] }),
    );
    assert.ok(!e!.subject.includes('\n'));
    assert.ok(e!.subject.length <= 200);
    assert.ok(e!.description.length <= 8000);
  });

  it(`turns more than ${MAX_EVENTS_PER_KIND} events of one kind into one summary, stable across runs`, () => {
    const many = Array.from({ length: MAX_EVENTS_PER_KIND + 1 }, (_, i) => pkg(`tool-${i}`));
    const after = machine([...base.software, ...many, pkg('uTorrent')]);
    const events = eventsBetween(base, after);
    assert.deepEqual(kinds(events), ['new-software', 'prohibited-software']);
    const summary = events.find((e) => e.kind === 'new-software')!;
    assert.equal(summary.subject, `New software on acct-pc7: ${MAX_EVENTS_PER_KIND + 1} items`);
    assert.ok(summary.description.includes('tool-50'));
    assert.equal(eventsBetween(base, after).find((e) => e.kind === 'new-software')!.key, summary.key);
  });

  it('ignores malformed change records instead of failing', () => {
    const changes = [
      { section: 'software' as const, added: [null, 42, { name: 'uTorrent' }], removed: [], changed: [{ key: 'nonsense', fields: {} }] },
      {
        section: 'hardware' as const,
        added: [],
        removed: [],
        changed: [{ key: 'hardware', fields: { disks: { from: 'x', to: [1, null] }, cpu: { from: 3, to: null } } }],
      },
    ];
    assert.deepEqual(assetEventsFrom({ deviceId: 'd', hostname: 'h', changes, first: false }, all), []);
  });
});

describe('AssetEventRulesSchema', () => {
  it('defaults to prohibited software only, with an empty list; posture events off, low space at 10 % + 5', () => {
    assert.deepEqual(AssetEventRulesSchema.parse({}), {
      newHardware: false,
      newSoftware: false,
      prohibitedSoftware: true,
      prohibited: [],
      volumeLowSpace: false,
      lowSpacePercent: 10,
      lowSpaceMarginPercent: 5,
      encryptionOff: false,
      antivirusDisabled: false,
    });
  });

  it('refuses patterns that are only wildcards, too long, or too many', () => {
    assert.equal(AssetEventRulesSchema.safeParse({ prohibited: ['*'] }).success, false);
    assert.equal(AssetEventRulesSchema.safeParse({ prohibited: ['x'.repeat(201)] }).success, false);
    assert.equal(AssetEventRulesSchema.safeParse({ prohibited: Array.from({ length: 1001 }, (_, i) => `p${i}`) }).success, false);
  });
});
