// The OS event watchers' events drive the same debounced scans as file changes do on Linux.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { silentLogger } from '../../shared/log.js';
import { DEFAULT_SETTINGS } from '../../shared/protocol.js';
import { FakeHost } from '../../test/fakes/host.js';
import type { EventSource } from './child-watcher.js';
import { Triggers } from './triggers.js';
import type { ScanRequest } from './types.js';
import { parseWatchLine, type WatchEvent } from './watch-protocol.js';

class FakeSource implements EventSource {
  emit: (e: WatchEvent) => void = () => undefined;
  started = 0;
  stopped = 0;
  start(onEvent: (e: WatchEvent) => void): void {
    this.started++;
    this.emit = onEvent;
  }
  stop(): void {
    this.stopped++;
  }
}

function setup() {
  const source = new FakeSource();
  const seen: (ScanRequest & { at: number })[] = [];
  const triggers = new Triggers({
    settings: DEFAULT_SETTINGS,
    watchPaths: [],
    logonPaths: [],
    hostnamePaths: [],
    host: new FakeHost('win32', 'desk-7'),
    log: silentLogger,
    eventSources: [source],
    onScan: (req) => void seen.push({ ...req, at: Date.now() }),
  });
  return { source, seen, triggers, later: () => seen.filter((s) => s.trigger !== 'startup') };
}

describe('Triggers with OS event watchers', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
  afterEach(() => mock.timers.reset());

  it('an MSI install (a burst of Uninstall-key changes) becomes one software scan a second after the last', () => {
    const { source, triggers, later } = setup();
    triggers.start();
    for (let i = 0; i < 20; i++) {
      source.emit({ kind: 'software', source: 'registry', id: 'hklm' });
      mock.timers.tick(100);
    }
    assert.deepEqual(later(), []);
    mock.timers.tick(900);
    assert.deepEqual(
      later().map((s) => [s.trigger, s.scope, s.at]),
      [['software-change', 'software', 2_900]],
    );
    triggers.stop();
  });

  it('a logon event re-reads the users at once (after the 1 s debounce), not at the 30-minute refresh', () => {
    const { source, triggers, later } = setup();
    triggers.start();
    source.emit({ kind: 'session', event: 'logon' });
    mock.timers.tick(1_000);
    assert.deepEqual(
      later().map((s) => [s.trigger, s.scope]),
      [['logon', 'users']],
    );
    triggers.stop();
  });

  it('the whole Windows sample drives one software scan and one users scan', () => {
    const { source, triggers, later } = setup();
    triggers.start();
    const text = readFileSync(new URL('../../test/fixtures/watchers/windows-watch-events.sample.txt', import.meta.url), 'utf8');
    for (const line of text.split('\n')) {
      const event = parseWatchLine(line);
      if (event) source.emit(event);
    }
    mock.timers.tick(1_000);
    assert.deepEqual(
      later()
        .map((s) => s.trigger)
        .sort(),
      ['logon', 'software-change'],
    );
    triggers.stop();
  });

  it('ready and warn lines scan nothing; events after stop() scan nothing; stop() stops the watcher', () => {
    const { source, triggers, later } = setup();
    triggers.start();
    assert.equal(source.started, 1);
    source.emit({ kind: 'ready', version: 1, details: '' });
    source.emit({ kind: 'warn', text: 'cannot watch hku:S-1-5-21-1' });
    mock.timers.tick(5_000);
    assert.deepEqual(later(), []);
    triggers.stop();
    assert.equal(source.stopped, 1);
    source.emit({ kind: 'software', source: 'appx' });
    mock.timers.tick(5_000);
    assert.deepEqual(later(), []);
  });
});
