// The real Clock and Watcher: global timers and fs.watch. Nothing here holds the process open, so the
// agent exits when its own work is done rather than when a 90-minute timer runs out.
import { statSync, watch } from 'node:fs';
import type { Clock, TimerHandle, Watcher } from './types.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    // Looked up at call time (not captured at import) so node:test mock.timers can stand in.
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout),
};

export const fsWatcher: Watcher = {
  watch(dir, onChange, onError) {
    const w = watch(dir, { persistent: false }, (_event, filename) => onChange(filename === null ? null : String(filename)));
    w.on('error', onError);
    return { close: () => w.close() };
  },
  isDirectory(path) {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
};
