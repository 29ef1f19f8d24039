import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IdentityHints } from '../../shared/inventory.js';
import { cleanHints, resolveIdentity, type IdentityCandidate } from './identity.js';

const MAC_A = '3c:52:82:11:22:33';
const MAC_B = '3c:52:82:44:55:66';
const VM_MAC = '00:50:56:aa:bb:cc';

function hints(over: Partial<IdentityHints> = {}): IdentityHints {
  return { installId: 'inst-new', hostname: 'pc-new', macs: [], ...over };
}

function device(id: string, over: Partial<IdentityCandidate> = {}): IdentityCandidate {
  return {
    id,
    installId: `inst-${id}`,
    hostname: `host-${id}`,
    serial: null,
    uuid: null,
    matchableMacs: [],
    cloneOf: null,
    duplicateOf: null,
    live: false,
    firstSeen: 1,
    lastSeen: 1,
    ...over,
  };
}

const resolve = (h: IdentityHints, candidates: IdentityCandidate[]) => resolveIdentity(cleanHints(h), candidates);

describe('device identity', () => {
  it('continues the device with the same service tag after a reimage (new install id)', () => {
    const r = resolve(hints({ serial: 'SVC123', hostname: 'renamed' }), [
      device('a', { serial: 'svc123' }),
      device('b', { serial: 'OTHER' }),
    ]);
    assert.deepEqual(r, { deviceId: 'a', matchedBy: 'serial', cloneOf: null, duplicateOf: null });
  });

  it('continues a device by its SMBIOS UUID when there is no serial', () => {
    const uuid = '4c4c4544-0042-3510-8052-b4c04f564433';
    const r = resolve(hints({ uuid: uuid.toUpperCase() }), [device('a', { uuid })]);
    assert.deepEqual(r, { deviceId: 'a', matchedBy: 'uuid', cloneOf: null, duplicateOf: null });
  });

  it('never continues a device that has a live connection, even on its serial: a new device, flagged', () => {
    const r = resolve(hints({ serial: 'SVC123' }), [device('a', { serial: 'SVC123', live: true })]);
    assert.deepEqual(r, { deviceId: null, matchedBy: null, cloneOf: null, duplicateOf: { deviceId: 'a', reason: 'serial-in-use' } });
  });

  it('only flags a physical MAC match as a possible duplicate, ignoring virtual adapters', () => {
    const candidates = [device('vm', { matchableMacs: [] }), device('a', { matchableMacs: [MAC_A] })];
    const r = resolve(hints({ macs: [VM_MAC, MAC_A.toUpperCase()] }), candidates);
    assert.deepEqual(r, { deviceId: null, matchedBy: null, cloneOf: null, duplicateOf: { deviceId: 'a', reason: 'mac' } });
    assert.deepEqual(resolve(hints({ macs: [VM_MAC] }), candidates).duplicateOf, null);
  });

  it('does not follow a MAC onto a machine with another serial (a moved USB adapter)', () => {
    const r = resolve(hints({ serial: 'NEW1', macs: [MAC_A] }), [device('a', { serial: 'OLD1', matchableMacs: [MAC_A] })]);
    assert.deepEqual(r, { deviceId: null, matchedBy: null, cloneOf: null, duplicateOf: null });
  });

  it('only flags a machine name match, case-insensitively, unless the hardware says otherwise', () => {
    const r = resolve(hints({ hostname: 'ACCT-PC7' }), [device('a', { hostname: 'acct-pc7' })]);
    assert.deepEqual(r, { deviceId: null, matchedBy: null, cloneOf: null, duplicateOf: { deviceId: 'a', reason: 'hostname' } });
    const other = resolve(hints({ hostname: 'acct-pc7', serial: 'X1' }), [device('a', { hostname: 'acct-pc7', serial: 'Y2' })]);
    assert.deepEqual(other.duplicateOf, null);
  });

  it('never matches on junk values', () => {
    const junk = hints({
      serial: 'To Be Filled By O.E.M.',
      uuid: '00000000-0000-0000-0000-000000000000',
      hostname: 'localhost',
      macs: ['00:00:00:00:00:00'],
    });
    const candidates = [device('a', { hostname: 'localhost' }), device('b', { hostname: 'LOCALHOST' })];
    assert.deepEqual(resolve(junk, candidates), { deviceId: null, matchedBy: null, cloneOf: null, duplicateOf: null });
    const clean = cleanHints(junk);
    assert.equal(clean.serial, null);
    assert.equal(clean.uuid, null);
    assert.deepEqual(clean.matchableMacs, []);
  });

  it('only flags the same install id without hardware hints: anyone on the machine can read it', () => {
    const r = resolve(hints({ installId: 'inst-a', hostname: 'new-name' }), [device('a')]);
    assert.deepEqual(r, { deviceId: null, matchedBy: null, cloneOf: null, duplicateOf: { deviceId: 'a', reason: 'install-id' } });
  });

  it('treats the same install id on other hardware as a clone: a new device, flagged', () => {
    const original = device('a', { serial: 'S-ORIG', matchableMacs: [MAC_A], hostname: 'golden', firstSeen: 1 });
    const r = resolve(hints({ installId: 'inst-a', serial: 'S-COPY', macs: [MAC_B], hostname: 'golden' }), [original]);
    assert.deepEqual(r, { deviceId: null, matchedBy: null, cloneOf: 'a', duplicateOf: null });
  });

  it('recognises a clone by its MACs when neither machine has a serial', () => {
    const r = resolve(hints({ installId: 'inst-a', macs: [MAC_B] }), [device('a', { matchableMacs: [MAC_A] })]);
    assert.equal(r.deviceId, null);
    assert.equal(r.cloneOf, 'a');
  });

  it('continues known hardware that received a cloned image, and flags it', () => {
    const golden = device('a', { serial: 'S-ORIG' });
    const laptop = device('b', { serial: 'S-LAPTOP', installId: 'inst-old' });
    const r = resolve(hints({ installId: 'inst-a', serial: 'S-LAPTOP' }), [golden, laptop]);
    assert.deepEqual(r, { deviceId: 'b', matchedBy: 'serial', cloneOf: 'a', duplicateOf: null });
  });

  it('prefers the most recently seen device when several share a serial', () => {
    const r = resolve(hints({ serial: 'DUP' }), [
      device('old', { serial: 'DUP', lastSeen: 5 }),
      device('new', { serial: 'DUP', lastSeen: 9 }),
    ]);
    assert.equal(r.deviceId, 'new');
  });

  it('prefers the original over a device already flagged as its duplicate when both share a serial', () => {
    const original = device('orig', { serial: 'S1', lastSeen: 1 });
    const suspect = device('dup', { serial: 'S1', lastSeen: 9, duplicateOf: 'orig' });
    assert.equal(resolve(hints({ serial: 'S1' }), [suspect, original]).deviceId, 'orig');
  });
});
