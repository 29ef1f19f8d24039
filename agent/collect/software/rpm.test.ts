import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FakeHost } from '../../../test/fakes/host.js';
import { RPM_QUERY_FORMAT, parseRpmQuery, rpmCollector, rpmVersion } from './rpm.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseRpmQuery', () => {
  it('reads a real rpm 4.18 answer to our own query format, epoch and (none) included', () => {
    assert.deepEqual(parseRpmQuery(fixture('linux-rpm-qa-outpost-format.probe.txt')), [
      {
        name: 'outpost-probe',
        version: '2:1.4-3.mga2.tainted',
        publisher: 'Outpost Test',
        arch: 'noarch',
        source: 'rpm',
        scope: 'machine',
        installDate: '2026-11-23',
      },
      { name: 'novendor-probe', version: '0.9-1', arch: 'noarch', source: 'rpm', scope: 'machine', installDate: '2026-11-23' },
    ]);
  });

  // The Mageia recording used another query format (NAME ARCH VERSION-RELEASE INSTALLTIME SIZE VENDOR
  // SUMMARY GROUP, no epoch). Its real values are laid out in our order so the parser meets them;
  // VERSION-RELEASE splits exactly at the last '-', because rpm allows no '-' inside either part.
  const mageia = fixture('linux-rpm-qa-queryformat.mageia2.txt')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [name, arch, versionRelease, installTime, , vendor] = line.split('\t');
      const dash = versionRelease!.lastIndexOf('-');
      return [name, '0', versionRelease!.slice(0, dash), versionRelease!.slice(dash + 1), arch, vendor, installTime].join('\t');
    })
    .join('\n');

  it('handles the field contents of a recorded Mageia 2 machine', () => {
    const items = parseRpmQuery(mageia);
    assert.equal(items.length, 10);
    const swresample = items.find((s) => s.name === 'lib64swresample0');
    assert.deepEqual(swresample, {
      name: 'lib64swresample0',
      version: '0.10.2-2.mga2.tainted',
      publisher: 'Mageia.Org',
      arch: 'x86_64',
      source: 'rpm',
      scope: 'machine',
      installDate: '2012-04-12',
    });
    assert.equal(items.find((s) => s.name === 'libpciaccess0')?.installDate, '2011-07-19'); // 1311080703 s, UTC
    assert.equal(items.find((s) => s.name === 'ruby-term-ansicolor')?.arch, 'noarch');
    assert.equal(items.find((s) => s.name === 'perl-Gtk2-ImageView')?.publisher, 'Mageia');
    assert.equal(items.find((s) => s.name === 'lib64tidy-devel')?.version, '20090904-3.mga1');
  });

  it('leaves out signing keys, and skips lines of the wrong shape without failing', () => {
    const text = [
      'gpg-pubkey\t0\tb86b3716\t61e69f29\t(none)\t(none)\t1642503977', // key id as in the AlmaLinux 9 recording
      'truncated\t0\t1.0',
      '',
      'too\tmany\t1\t2\t3\t4\t5\t6',
      '\t0\t1.0\t1\tx86_64\tV\t1', // no name
      'bash\t0\t5.1.8\t9.el9\tx86_64\tAlmaLinux\tnot-a-number\r',
    ].join('\n');
    assert.deepEqual(parseRpmQuery(text), [
      { name: 'bash', version: '5.1.8-9.el9', publisher: 'AlmaLinux', arch: 'x86_64', source: 'rpm', scope: 'machine' },
    ]);
  });

  it('shows an epoch only when it is set and not zero', () => {
    assert.equal(rpmVersion('0', '1.2', '3'), '1.2-3');
    assert.equal(rpmVersion('(none)', '1.2', '3'), '1.2-3'); // %{EPOCH} style, for older rpm
    assert.equal(rpmVersion('12', '1.2', '3'), '12:1.2-3');
    assert.equal(rpmVersion('1', '1.2', '(none)'), '1:1.2');
    assert.equal(rpmVersion('1', '(none)', '3'), undefined);
  });
});

describe('rpmCollector', () => {
  const line = 'bash\t0\t5.2.26\t3.fc40\tx86_64\tFedora Project\t1714000000\n';

  it('asks rpm for every package in its tab-separated format', async () => {
    const host = new FakeHost().dir('/var/lib/rpm').command('rpm', line);
    const items = await rpmCollector.collect(host);
    assert.deepEqual(
      host.calls.map((c) => c.args),
      [['-qa', '--queryformat', RPM_QUERY_FORMAT]],
    );
    assert.deepEqual(
      items.map((s) => [s.name, s.version, s.installDate]),
      [['bash', '5.2.26-3.fc40', '2024-04-24']],
    );
  });

  it('returns nothing, without running rpm, where there is no rpm database', async () => {
    const host = new FakeHost().command('rpm', line); // e.g. Debian with the rpm tool for alien
    assert.deepEqual(await rpmCollector.collect(host), []);
    assert.equal(host.calls.length, 0);
    assert.deepEqual(await rpmCollector.watchPaths!(host), []);
  });

  it('returns nothing when the rpm tool is missing', async () => {
    assert.deepEqual(await rpmCollector.collect(new FakeHost().dir('/var/lib/rpm')), []);
  });

  it('fails when rpm exits non-zero without output, and names the reason', async () => {
    const host = new FakeHost()
      .dir('/var/lib/rpm')
      .command('rpm', { stdout: '', stderr: 'error: cannot open Packages database\n', code: 1 });
    await assert.rejects(rpmCollector.collect(host), /code 1: error: cannot open Packages database/);
  });

  it('watches the real database folder, preferring the /usr one that /var/lib/rpm links to', async () => {
    assert.deepEqual(await rpmCollector.watchPaths!(new FakeHost().dir('/var/lib/rpm')), ['/var/lib/rpm']);
    const fedora = new FakeHost().dir('/var/lib/rpm').dir('/usr/lib/sysimage/rpm');
    assert.deepEqual(await rpmCollector.watchPaths!(fedora), ['/usr/lib/sysimage/rpm']);
  });
});
