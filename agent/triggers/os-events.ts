// The OS event watchers of each platform: on Windows one PowerShell child (windows/watch-events.ps1)
// for Uninstall-key, Appx and session changes; on macOS scutil watching the console user. Linux
// needs none: dpkg/rpm databases and utmp are files, watched by dir-watches.ts.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../shared/log.js';
import type { Host } from '../host/host.js';
import { powershellPath } from '../collect/software/powershell.js';
import { ChildWatcher, type EventSource, type LineParser, type SpawnWatch, type WatchCommand } from './child-watcher.js';
import type { Clock } from './types.js';

export const WINDOWS_WATCH_SCRIPT = fileURLToPath(new URL('./windows/watch-events.ps1', import.meta.url));

export function windowsWatchCommand(host: Host, script = WINDOWS_WATCH_SCRIPT): WatchCommand {
  return {
    label: 'windows-events',
    file: powershellPath(host),
    // -File rather than -EncodedCommand: the running script shows by name in Task Manager.
    args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', script],
  };
}

/** scutil reads commands from stdin: subscribe to the console user key and wait for changes. */
export const MACOS_CONSOLE_WATCH: WatchCommand = {
  label: 'macos-console-user',
  file: '/usr/sbin/scutil',
  args: [],
  stdin: 'n.add State:/Users/ConsoleUser\nn.watch\n',
};

/**
 * scutil's notification output, as its source prints it (configd, scutil.tproj/notifications.c,
 * storeCallback): "notification callback (store address = 0x...)." then one
 * "  <time> changedKey [0] = State:/Users/ConsoleUser" line per changed key.
 */
export const parseScutilLine: LineParser = (line) => {
  if (/changedKey \[\d+\] = State:\/Users\/ConsoleUser\s*$/.test(line)) return { kind: 'session', event: 'change' };
  if (/^notification callback|no changed key/.test(line.trim())) return 'skip';
  return undefined;
};

export interface OsEventOptions {
  host: Host;
  clock: Clock;
  log: Logger;
  spawn: SpawnWatch;
  /** Where watch-events.ps1 is; default beside this module (the build copies it there). */
  windowsScript?: string;
}

export function osEventSources(opts: OsEventOptions): EventSource[] {
  const { host, clock, log, spawn } = opts;
  if (host.platform === 'win32') {
    const script = opts.windowsScript ?? WINDOWS_WATCH_SCRIPT;
    if (!existsSync(script)) {
      log.error(
        { script },
        'the Windows event watcher script is missing from this install; installs and logons are seen at the periodic refresh only',
      );
      return [];
    }
    return [new ChildWatcher({ command: windowsWatchCommand(host, script), spawn, clock, log })];
  }
  if (host.platform === 'darwin') {
    return [new ChildWatcher({ command: MACOS_CONSOLE_WATCH, spawn, clock, log, parse: parseScutilLine })];
  }
  return [];
}
