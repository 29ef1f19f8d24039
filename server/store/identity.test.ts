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
  return { id, installId: `inst-${id}`, hostname: `host-${id}`, serial: null, uuid: null, matchableMacs: [], cloneOf: null, firstSeen: 1, lastSeen: 1, ...over };
}

const resolve = (h: IdentityHints, candidates: IdentityCandidate[]) => resolveIdentity(cleanHints(h), candidates);

describe('device identity', () => {
  it('continues the device with the same service tag after a reimage (new install id)', () => {
    const r = resolve(hints({ serial: 'SVC123', hostname: 'renamed' }), [device('a', { serial: 'svc123' }), device('b', { serial: 'OTHER' })]);
    assert.deepEqual(r, { deviceId: 'a', matchedBy: 'serial', cloneOf: null });
  });

  it('matches on a physical MAC when there is no serial, ignoring virtual adapters', () => {
    const candidates = [device('vm', { matchableMacs: [] }), device('a', { matchableMacs: [MAC_A] })];
    assert.equal(resolve(hints({ macs: [VM_MAC, MAC_A.toUpperCase()] }), candidates).deviceId, 'a');
    assert.equal(resolve(hints({ macs: [VM_MAC] }), candidates).deviceId, null);
  });

  it('does not follow a MAC onto a machine with another serial (a moved USB adapter)', () => {
    const r = resolve(hints({ serial: 'NEW1', macs: [MAC_A] }), [device('a', { serial: 'OLD1', matchableMacs: [MAC_A] })]);
    assert.equal(r.deviceId, null);
  });

  it('matches by machine name last, case-insensitively, unless the hardware says otherwise', () => {
    assert.equal(resolve(hints({ hostname: 'ACCT-PC7' }), [device('a', { hostname: 'acct-pc7' })]).deviceId, 'a');
    const other = resolve(hints({ hostname: 'acct-pc7', serial: 'X1' }), [device('a', { hostname: 'acct-pc7', serial: 'Y2' })]);
    assert.equal(other.deviceId, null);
  });

  it('never matches on junk values', () => {
    const junk = hints({ serial: 'To Be Filled By O.E.M.', uuid: '00000000-0000-0000-0000-000000000000', hostname: 'localhost', macs: ['00:00:00:00:00:00'] });
    const candidates = [device('a', { hostname: 'localhost' }), device('b', { hostname: 'LOCALHOST' })];
    assert.deepEqual(resolve(junk, candidates), { deviceId: null, matchedBy: null, cloneOf: null });
    const clean = cleanHints(junk);
    assert.equal(clean.serial, null);
    assert.equal(clean.uuid, null);
    assert.deepEqual(clean.matchableMacs, []);
  });

  it('keeps a device by install id when its hardware hints are all junk', () => {
    const r = resolve(hints({ installId: 'inst-a', hostname: 'new-name' }), [device('a')]);
    assert.deepEqual(r, { deviceId: 'a', matchedBy: 'install-id', cloneOf: null });
  });

  it('treats the same install id on other hardware as a clone: a new device, flagged', () => {
    const original = device('a', { serial: 'S-ORIG', matchableMacs: [MAC_A], hostname: 'golden', firstSeen: 1 });
    const r = resolve(hints({ installId: 'inst-a', serial: 'S-COPY', macs: [MAC_B], hostname: 'golden' }), [original]);
    assert.deepEqual(r, { deviceId: null, matchedBy: null, cloneOf: 'a' });
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
    assert.deepEqual(r, { deviceId: 'b', matchedBy: 'serial', cloneOf: 'a' });
  });

  it('prefers the most recently seen device when several share a serial', () => {
    const r = resolve(hints({ serial: 'DUP' }), [device('old', { serial: 'DUP', lastSeen: 5 }), device('new', { serial: 'DUP', lastSeen: 9 })]);
    assert.equal(r.deviceId, 'new');
  });
});
