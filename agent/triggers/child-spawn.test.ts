// The real spawner with a real child process standing in for PowerShell: lines arrive as events,
// stdin reaches the child (as scutil's commands do), and a child that exits is started again.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../shared/log.js';
import { spawnWatch } from './child-spawn.js';
import { ChildWatcher } from './child-watcher.js';
import { systemClock } from './system.js';
import type { WatchEvent } from './watch-protocol.js';

// Echoes its first stdin line back as a protocol line, prints a session event, then exits.
const CHILD = `
process.stdout.write('ready 1 fake=1\\r\\n');
process.stdin.once('data', (d) => {
  process.stdout.write('software ' + String(d).split('\\n')[0] + '\\n');
  process.stdout.write('session logon\\n');
  setTimeout(() => process.exit(3), 20);
});`;

describe('spawnWatch (real child process)', () => {
  // The system clock's timers do not hold the process open (the agent's own choice); this does, while a test waits.
  let keepAlive: NodeJS.Timeout;
  beforeEach(() => (keepAlive = setInterval(() => undefined, 1_000)));
  afterEach(() => clearInterval(keepAlive));

  it('reads lines, feeds stdin, and restarts the child when it exits', async () => {
    const events: WatchEvent[] = [];
    const watcher = new ChildWatcher({
      command: { label: 'node-child', file: process.execPath, args: ['-e', CHILD], stdin: 'appx\n' },
      spawn: spawnWatch,
      clock: systemClock,
      log: silentLogger,
      random: () => 0.05, // 50 ms first restart delay
    });
    const twoRuns = new Promise<void>((resolve) => {
      watcher.start((e) => {
        events.push(e);
        if (events.filter((x) => x.kind === 'session').length === 2) resolve();
      });
    });
    await twoRuns;
    watcher.stop();
    assert.deepEqual(events.slice(0, 3), [
      { kind: 'ready', version: 1, details: 'fake=1' },
      { kind: 'software', source: 'appx' },
      { kind: 'session', event: 'logon' },
    ]);
    assert.equal(events.filter((e) => e.kind === 'ready').length, 2, 'started a second time after exiting');
  });

  it('a program that does not exist ends as an exit with ENOENT, not a crash', async () => {
    const reason = await new Promise<string>((resolve) => {
      const child = spawnWatch({ label: 'missing', file: '/nonexistent/powershell.exe', args: [] });
      child.onExit(resolve);
    });
    assert.match(reason, /ENOENT/);
  });
});
