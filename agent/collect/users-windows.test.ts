import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FakeHost } from '../../test/fakes/host.js';
import { decodePowerShellArgs } from './software/powershell.js';
import { toUsers } from './system.js';
import { parseQuser, parseWindowsUsers, windowsUsers } from './users-windows.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/users/${name}`, import.meta.url), 'utf8');
const VDI = fixture('windows-quser.vdi-server.txt');

describe('Windows signed-in users', () => {
  it('reads every session of a published quser listing, disconnected ones included', () => {
    assert.deepEqual(parseQuser(VDI), [
      { user: 'admin.xxxxxxxx', id: 2, state: 'Disc' },
      { user: 'admin.xxxxx', sessionName: 'rdp-tcp#54', id: 3, state: 'Active' },
      { user: 'xxxxxxxx', id: 4, state: 'Disc' },
      { user: 'vertigoray', sessionName: 'console', id: 5, state: 'Active' },
    ]);
  });

  it('reads German output the same way (headers and states are localised, the layout is not)', () => {
    assert.deepEqual(parseQuser(fixture('windows-quser.de.txt')), [{ user: 'manfred', sessionName: 'console', id: 4, state: 'Aktiv' }]);
  });

  it('finds no session in a header alone, "No User exists", or CRLF blank lines', () => {
    assert.deepEqual(parseQuser(' USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME\r\n'), []);
    assert.deepEqual(parseQuser('No User exists for *\r\n\r\n'), []);
  });

  it('keeps the domain from the shells owners: a domain user and a local user of the same name stay apart', () => {
    const output = [
      '#quser',
      VDI.replace(/\n/g, '\r\n'),
      '#owners',
      '2\tCONTOSO\tadmin.xxxxxxxx',
      '3\tCONTOSO\tadmin.xxxxx',
      '4\tVDI-07\txxxxxxxx',
      '5\tCONTOSO\tvertigoray',
      '',
    ].join('\r\n');
    assert.deepEqual(parseWindowsUsers(output), [
      { user: 'CONTOSO\\admin.xxxxxxxx', tty: 'disconnected' },
      { user: 'CONTOSO\\admin.xxxxx', tty: 'rdp-tcp#54' },
      { user: 'VDI-07\\xxxxxxxx', tty: 'disconnected' },
      { user: 'CONTOSO\\vertigoray', tty: 'console' },
    ]);
    // In the inventory the domain is its own field (the publisher's masked "xxxxxxxx" counts as junk there).
    assert.deepEqual(toUsers(parseWindowsUsers(output)).slice(0, 2), [
      { name: 'admin.xxxxxxxx', domain: 'CONTOSO', terminal: 'disconnected' },
      { name: 'admin.xxxxx', domain: 'CONTOSO', terminal: 'rdp-tcp#54' },
    ]);
  });

  it('takes the whole name from the owner when quser cut it at 20 characters', () => {
    const output =
      '#quser\n USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME\n>christopher.montgom  console             1  Active      none   8/14/2019 6:52 AM\n#owners\n1\tCONTOSO\tchristopher.montgomery\n';
    assert.deepEqual(parseWindowsUsers(output), [{ user: 'CONTOSO\\christopher.montgomery', tty: 'console' }]);
  });

  it('without quser (Home editions) the shells owners are the users', () => {
    assert.deepEqual(parseWindowsUsers('#quser\r\n#owners\r\n1\tDESK-7\tanna\r\n2\tAzureAD\tBenKowalski\r\n'), [
      { user: 'DESK-7\\anna', tty: 'session 1' },
      { user: 'AzureAD\\BenKowalski', tty: 'session 2' },
    ]);
  });

  it('runs users.ps1 through Windows PowerShell and fails loudly when the script did not run', async () => {
    const host = new FakeHost('win32').setEnv('SystemRoot', 'C:\\Windows');
    const ps = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
    host.command(ps, { stdout: `#quser\r\n${VDI}#owners\r\n5\tCONTOSO\tvertigoray\r\n`, stderr: '', code: 0 });
    const users = await windowsUsers(host);
    assert.equal(users.length, 4);
    assert.match(decodePowerShellArgs(host.calls[0]!.args) ?? '', /quser\.exe[\s\S]*GetOwner/);
    const broken = new FakeHost('win32').setEnv('SystemRoot', 'C:\\Windows').command(ps, { stdout: '', stderr: 'Access denied', code: 1 });
    await assert.rejects(windowsUsers(broken), /users script failed: Access denied/);
  });
});
