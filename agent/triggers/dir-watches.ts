// Watches files through their parent directory. Package managers and hostnamectl replace their files
// by rename (write status-new, rename over status), which ends an inotify watch on the file itself;
// a watch on the directory survives and sees the new name arrive. A watch path that is itself a
// directory (e.g. a folder of installed apps) is watched directly and any change in it counts.
import { posix, win32 } from 'node:path';
import type { Logger } from '../../shared/log.js';
import type { WatchHandle, Watcher } from './types.js';

/** inotify watches are a per-user budget shared with editors and IDEs; the agent takes few. */
export const MAX_WATCHED_DIRS = 64;

interface Listener {
  /** Entry name to react to, or undefined for any entry of the directory. */
  name: string | undefined;
  onMatch: () => void;
}

export class DirWatches {
  private readonly wanted: { path: string; onMatch: () => void }[] = [];
  private listeners = new Map<string, Listener[]>();
  private readonly open = new Map<string, WatchHandle>();
  /** Directories whose failure was already logged, so a retry every refresh does not repeat it. */
  private readonly reported = new Set<string>();
  private readonly path: typeof posix;
  private readonly foldCase: boolean;

  constructor(
    private readonly watcher: Watcher,
    private readonly log: Logger,
    platform: NodeJS.Platform,
  ) {
    this.path = platform === 'win32' ? win32 : posix;
    // Windows and macOS file systems are case-insensitive by default.
    this.foldCase = platform === 'win32' || platform === 'darwin';
  }

  add(path: string, onMatch: () => void): void {
    this.wanted.push({ path, onMatch });
  }

  /** Opens every watch not yet open. Safe to call again: retries directories that were missing or died. */
  ensure(): void {
    this.listeners = this.resolveListeners();
    for (const dir of this.listeners.keys()) {
      if (!this.open.has(dir)) this.openDir(dir);
    }
  }

  closeAll(): void {
    for (const handle of this.open.values()) handle.close();
    this.open.clear();
  }

  get openDirs(): string[] {
    return [...this.open.keys()];
  }

  private resolveListeners(): Map<string, Listener[]> {
    const byDir = new Map<string, Listener[]>();
    for (const { path, onMatch } of this.wanted) {
      const isDir = this.watcher.isDirectory(path);
      const dir = isDir ? this.path.normalize(path) : this.path.dirname(path);
      const name = isDir ? undefined : this.fold(this.path.basename(path));
      if (!byDir.has(dir) && byDir.size >= MAX_WATCHED_DIRS) {
        this.reportOnce(`limit:${dir}`, () => this.log.warn({ dir, max: MAX_WATCHED_DIRS }, 'too many directories to watch; skipped'));
        continue;
      }
      byDir.set(dir, [...(byDir.get(dir) ?? []), { name, onMatch }]);
    }
    return byDir;
  }

  private openDir(dir: string): void {
    try {
      const handle = this.watcher.watch(
        dir,
        (filename) => this.dispatch(dir, filename),
        (err) => this.onWatchError(dir, err),
      );
      this.open.set(dir, handle);
      this.reported.delete(dir);
      this.log.debug({ dir }, 'watching directory');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.log.debug({ dir }, 'watch directory absent; skipped');
        return;
      }
      this.reportOnce(dir, () =>
        this.log.warn({ dir, code, err: (err as Error).message }, 'cannot watch directory; the periodic refresh still covers it'),
      );
    }
  }

  private onWatchError(dir: string, err: Error): void {
    this.log.warn(
      { dir, code: (err as { code?: unknown }).code, err: err.message },
      'directory watch failed; will retry at the next refresh',
    );
    this.open.get(dir)?.close();
    this.open.delete(dir);
  }

  private dispatch(dir: string, filename: string | null): void {
    const name = filename === null ? undefined : this.fold(this.path.basename(filename));
    const fired = new Set<() => void>();
    for (const l of this.listeners.get(dir) ?? []) {
      // No filename from the OS means "something in here changed": every listener must assume it was theirs.
      if (l.name !== undefined && name !== undefined && l.name !== name) continue;
      if (fired.has(l.onMatch)) continue;
      fired.add(l.onMatch);
      l.onMatch();
    }
  }

  private fold(name: string): string {
    return this.foldCase ? name.toLowerCase() : name;
  }

  private reportOnce(key: string, report: () => void): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    report();
  }
}
