import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseScutilLine } from './os-events.js';
import { parseWatchLine } from './watch-protocol.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/watchers/${name}`, import.meta.url), 'utf8');

describe('watch line protocol', () => {
  it('reads every line of the Windows watcher sample (CRLF) as its event', () => {
    const lines = fixture('windows-watch-events.sample.txt')
      .split('\n')
      .filter((l) => l.length > 0);
    assert.deepEqual(lines.map(parseWatchLine), [
      { kind: 'ready', version: 1, details: 'registry=4 appx=1 sessions=1' },
      { kind: 'warn', text: 'cannot watch hku:S-1-5-21-1004336348-1177238915-682003330-1002' },
      { kind: 'software', source: 'registry', id: 'hklm' },
      { kind: 'software', source: 'registry', id: 'hklm' },
      { kind: 'software', source: 'registry', id: 'hklm32' },
      { kind: 'software', source: 'appx' },
      { kind: 'session', event: 'logon' },
      { kind: 'software', source: 'registry', id: 'hku:S-1-12-1-3153945342-1278361946-1357366168-2453096416' },
      { kind: 'session', event: 'disconnect' },
      { kind: 'session', event: 'reconnect' },
      { kind: 'session', event: 'logoff' },
    ]);
  });

  it('ignores lines it does not understand instead of guessing', () => {
    for (const line of [
      '',
      'READY 1',
      'ready one',
      'software',
      'software registry HKCU',
      'software registry hku:../../etc',
      'software msi',
      'session lock',
      'session logon 3',
      'warn',
      'hello world',
      `warn ${'x'.repeat(1_000)}`,
      'warn two\u0000lines',
      'session logon\u001b[2J',
    ]) {
      assert.equal(parseWatchLine(line), undefined, JSON.stringify(line));
    }
  });

  it('keeps a future version number so the watcher can refuse it', () => {
    assert.deepEqual(parseWatchLine('ready 2'), { kind: 'ready', version: 2, details: '' });
  });

  it("turns scutil's console-user notifications into session changes (sample from Apple's format strings)", () => {
    const lines = fixture('macos-scutil-n-watch.sample.txt')
      .split('\n')
      .filter((l) => l.length > 0);
    assert.deepEqual(lines.map(parseScutilLine), [
      'skip',
      { kind: 'session', event: 'change' },
      'skip',
      { kind: 'session', event: 'change' },
    ]);
    assert.equal(parseScutilLine('  12:00:00.000000 changedKey [0] = State:/Network/Global/IPv4'), undefined);
  });
});
