import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FakeHost } from '../../../test/fakes/host.js';
import { createNodeHost } from '../../host/node-host.js';
import { dpkgCollector, maintainerName, parseDpkgStatus } from './dpkg.js';
import { withDpkgLock } from '../../../test/support/deb.js';

const fixture = readFileSync(new URL('./fixtures/linux-var-lib-dpkg-status.trimmed', import.meta.url), 'utf8');
const byName = (name: string) => parseDpkgStatus(fixture).find((p) => p.name === name);

describe('parseDpkgStatus on a recorded status file', () => {
  it('keeps the 16 installed packages and drops git, which only left its config files', () => {
    const names = parseDpkgStatus(fixture).map((p) => p.name);
    assert.equal(names.length, 16);
    assert.ok(names.includes('fdisk') && names.includes('libgcc1'));
    assert.ok(!names.includes('git'));
  });

  it('keeps epochs and is not misled by a version inside Source:', () => {
    assert.equal(byName('bsdutils')?.version, '1:2.31.1-0.4ubuntu3.1'); // Source: util-linux (2.31.1-0.4ubuntu3.1)
    assert.equal(byName('libpcre3')?.version, '2:8.39-9');
    assert.equal(byName('liblzma5')?.version, '5.1.1alpha+20120614-2+b3'); // Source: xz-utils (5.1.1alpha+20120614-2)
    assert.equal(byName('libgcc1')?.version, '1:8-20180414-1ubuntu2');
  });

  it('takes the Maintainer name without its address, never the Original-Maintainer', () => {
    assert.equal(byName('liblzma5')?.publisher, 'Jonathan Nieder');
    // libunistring2 carries "Original-Maintainer: Jörg Frings-Fürst" after its Maintainer line.
    assert.equal(byName('libunistring2')?.publisher, 'Ubuntu Developers');
    assert.equal(byName('libstdc++6')?.publisher, 'Ubuntu Core developers');
  });

  it('reads architecture and the Multi-Arch flag', () => {
    assert.equal(byName('libpam-runtime')?.arch, 'all');
    assert.equal(byName('libc6')?.arch, 'amd64');
    assert.equal(byName('libc6')?.multiArchSame, true);
    assert.equal(byName('bash')?.multiArchSame, false);
  });
});

describe('parseDpkgStatus on hand-written stanzas (no recorded file has these states)', () => {
  const stanza = (name: string, status: string, extra = '') =>
    `Package: ${name}\nStatus: ${status}\nArchitecture: amd64\nVersion: 1.0-1\n${extra}`;

  it('counts held packages and skips not-installed, half-installed and unpacked ones', () => {
    const text = [
      stanza('held', 'hold ok installed'),
      stanza('purged', 'purge ok not-installed'),
      stanza('half', 'install reinstreq half-installed'),
      stanza('unpacked', 'install ok unpacked'),
      stanza('ok', 'install ok installed'),
    ].join('\n');
    assert.deepEqual(
      parseDpkgStatus(text).map((p) => p.name),
      ['held', 'ok'],
    );
  });

  it('ignores field-like text on continuation lines', () => {
    const text = stanza('tool', 'install ok installed', 'Description: a tool\n Version: 9.9\n Package: impostor\n .\n more\n');
    assert.deepEqual(parseDpkgStatus(text), [{ name: 'tool', version: '1.0-1', arch: 'amd64', multiArchSame: false }]);
  });

  it('skips malformed stanzas and survives junk, stray carriage returns and a missing final newline', () => {
    const text = [
      'garbage without colon\nStatus: install ok installed\n', // no Package
      'Package: \nStatus: install ok installed\n', // empty name
      stanza('crlf', 'install ok installed').replace(/\n/g, '\r\n'),
      'Package: last\nStatus: install ok installed',
    ].join('\n');
    assert.deepEqual(
      parseDpkgStatus(text).map((p) => [p.name, p.version]),
      [
        ['crlf', '1.0-1'],
        ['last', undefined],
      ],
    );
    assert.deepEqual(parseDpkgStatus(''), []);
  });

  it('reduces a maintainer to the name, and an address alone to nothing', () => {
    assert.equal(maintainerName('Ondřej Surý <ondrej@debian.org>'), 'Ondřej Surý');
    assert.equal(maintainerName('<root@localhost>'), undefined);
  });
});

