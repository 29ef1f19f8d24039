import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FakeHost } from '../../../test/fakes/host.js';
import { collectMacBreadth, macAccounts, parseDfPosix, parseDisplays, parseFdesetup, parseSocketFilterFw } from './macos.js';
import { parseLpstat } from './printers-cups.js';

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/breadth/${name}`, import.meta.url), 'utf8');
const ok = (stdout: string) => ({ stdout, stderr: '', code: 0 });

describe('macOS breadth', () => {
  it('keeps /, Data and external volumes from df and leaves out APFS internals and autofs', () => {
    assert.deepEqual(
      parseDfPosix(fixture('macos-df-kP-l.sonoma.txt')).map((v) => [v.mount, v.freePercent]),
      [
        ['/', 42],
        ['/System/Volumes/Data', 42],
        ['/Volumes/USB Stick', 18],
      ],
    );
  });

  it('reads FileVault, the firewall, displays, printers and the admin group', () => {
    assert.equal(parseFdesetup(fixture('macos-fdesetup-status.on.txt')), 'on');
    assert.equal(parseFdesetup(fixture('macos-fdesetup-status.in-progress.txt')), 'partial');
    assert.equal(parseFdesetup('FileVault is Off.\n'), 'off');
    assert.equal(parseSocketFilterFw(fixture('macos-socketfilterfw-getglobalstate.enabled.txt')), 'on');
    assert.equal(parseSocketFilterFw('Firewall is disabled. (State = 0)\n'), 'off');
    assert.deepEqual(parseDisplays(fixture('macos-system_profiler-SPDisplaysDataType.json')), [
      { vendor: '610', model: 'Color LCD', serial: 'fd626d62' },
      { vendor: '1e6d', model: 'LG HDR 4K', serial: '5c2f1' },
    ]);
    assert.deepEqual(parseLpstat(fixture('lpstat-v.txt'), fixture('lpstat-d.txt')), [
      { name: 'HP_LaserJet_M404', port: 'ipp://printer.corp.example.com/ipp/print', isDefault: true },
      { name: 'Office', port: 'dnssd://Brother%20MFC._ipp._tcp.local./?uuid=e3248000', isDefault: false },
      { name: 'Guest', port: 'ipp://10.0.0.9/ipp/print', isDefault: false },
    ]);
    const { accounts, groups } = macAccounts(
      fixture('macos-dscl-list-Users-UniqueID.txt'),
      fixture('macos-dscl-read-Groups-admin-GroupMembership.txt'),
    );
    assert.deepEqual(accounts, [
      { name: 'anna', uid: '501', admin: true, groups: ['admin'] },
      { name: 'ben', uid: '502', admin: false, groups: [] },
    ]);
    assert.deepEqual(groups, [{ name: 'admin', gid: '80', admin: true, members: ['anna', 'root'] }]);
  });

  it('collects through the host: FileVault marks the system volumes, a missing tool leaves its part unknown', async () => {
    const host = new FakeHost('darwin')
      .command('df', ok(fixture('macos-df-kP-l.sonoma.txt')))
      .command('fdesetup', ok(fixture('macos-fdesetup-status.on.txt')))
      .command('/usr/libexec/ApplicationFirewall/socketfilterfw', ok('Firewall is disabled. (State = 0)\n'))
      .command('defaults read /Library/Preferences/com.apple.SoftwareUpdate LastRecommendedUpdatesAvailable', ok('2\n'))
      .command('defaults read /Library/Preferences/com.apple.SoftwareUpdate LastFullSuccessfulDate', ok('2026-11-30 09:15:00 +0000\n'));
    const warned: string[] = [];
    const b = await collectMacBreadth(host, (p) => warned.push(p));
    assert.deepEqual(
      b.volumes?.map((v) => [v.mount, v.encryption ?? null]),
      [
        ['/', 'FileVault'],
        ['/System/Volumes/Data', 'FileVault'],
        ['/Volumes/USB Stick', null],
      ],
    );
    assert.deepEqual(b.security, { firewall: 'off', diskEncryption: 'on', pendingUpdates: 2, lastUpdateAt: '2026-11-30T09:15:00.000Z' });
    assert.equal(b.monitors, undefined);
    assert.deepEqual(warned.sort(), ['accounts', 'monitors', 'printers']);
  });
});
