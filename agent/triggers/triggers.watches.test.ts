import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { Logger } from '../../shared/log.js';
import { DEFAULT_SETTINGS } from '../../shared/protocol.js';
import { FakeHost } from '../../test/fakes/host.js';
import { Triggers, type TriggersOptions } from './triggers.js';
import type { WatchHandle, Watcher } from './types.js';

const MIN = 60_000;

/** Directories that exist, watches that are open, and a way to make the OS report a change. */
class FakeWatcher implements Watcher {
  readonly open = new Map<string, { onChange: (f: string | null) => void; onError: (e: Error) => void }>();
  readonly failWith = new Map<string, string>();
  constructor(readonly dirs: Set<string>) {}

  watch(dir: string, onChange: (f: string | null) => void, onError: (e: Error) => void): WatchHandle {
    const code = this.failWith.get(dir) ?? (this.dirs.has(dir) ? undefined : 'ENOENT');
    if (code) throw Object.assign(new Error(`watch ${dir}: ${code}`), { code });
    this.open.set(dir, { onChange, onError });
    return { close: () => this.open.delete(dir) };
  }

  isDirectory(path: string): boolean {
    return this.dirs.has(path);
  }

  change(dir: string, filename: string | null): void {
    this.open.get(dir)?.onChange(filename);
  }
}

class RecordingLog implements Logger {
  readonly lines: { level: string; msg: string | undefined; obj: object }[] = [];
  debug = (obj: object, msg?: string) => void this.lines.push({ level: 'debug', msg, obj });
  info = (obj: object, msg?: string) => void this.lines.push({ level: 'info', msg, obj });
  warn = (obj: object, msg?: string) => void this.lines.push({ level: 'warn', msg, obj });
  error = (obj: object, msg?: string) => void this.lines.push({ level: 'error', msg, obj });
  child = () => this;
  warnings = () => this.lines.filter((l) => l.level === 'warn');
}

/** Ticks in small steps: Node 20's tick(n) runs a whole span's timers with Date already at its end. */
function advance(ms: number, step = 50): void {
  for (let done = 0; done < ms; done += step) mock.timers.tick(Math.min(step, ms - done));
}

function setup(over: Partial<TriggersOptions> = {}, platform: NodeJS.Platform = 'linux') {
  const host = new FakeHost(platform, 'alpha');
  const watcher = new FakeWatcher(new Set(['/var/lib/dpkg', '/run', '/etc']));
  const log = new RecordingLog();
  const startedAt = Date.now();
  const seen: { trigger: string; scope: string; detail?: string; ms: number }[] = [];
  const triggers = new Triggers({
    settings: DEFAULT_SETTINGS,
    watchPaths: ['/var/lib/dpkg/status'],
    host,
    watcher,
    log,
    onScan: (req) => void seen.push({ ...req, ms: Date.now() - startedAt }),
    ...over,
  });
  const after = (trigger: string) => seen.filter((s) => s.trigger === trigger);
  return { triggers, host, watcher, log, seen, after };
}

