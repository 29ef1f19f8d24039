import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { silentLogger } from '../../shared/log.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { ChildWatcher, type WatchChild, type WatchCommand } from './child-watcher.js';
import { systemClock } from './system.js';
import type { WatchEvent } from './watch-protocol.js';

/** A child whose output and death the test decides. */
class FakeChild implements WatchChild {
  killed = false;
  private line: (l: string) => void = () => undefined;
  private exit: (r: string) => void = () => undefined;
  onLine(fn: (l: string) => void): void {
    this.line = fn;
  }
  onStderr(): void {}
  onExit(fn: (r: string) => void): void {
    this.exit = fn;
  }
  kill(): void {
    this.killed = true;
    this.exit('signal SIGTERM');
  }
  print(line: string): void {
    this.line(line);
  }
  die(reason = 'exit code 1'): void {
    this.exit(reason);
  }
}

const COMMAND: WatchCommand = { label: 'test', file: 'powershell.exe', args: ['-File', 'watch-events.ps1'] };

function setup(log = silentLogger) {
  const children: FakeChild[] = [];
  const events: WatchEvent[] = [];
  const watcher = new ChildWatcher({
    command: COMMAND,
    clock: systemClock,
    log,
    random: () => 0.999, // always the ceiling: 1 s, 2 s, 4 s ...
    spawn: () => {
      const c = new FakeChild();
      children.push(c);
      return c;
    },
  });
  return { watcher, children, events, start: () => watcher.start((e) => events.push(e)) };
}

describe('ChildWatcher', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
  afterEach(() => mock.timers.reset());

  it('passes the protocol events on and ignores the rest', () => {
    const log = new RecordingLogger();
    const { children, events, start, watcher } = setup(log);
    start();
    const child = children[0]!;
    child.print('ready 1 registry=3 appx=1 sessions=1');
    child.print('Register-WmiEvent : Access denied');
    child.print('something else odd');
    child.print('software registry hklm');
    child.print('session logon');
    assert.deepEqual(
      events.map((e) => e.kind),
      ['ready', 'software', 'session'],
    );
    assert.equal(log.entries.filter((e) => /not its protocol/.test(e.msg ?? '')).length, 1, 'one warning per child, not per line');
    watcher.stop();
  });

  it('restarts a dead child after a growing backoff, and from the shortest one after a healthy run', () => {
    const { children, start, watcher } = setup();
    start();
    children[0]!.die();
    mock.timers.tick(998);
    assert.equal(children.length, 1, 'not before the first delay (just under 1 s)');
    mock.timers.tick(1);
    assert.equal(children.length, 2);
    children[1]!.die();
    mock.timers.tick(1_997);
    assert.equal(children.length, 2, 'second delay is longer (just under 2 s)');
    mock.timers.tick(1);
    assert.equal(children.length, 3);
    mock.timers.tick(60_000); // this one runs a healthy minute
    children[2]!.die();
    mock.timers.tick(999);
    assert.equal(children.length, 4, 'backoff starts over after a healthy run');
    watcher.stop();
  });

  it('a child that cannot start at all (no PowerShell) is retried slowly, never in a loop', () => {
    const { children, start, watcher } = setup();
    start();
    for (let i = 0; i < 12; i++) {
      children.at(-1)!.die('ENOENT: spawn powershell.exe ENOENT');
      mock.timers.tick(5 * 60_000);
    }
    assert.equal(children.length, 13, 'one start per backoff delay');
    watcher.stop();
  });

  it('stop() kills the child and no restart follows', () => {
    const { children, start, watcher } = setup();
    start();
    watcher.stop();
    assert.equal(children[0]!.killed, true);
    mock.timers.tick(10 * 60_000);
    assert.equal(children.length, 1);
  });

  it('a script from another release (ready 2) is stopped and not restarted', () => {
    const { children, events, start } = setup();
    start();
    children[0]!.print('ready 2');
    children[0]!.print('software appx');
    assert.equal(children[0]!.killed, true);
    mock.timers.tick(10 * 60_000);
    assert.equal(children.length, 1);
    assert.deepEqual(events, []);
  });
});