describe('dpkgCollector', () => {
  const status =
    'Package: libc6\nStatus: install ok installed\nMulti-Arch: same\nArchitecture: amd64\nVersion: 2.36-9\nMaintainer: GNU Libc Maintainers <x@y>\n\nPackage: dpkg\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.21.22\n';

  it('dates each package by its file list, qualified by architecture for Multi-Arch: same', async () => {
    const host = new FakeHost()
      .file('/var/lib/dpkg/status', status)
      .file('/var/lib/dpkg/info/libc6:amd64.list', '', Date.UTC(2024, 4, 2, 23, 59))
      .file('/var/lib/dpkg/info/dpkg.list', '', Date.UTC(2023, 0, 15));
    assert.deepEqual(await dpkgCollector.collect(host), [
      {
        name: 'libc6',
        version: '2.36-9',
        publisher: 'GNU Libc Maintainers',
        arch: 'amd64',
        source: 'dpkg',
        scope: 'machine',
        installDate: '2024-05-02',
      },
      { name: 'dpkg', version: '1.21.22', arch: 'amd64', source: 'dpkg', scope: 'machine', installDate: '2023-01-15' },
    ]);
  });

  it('returns nothing on a machine without dpkg, and watches the status file only where it exists', async () => {
    const bare = new FakeHost();
    assert.deepEqual(await dpkgCollector.collect(bare), []);
    assert.deepEqual(await dpkgCollector.watchPaths!(bare), []);
    assert.deepEqual(await dpkgCollector.watchPaths!(new FakeHost().file('/var/lib/dpkg/status', status)), ['/var/lib/dpkg/status']);
  });

  it('fails loudly when the status file exists but cannot be read', async () => {
    const host = new FakeHost();
    host.readFile = async () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' }));
    await assert.rejects(dpkgCollector.collect(host), /EACCES/);
  });
});

function readDpkgQuery(): string[][] {
  return execFileSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}\t${Package}\t${Architecture}\t${Version}\t${Maintainer}\n'], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
  })
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

const realDpkg = existsSync('/var/lib/dpkg/status') && existsSync('/usr/bin/dpkg-query');

describe(
  'dpkgCollector on this machine',
  { skip: !realDpkg && 'needs a real dpkg database (/var/lib/dpkg/status and dpkg-query): run on Debian or Ubuntu' },
  () => {
    it('agrees with dpkg-query on every installed package', async () => {
      // Under the tests' dpkg lock: no other test file installs or removes a package between the two reads.
      const { rows, items } = await withDpkgLock(async () => ({
        rows: readDpkgQuery(),
        items: await dpkgCollector.collect(createNodeHost()),
      }));
      // Abbrev is want/status/error; a second letter "i" means installed (ii, hi, ri, pi).
      const installed = rows.filter(([abbrev]) => abbrev![1] === 'i');

      assert.equal(items.length, installed.length);
      const seen = new Map(items.map((s) => [`${s.name}:${s.arch}`, s]));
      for (const [, name, arch, version, maintainer] of installed) {
        const item = seen.get(`${name}:${arch}`);
        assert.ok(item, `${name}:${arch} missing`);
        assert.equal(item.version, version, name);
        assert.equal(item.publisher, maintainer!.replace(/<.*$/, '').trim() || undefined, name);
      }
      const dpkgItself = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'dpkg'], { encoding: 'utf8' });
      assert.equal(items.find((s) => s.name === 'dpkg')?.version, dpkgItself);
      assert.match(items.find((s) => s.name === 'dpkg')?.installDate ?? '', /^\d{4}-\d{2}-\d{2}$/);
    });
  },
);
