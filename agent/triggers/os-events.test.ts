import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeHost } from '../../test/fakes/host.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import type { WatchCommand } from './child-watcher.js';
import { WINDOWS_WATCH_SCRIPT, osEventSources, windowsWatchCommand } from './os-events.js';
import { systemClock } from './system.js';

describe('OS event watchers per platform', () => {
  it('Windows: Windows PowerShell by absolute path runs the shipped script file', () => {
    const host = new FakeHost('win32').setEnv('SystemRoot', 'D:\\WINDOWS');
    const cmd = windowsWatchCommand(host);
    assert.equal(cmd.file, 'D:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    assert.deepEqual(cmd.args.slice(-2), ['-File', WINDOWS_WATCH_SCRIPT]);
    assert.match(WINDOWS_WATCH_SCRIPT, /windows[\\/]watch-events\.ps1$/);
  });

  it('starts one watcher on Windows and macOS, none on Linux (files are watched there)', () => {
    const spawned: WatchCommand[] = [];
    const spawn = (cmd: WatchCommand) => {
      spawned.push(cmd);
      return { onLine: () => undefined, onStderr: () => undefined, onExit: () => undefined, kill: () => undefined };
    };
    const log = new RecordingLogger();
    for (const platform of ['win32', 'darwin', 'linux'] as const) {
      for (const source of osEventSources({ host: new FakeHost(platform), clock: systemClock, log, spawn })) {
        source.start(() => undefined);
        source.stop();
      }
    }
    assert.deepEqual(
      spawned.map((c) => c.label),
      ['windows-events', 'macos-console-user'],
    );
    assert.equal(spawned[1]!.stdin, 'n.add State:/Users/ConsoleUser\nn.watch\n');
  });

  it('an install missing the script says so once and leaves the periodic refresh to do the work', () => {
    const log = new RecordingLogger();
    const sources = osEventSources({
      host: new FakeHost('win32'),
      clock: systemClock,
      log,
      spawn: () => assert.fail('no spawn'),
      windowsScript: '/nonexistent/watch-events.ps1',
    });
    assert.deepEqual(sources, []);
    assert.equal(log.entries.filter((e) => e.level === 'error' && /script is missing/.test(e.msg ?? '')).length, 1);
  });
});
