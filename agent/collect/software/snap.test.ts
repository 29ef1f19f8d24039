import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FakeHost } from '../../../test/fakes/host.js';
import { parseSnapList, snapCollector, snapPublisher, tableColumns, tableRow } from './snap.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const table = (output: string) => parseSnapList(output).map((s) => [s.name, s.version, s.publisher]);

describe('parseSnapList', () => {
  it('reads snapd 2.42 output with single-star verified publishers', () => {
    assert.deepEqual(table(fixture('linux-snap-list.2019.txt')), [
      ['core18', '20191030', 'canonical'],
      ['kde-frameworks-5-core18', '5.61.0', 'kde'],
      ['kdenlive', '19.08.2', 'kde'],
      ['scrcpy', 'v1.10', 'sisco311'],
      ['snapd', '2.42', 'canonical'],
    ]);
  });

  it('reads snapd 2.61 output: empty cells stay empty, disabled snaps are left out', () => {
    const items = parseSnapList(fixture('linux-snap-list.2024.txt'));
    const names = items.map((s) => s.name);
    assert.ok(!names.includes('core18') && !names.includes('gtk-common-themes')); // "base,disabled", "disabled"
    assert.deepEqual(
      items.find((s) => s.name === 'testapp'),
      { name: 'testapp', version: '1.0', source: 'snap', scope: 'machine' },
    );
    assert.equal(items.find((s) => s.name === 'bw')?.publisher, 'bitwarden'); // Tracking "-"
    assert.equal(items.find((s) => s.name === 'hello-world')?.version, '6.3'); // held
    assert.equal(items.find((s) => s.name === 'gnome-3-28-1804')?.version, '3.28.0-19-g98f9e67.98f9e67');
    assert.equal(items.find((s) => s.name === 'yubioath-desktop')?.publisher, 'yubico-snap-store');
    assert.ok(items.every((s) => s.arch === undefined && s.scope === 'machine'));
  });

  it('agrees with what snapd itself reported over its API on the same machine', () => {
    const api = JSON.parse(fixture('linux-snapd-v2-snaps.json')) as {
      result: { name: string; version: string; status: string; publisher: { username: string } }[];
    };
    // The API capture was taken at another moment and lacks the try-mode "testapp" row.
    const listed = table(fixture('linux-snap-list.2024.txt')).filter(([name]) => name !== 'testapp');
    const active = api.result.filter((s) => s.status === 'active').map((s) => [s.name, s.version, s.publisher.username]);
    const byName = (a: (string | undefined)[], b: (string | undefined)[]) => (a[0]! < b[0]! ? -1 : 1);
    assert.deepEqual(listed.sort(byName), active.sort(byName));
  });

  it('strips every kind of publisher mark', () => {
    assert.equal(snapPublisher('canonical✓'), 'canonical');
    assert.equal(snapPublisher('someone✪'), 'someone');
    assert.equal(snapPublisher('canonical**'), 'canonical');
    assert.equal(snapPublisher('-'), undefined);
    assert.equal(snapPublisher(''), undefined);
  });

  it('skips lines that are not package rows and returns nothing without a header', () => {
    const output = [
      'Name   Version  Rev  Tracking  Publisher  Notes',
      'hello  2.10     42   stable    canonical* -',
      '',
      'a b c',
      'x',
    ].join('\n');
    assert.deepEqual(table(output), [['hello', '2.10', 'canonical']]);
    assert.deepEqual(parseSnapList('error: something odd\n'), []);
    assert.deepEqual(parseSnapList(''), []);
  });
});

describe('tableColumns', () => {
  it('finds titles with spaces, ignores unknown ones and cuts rows at the offsets', () => {
    const header = 'Application ID  Name  Extra Branch';
    const columns = tableColumns(header, ['Application ID', 'Name', 'Branch', 'Missing']);
    assert.deepEqual(
      columns.map((c) => [c.title, c.start]),
      [
        ['Application ID', 0],
        ['Name', 16],
        ['Branch', 28],
      ],
    );
    assert.deepEqual(tableRow('org.x.App       X App       stable', columns), {
      'Application ID': 'org.x.App',
      Name: 'X App',
      Branch: 'stable',
    });
  });
});

describe('snapCollector', () => {
  const running = () => new FakeHost().dir('/run/snapd.socket');

  it('lists snaps without colour or Unicode marks', async () => {
    const host = running().command('snap', fixture('linux-snap-list.2019.txt'));
    assert.equal((await snapCollector.collect(host)).length, 5);
    assert.deepEqual(
      host.calls.map((c) => [c.file, ...c.args]),
      [['snap', 'list', '--color=never', '--unicode=never']],
    );
  });

  it('returns nothing when snap is not installed or snapd is not running', async () => {
    assert.deepEqual(await snapCollector.collect(running()), []);
    const stopped = new FakeHost().command('snap', { stdout: '', stderr: 'error: cannot communicate with server', code: 1 });
    assert.deepEqual(await snapCollector.collect(stopped), []);
    assert.equal(stopped.calls.length, 0);
  });

  it('fails when snap exits non-zero without output', async () => {
    const host = running().command('snap', { stdout: '', stderr: 'error: cannot list snaps: timeout', code: 1 });
    await assert.rejects(snapCollector.collect(host), /cannot list snaps: timeout/);
  });

  it('watches snapd state only where snapd keeps one', async () => {
    assert.deepEqual(await snapCollector.watchPaths!(new FakeHost()), []);
    const host = new FakeHost().file('/var/lib/snapd/state.json', '{}');
    assert.deepEqual(await snapCollector.watchPaths!(host), ['/var/lib/snapd/state.json']);
  });
});
