// The triggers module's public surface for agent/agent.ts.
export { Triggers, defaultHostnamePaths, defaultLogonPaths, type TriggersOptions } from './triggers.js';
export type { Clock, ScanRequest, ScanScope, TimerHandle, WatchHandle, Watcher } from './types.js';
export { fsWatcher, systemClock } from './system.js';
export type { EventSource } from './child-watcher.js';
