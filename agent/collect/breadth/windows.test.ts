import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FakeHost } from '../../../test/fakes/host.js';
import { collectWindowsBreadth, decodeProductState, parseWindowsBreadth, splitParts, wmiString } from './windows.js';

const SAMPLE = readFileSync(new URL('../../../test/fixtures/breadth/windows-breadth.composed.txt', import.meta.url), 'utf8');
const GB = 1024 ** 3;

describe('Windows breadth (breadth.ps1 output)', () => {
  it('reads volumes with quantised free space and BitLocker per drive', () => {
    const b = parseWindowsBreadth(SAMPLE);
    assert.deepEqual(b.volumes, [
      {
        mount: 'C:',
        fs: 'NTFS',
        sizeBytes: 510_770_802_688,
        freePercent: 8,
        freeBytes: Math.floor((510_770_802_688 * 8) / 100),
        encrypted: true,
        encryption: 'BitLocker',
      },
      {
        mount: 'D:',
        fs: 'NTFS',
        label: 'Data',
        sizeBytes: 1_000_202_039_296,
        freePercent: 59,
        freeBytes: Math.floor((1_000_202_039_296 * 59) / 100),
        encrypted: false,
      },
    ]);
    assert.equal(b.security?.diskEncryption, 'partial');
    assert.ok(42.9 * GB > 0);
  });

  it('decodes WmiMonitorID’s character arrays and lists printers with the default one', () => {
    const b = parseWindowsBreadth(SAMPLE);
    assert.deepEqual(b.monitors, [{ vendor: 'DEL', model: 'DELL U2720Q', serial: 'CN04W256' }]);
    assert.equal(wmiString([65, 0, 0]), 'A');
    assert.deepEqual(
      b.printers?.map((p) => [p.name, p.isDefault, p.shared, p.port]),
      [
        ['Microsoft Print to PDF', false, false, 'PORTPROMPT:'],
        ['HP LaserJet M404', true, true, 'IP_10.1.20.50'],
      ],
    );
  });

  it('finds administrators by the well-known SID on a German machine and marks disabled accounts', () => {
    const b = parseWindowsBreadth(SAMPLE);
    assert.deepEqual(
      b.accounts?.map((a) => [a.name, a.admin, a.disabled ?? false, a.groups]),
      [
        ['Administrator', true, true, ['Administratoren']],
        ['Guest', false, true, []],
        ['anna', true, false, ['Administratoren', 'Benutzer']],
      ],
    );
    assert.deepEqual(
      b.groups?.map((g) => [g.name, g.admin, g.members.length]),
      [
        ['Administratoren', true, 3],
        ['Benutzer', false, 2],
      ],
    );
  });

  it('decodes firewall, Security Center antivirus state, pending reboot and updates', () => {
    const s = parseWindowsBreadth(SAMPLE).security;
    assert.equal(s?.firewall, 'off', 'the Public profile is off');
    assert.deepEqual(s?.antivirus, [
      { product: 'Windows Defender', enabled: true, upToDate: true },
      { product: 'Contoso AV', enabled: false, upToDate: false },
    ]);
    assert.deepEqual(decodeProductState(0x061100), { enabled: true, upToDate: true });
    assert.equal(s?.rebootRequired, true);
    assert.equal(s?.pendingUpdates, 3);
    assert.equal(s?.lastUpdateAt, '2026-11-28T14:02:11.000Z');
  });

  it('leaves a part that printed nothing or broken JSON unknown, never empty', () => {
    const parts = splitParts('#volumes\n{not json\n#monitors\n\n#updates\n');
    assert.equal(parts.has('volumes'), false);
    assert.deepEqual(parts.get('monitors'), []);
    const b = parseWindowsBreadth('#volumes\n{broken\n#firewall\n#updates\n');
    assert.equal(b.volumes, undefined);
    assert.deepEqual(b.security, {});
  });

  it('runs the script through Windows PowerShell and fails loudly when it did not run', async () => {
    const host = new FakeHost('win32').setEnv('SystemRoot', 'C:\\Windows');
    host.command('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', { stdout: SAMPLE, stderr: '', code: 0 });
    assert.equal((await collectWindowsBreadth(host)).volumes?.length, 2);
    const broken = new FakeHost('win32').setEnv('SystemRoot', 'C:\\Windows');
    broken.command('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', { stdout: '', stderr: 'blocked by policy', code: 1 });
    await assert.rejects(collectWindowsBreadth(broken), /blocked by policy/);
  });
});
