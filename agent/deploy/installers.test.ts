import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandPackage } from '../../shared/deploy.js';
import { exitMeaning, installCommand } from './installers.js';

const pkg = (over: Partial<CommandPackage>): CommandPackage => ({
  id: 'p',
  name: 'Tool',
  version: '1.0',
  installer: 'deb',
  file: { sha256: 'a'.repeat(64), size: 1 },
  managerPackage: null,
  args: [],
  detection: { name: 'Tool' },
  timeoutSeconds: 600,
  retries: 0,
  ...over,
});
const both = { aptGet: true, dnf: true };
const none = { aptGet: false, dnf: false };
const line = (c: { file: string; args: string[] }) => [c.file, ...c.args].join(' ');

describe('installer command lines', () => {
  it('Windows: msiexec /i file /qn /norestart with the package properties, and winget by exact id', () => {
    const msi = installCommand(
      pkg({ installer: 'msi', args: ['ALLUSERS=1', 'INSTALLDIR=C:\\Program Files\\Tool'] }),
      'C:\\ProgramData\\Outpost\\deploy\\x.msi',
      none,
    );
    assert.deepEqual(
      [msi.file, ...msi.args],
      [
        'msiexec.exe',
        '/i',
        'C:\\ProgramData\\Outpost\\deploy\\x.msi',
        '/qn',
        '/norestart',
        'ALLUSERS=1',
        'INSTALLDIR=C:\\Program Files\\Tool',
      ],
    );
    const winget = installCommand(
      pkg({ installer: 'winget', file: null, managerPackage: 'Mozilla.Firefox', args: ['--scope', 'machine'] }),
      null,
      none,
    );
    assert.equal(
      line(winget),
      'winget.exe install --id Mozilla.Firefox --exact --silent --accept-package-agreements --accept-source-agreements --disable-interactivity --scope machine',
    );
  });

  it('macOS: installer -pkg file -target /', () => {
    assert.equal(
      line(installCommand(pkg({ installer: 'pkg' }), '/var/outpost/deploy/x.pkg', none)),
      '/usr/sbin/installer -pkg /var/outpost/deploy/x.pkg -target /',
    );
  });

  it('Linux: apt-get (dpkg without apt), dnf (rpm without dnf), and manager packages after --', () => {
    assert.equal(line(installCommand(pkg({}), '/s/x.deb', both)), 'apt-get install -y -o DPkg::Lock::Timeout=300 /s/x.deb');
    assert.equal(line(installCommand(pkg({}), '/s/x.deb', none)), 'dpkg -i /s/x.deb');
    assert.equal(line(installCommand(pkg({ installer: 'rpm' }), '/s/x.rpm', both)), 'dnf install -y /s/x.rpm');
    assert.equal(line(installCommand(pkg({ installer: 'rpm' }), '/s/x.rpm', none)), 'rpm -U /s/x.rpm');
    assert.equal(
      line(installCommand(pkg({ installer: 'apt', file: null, managerPackage: 'htop' }), null, both)),
      'apt-get install -y -o DPkg::Lock::Timeout=300 -- htop',
    );
    assert.equal(line(installCommand(pkg({ installer: 'dnf', file: null, managerPackage: 'htop' }), null, both)), 'dnf install -y -- htop');
    assert.deepEqual(installCommand(pkg({}), '/s/x.deb', both).env, { DEBIAN_FRONTEND: 'noninteractive' });
  });
});

describe('installer exit codes', () => {
  it('msiexec: 0 done, 3010 and 1641 done with a restart needed, 1618 worth another try, others failures', () => {
    assert.deepEqual(exitMeaning('msi', 0, ''), { outcome: 'succeeded', rebootRequired: false });
    assert.deepEqual(exitMeaning('msi', 3010, ''), { outcome: 'succeeded', rebootRequired: true });
    assert.deepEqual(exitMeaning('msi', 1641, ''), {
      outcome: 'succeeded',
      rebootRequired: true,
      note: 'Windows Installer started a restart',
    });
    assert.deepEqual(exitMeaning('msi', 1618, ''), {
      outcome: 'failed',
      transient: true,
      reason: 'msiexec exited with 1618: another installation is already in progress',
    });
    assert.deepEqual(exitMeaning('msi', 1603, ''), {
      outcome: 'failed',
      transient: false,
      reason: 'msiexec exited with 1603: a fatal error occurred during installation',
    });
    assert.deepEqual(exitMeaning('msi', 42, ''), {
      outcome: 'failed',
      transient: false,
      reason: 'msiexec exited with 42: see the Windows Installer log',
    });
  });

  it('winget: already installed counts as done; macOS installer and Linux tools: non-zero fails, a held lock is transient', () => {
    assert.equal(exitMeaning('winget', 0x8a15002b | 0, '').outcome, 'succeeded');
    assert.deepEqual(exitMeaning('winget', 0x8a150109 | 0, ''), {
      outcome: 'failed',
      transient: true,
      reason: 'winget exited with 0x8a150109',
    });
    assert.deepEqual(exitMeaning('pkg', 1, ''), { outcome: 'failed', transient: false, reason: 'installer exited with 1' });
    assert.deepEqual(exitMeaning('deb', 100, 'E: Could not get lock /var/lib/dpkg/lock-frontend'), {
      outcome: 'failed',
      transient: true,
      reason: 'apt-get/dpkg exited with 100',
    });
    assert.equal((exitMeaning('deb', 1, 'dependency problems') as { transient: boolean }).transient, false);
    assert.equal(exitMeaning('rpm', 0, '').outcome, 'succeeded');
  });
});