describe('Triggers watches', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: Date.UTC(2025, 5, 10, 6) }));
  afterEach(() => mock.timers.reset());

  it('turns ten package-database events within 3 s into one software scan, a second after the last', () => {
    const { triggers, watcher, after } = setup();
    triggers.start();
    for (let i = 0; i < 10; i++) {
      watcher.change('/var/lib/dpkg', 'status');
      advance(300);
    }
    advance(5000);
    assert.deepEqual(after('software-change'), [{ trigger: 'software-change', scope: 'software', ms: 2700 + 1000 }]);
    triggers.stop();
  });

  it('reports a long burst at least every 10 s while it lasts, then once after it ends', () => {
    const { triggers, watcher, after } = setup();
    triggers.start();
    for (let t = 0; t <= 24_500; t += 700) {
      watcher.change('/var/lib/dpkg', 'status');
      advance(700);
    }
    advance(5000);
    assert.deepEqual(
      after('software-change').map((s) => s.ms),
      [10_000, 20_500, 25_500],
    );
    triggers.stop();
  });

  it('ignores other files in the database directory but not an event without a name', () => {
    const { triggers, watcher, after } = setup();
    triggers.start();
    for (const other of ['lock', 'status-old', 'status-new', 'statusX']) watcher.change('/var/lib/dpkg', other);
    advance(3000);
    assert.equal(after('software-change').length, 0);
    watcher.change('/var/lib/dpkg', null);
    advance(3000);
    assert.equal(after('software-change').length, 1);
    triggers.stop();
  });

  it('watches one directory once for several files in it, and a folder path itself', () => {
    const { triggers, watcher, after } = setup({ watchPaths: ['/var/lib/dpkg/status', '/var/lib/dpkg/available', '/opt/apps'] });
    watcher.dirs.add('/opt/apps');
    triggers.start();
    assert.deepEqual([...watcher.open.keys()].sort(), ['/etc', '/opt/apps', '/run', '/var/lib/dpkg']);
    watcher.change('/var/lib/dpkg', 'available');
    advance(2000);
    watcher.change('/opt/apps', 'NewApp.app');
    advance(2000);
    assert.equal(after('software-change').length, 2);
    triggers.stop();
  });

  it('skips a missing database directory quietly and still scans on the others', () => {
    const { triggers, watcher, log, after } = setup({ watchPaths: ['/var/lib/rpm/rpmdb.sqlite', '/var/lib/dpkg/status'] });
    triggers.start();
    assert.equal(log.warnings().length, 0);
    watcher.change('/var/lib/dpkg', 'status');
    advance(2000);
    assert.equal(after('software-change').length, 1);
    triggers.stop();
  });

  it('logs a watch that cannot start (inotify limit) once, and keeps the periodic refresh', () => {
    const { triggers, watcher, log, after } = setup();
    watcher.failWith.set('/var/lib/dpkg', 'ENOSPC');
    triggers.start();
    assert.equal(log.warnings().length, 1);
    assert.equal((log.warnings()[0]!.obj as { code?: string }).code, 'ENOSPC');
    advance(90 * MIN, MIN);
    assert.equal(after('refresh').length, 1);
    assert.equal(log.warnings().length, 1, 'the retry at the refresh does not log again');
    triggers.stop();
  });

  it('reopens a watch that died at the next refresh', () => {
    const { triggers, watcher, after } = setup();
    triggers.start();
    watcher.open.get('/var/lib/dpkg')!.onError(Object.assign(new Error('gone'), { code: 'EPERM' }));
    assert.equal(watcher.open.has('/var/lib/dpkg'), false);
    advance(90 * MIN, MIN);
    watcher.change('/var/lib/dpkg', 'status');
    advance(2000);
    assert.equal(after('software-change').length, 1);
    triggers.stop();
  });

  it('refreshes logged-on users when utmp changes', () => {
    const { triggers, watcher, after } = setup();
    triggers.start();
    watcher.change('/run', 'utmp');
    watcher.change('/run', 'utmp');
    advance(2000);
    assert.deepEqual(
      after('logon').map((s) => s.scope),
      ['users'],
    );
    triggers.stop();
  });

  it('takes a logon notice where no file says so (Windows: the tray connecting)', () => {
    const { triggers, watcher, after } = setup({ watchPaths: [] }, 'win32');
    triggers.start();
    assert.equal(watcher.open.size, 0);
    triggers.notifyLogon();
    advance(2000);
    assert.deepEqual(
      after('logon').map((s) => s.scope),
      ['users'],
    );
    triggers.stop();
  });

  it('matches Windows paths case-insensitively', () => {
    const { triggers, watcher, after } = setup({ watchPaths: ['C:\\ProgramData\\Pkg\\DB.json'] }, 'win32');
    watcher.dirs.add('C:\\ProgramData\\Pkg');
    triggers.start();
    watcher.change('C:\\ProgramData\\Pkg', 'db.JSON');
    advance(2000);
    assert.equal(after('software-change').length, 1);
    triggers.stop();
  });

  it('reports a rename when /etc/hostname changes and the name really differs', () => {
    const { triggers, host, watcher, seen, after } = setup();
    triggers.start();
    watcher.change('/etc', 'hostname');
    advance(2000);
    assert.equal(after('rename').length, 0, 'file touched, same name');
    host.rename('beta');
    watcher.change('/etc', 'hostname');
    advance(2000);
    watcher.change('/etc', 'hostname');
    advance(2000);
    assert.deepEqual(after('rename'), [{ trigger: 'rename', scope: 'full', detail: 'alpha -> beta', ms: 2000 + 1000 }]); // second touch, one debounce later
    assert.equal(seen.length, 2);
    triggers.stop();
  });

  it('stop() closes every watch and drops a pending burst', () => {
    const { triggers, watcher, seen } = setup();
    triggers.start();
    watcher.change('/var/lib/dpkg', 'status');
    triggers.stop();
    assert.equal(watcher.open.size, 0);
    advance(5000);
    assert.deepEqual(
      seen.map((s) => s.trigger),
      ['startup'],
    );
  });
});
