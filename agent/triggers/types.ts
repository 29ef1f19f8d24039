// The shapes the triggers module shares with the agent that composes it, plus the two OS pieces it
// takes injected (timers and file watches) so its logic runs under plain Node and mock timers in tests.
import type { Trigger } from '../../shared/protocol.js';

/** How much to re-collect: everything, only installed software, or only logged-on users. */
export type ScanScope = 'full' | 'software' | 'users';

export interface ScanRequest {
  trigger: Trigger;
  scope: ScanScope;
  /** Human-readable why, for logs: e.g. "old-name -> new-name" for a rename. Never a secret. */
  detail?: string;
}

/** Opaque timer handle; only the Clock that made it understands it. */
export type TimerHandle = object;

export interface Clock {
  /** Wall-clock milliseconds since the epoch (Date.now()). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface WatchHandle {
  close(): void;
}

export interface Watcher {
  /**
   * Watches one directory (not recursively). onChange gets the changed entry's name, or null when the
   * OS does not say which. Throws synchronously when the watch cannot start (ENOENT for a missing
   * directory, ENOSPC when inotify watches are used up); onError reports a watch that dies later.
   */
  watch(dir: string, onChange: (filename: string | null) => void, onError: (err: Error) => void): WatchHandle;
  /** True when the path is an existing directory (a folder watch path rather than a file). */
  isDirectory(path: string): boolean;
}
