import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { itemKey } from '../../../shared/inventory.js';
import { FakeHost } from '../../../test/fakes/host.js';
import { flatpakCollector, flatpakSoftware, parseFlatpakList, passwdAccounts } from './flatpak.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const systemTab = fixture('linux-flatpak-list-system-outpost-columns.probe.txt');
const systemTty = fixture('linux-flatpak-list-system-outpost-columns.tty.probe.txt');
const userTab = fixture('linux-flatpak-list-user-outpost-columns.probe.txt');

describe('parseFlatpakList', () => {
  it('reads the tab-separated form flatpak prints to a pipe, empty version cells included', () => {
    assert.deepEqual(parseFlatpakList(systemTab), [
      {
        application: 'org.outpost.Platform',
        name: 'outpost platform',
        branch: '1.0',
        arch: 'x86_64',
        origin: 'local',
        installation: 'system',
      },
      {
        application: 'org.outpost.Platform',
        name: 'outpost platform',
        branch: '2.0',
        arch: 'x86_64',
        origin: 'local',
        installation: 'system',
      },
      {
        application: 'org.outpost.Probe',
        name: 'Outpost Probe',
        version: '2.5.1',
        branch: 'stable',
        arch: 'x86_64',
        origin: 'local',
        installation: 'system',
      },
    ]);
  });

  it('reads the same listing printed on a terminal: bold header, single-space gaps, CRLF', () => {
    assert.deepEqual(parseFlatpakList(systemTty), parseFlatpakList(systemTab));
  });

  it('reads a recorded listing of other columns, in the order they were asked for', () => {
    const refs = parseFlatpakList(fixture('linux-flatpak-list-columns-application-branch-installation-name.txt'), [
      'application',
      'branch',
      'installation',
      'name',
    ]);
    assert.equal(refs.length, 12);
    assert.deepEqual(refs[7], {
      application: 'org.gnome.Platform',
      name: 'GNOME Application Platform version 3.36',
      branch: '3.36',
      installation: 'system',
    });
  });

  it('reads a recorded terminal listing whose names hold spaces and parentheses', () => {
    const text = fixture('linux-flatpak-list-columns-application-name-branch.tty.txt');
    const refs = parseFlatpakList(text);
    assert.equal(refs.length, text.trim().split('\n').length - 1);
    assert.deepEqual(
      refs.find((r) => r.application === 'com.google.ChromeDev'),
      { application: 'com.google.ChromeDev', name: 'Google Chrome (unstable)', branch: 'stable' },
    );
    assert.ok(refs.some((r) => r.branch === '22.08-extra'));
  });

  it('skips rows of the wrong shape and text that is not a listing', () => {
    const text = 'org.ok.App\tOK\t1\tstable\tx86_64\tflathub\tsystem\nshort\trow\nnot an id\tX\t1\tstable\tx86_64\tflathub\tsystem\n';
    assert.deepEqual(
      parseFlatpakList(text).map((r) => r.application),
      ['org.ok.App'],
    );
    assert.deepEqual(parseFlatpakList('error: something\n'), []);
    assert.deepEqual(parseFlatpakList(''), []);
  });
});

describe('flatpakSoftware', () => {
  it('names an item by application id, adds non-stable branches, and lets the branch stand in for a missing version', () => {
    const [platform1, platform2, probe] = parseFlatpakList(systemTab).map((r) => flatpakSoftware(r));
    assert.deepEqual(probe, { name: 'org.outpost.Probe', version: '2.5.1', arch: 'x86_64', source: 'flatpak', scope: 'machine' });
    assert.deepEqual([platform1!.name, platform1!.version], ['org.outpost.Platform//1.0', '1.0']);
    assert.equal(platform2!.name, 'org.outpost.Platform//2.0');
    const [beta] = parseFlatpakList(userTab).map((r) => flatpakSoftware(r, 'alice'));
    assert.deepEqual(beta, {
      name: 'org.outpost.Probe//beta',
      version: 'beta',
      arch: 'x86_64',
      source: 'flatpak',
      scope: 'user',
      user: 'alice',
    });
  });

  it('gives every installed ref of a recorded machine its own inventory key', () => {
    for (const text of [fixture('linux-flatpak-list-columns-application-name-branch.tty.txt'), systemTab]) {
      const keys = parseFlatpakList(text).map((r) => itemKey.software(flatpakSoftware(r)));
      assert.equal(new Set(keys).size, keys.length);
    }
  });
});

describe('passwdAccounts', () => {
  it('keeps root and people, not daemons, nobody, odd homes or a second account on one home', () => {
    const passwd = [
      'root:x:0:0:root:/root:/bin/bash',
      'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
      'alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash',
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
      'alias:x:1001:1001::/home/alice:/bin/bash',
      'odd:x:1002:1002::relative/home:/bin/sh',
      'broken line',
      'bob:x:2000:2000::/srv/bob:/bin/zsh',
    ].join('\n');
    assert.deepEqual(passwdAccounts(passwd), [
      { name: 'root', home: '/root' },
      { name: 'alice', home: '/home/alice' },
      { name: 'bob', home: '/srv/bob' },
    ]);
  });
});

describe('flatpakCollector', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\n';
  const machine = () =>
    new FakeHost()
      .file('/etc/passwd', passwd)
      .dir('/var/lib/flatpak/repo')
      .dir('/home/alice/.local/share/flatpak/repo')
      .dir('/home/bob/.local/share'); // bob never used flatpak

  it('lists the system installation and each account that has its own', async () => {
    const host = machine().command('flatpak', (args) => ({ stdout: args.includes('--user') ? userTab : systemTab, stderr: '', code: 0 }));
    const items = await flatpakCollector.collect(host);
    assert.deepEqual(
      items.map((s) => [s.name, s.scope, s.user]),
      [
        ['org.outpost.Platform//1.0', 'machine', undefined],
        ['org.outpost.Platform//2.0', 'machine', undefined],
        ['org.outpost.Probe', 'machine', undefined],
        ['org.outpost.Probe//beta', 'user', 'alice'],
      ],
    );
    assert.equal(host.calls.length, 2);
    assert.deepEqual(host.calls[0]!.args, ['list', '--system', '--columns=application,name,version,branch,arch,origin,installation']);
    assert.equal(host.calls[1]!.args[1], '--user');
    assert.deepEqual(host.calls[1]!.options?.env, { HOME: '/home/alice', XDG_DATA_HOME: '/home/alice/.local/share' });
  });

  it('runs nothing where no installation exists, and returns nothing without flatpak', async () => {
    const empty = new FakeHost().file('/etc/passwd', passwd).command('flatpak', systemTab);
    assert.deepEqual(await flatpakCollector.collect(empty), []);
    assert.equal(empty.calls.length, 0);
    assert.deepEqual(await flatpakCollector.collect(machine()), []);
  });

  it('fails when a listing exits non-zero without output', async () => {
    const host = machine().command('flatpak', (args) =>
      args.includes('--user') ? { stdout: '', stderr: 'error: No such ref', code: 1 } : { stdout: systemTab, stderr: '', code: 0 },
    );
    await assert.rejects(flatpakCollector.collect(host), /No such ref/);
  });

  it('watches the change marker of every installation it lists', async () => {
    const host = machine().file('/var/lib/flatpak/.changed', '').file('/home/alice/.local/share/flatpak/.changed', '');
    assert.deepEqual(await flatpakCollector.watchPaths!(host), ['/var/lib/flatpak/.changed', '/home/alice/.local/share/flatpak/.changed']);
    assert.deepEqual(await flatpakCollector.watchPaths!(new FakeHost()), []);
  });
});
