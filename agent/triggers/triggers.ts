// What makes the agent collect: startup, logon, timed refreshes, the daily schedule, package
// database changes and a hostname change. Triggers only decides *when* and *how much*; the agent
// subscribes through onScan and runs the collection (and coalesces requests that overlap one).
import { OutpostError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { SettingsSchema, type Settings } from '../../shared/protocol.js';
import type { Host } from '../host/host.js';
import type { EventSource } from './child-watcher.js';
import { Debouncer } from './debounce.js';
import { DirWatches } from './dir-watches.js';
import { Periodic, type DueKind } from './periodic.js';
import { fsWatcher, systemClock } from './system.js';
import type { Clock, ScanRequest, ScanScope, Watcher } from './types.js';
import type { WatchEvent } from './watch-protocol.js';

export interface TriggersOptions {
  settings: Settings;
  /** Package database files (or folders) whose change means software changed; missing ones are skipped. */
  watchPaths: readonly string[];
  host: Host;
  log: Logger;
  onScan: (req: ScanRequest) => void | Promise<void>;
  clock?: Clock;
  watcher?: Watcher;
  /** Quiet time after the last file event before scanning. Default 1000 ms. */
  debounceMs?: number;
  /** Longest a burst of file events may postpone its scan. Default 10000 ms. */
  maxDebounceMs?: number;
  /** Files whose change means a user logged on or off. Default per platform (utmp). */
  logonPaths?: readonly string[];
  /** Files whose change may mean the machine was renamed. Default per platform (/etc/hostname). */
  hostnamePaths?: readonly string[];
  /**
   * OS event watchers (os-events.ts: Windows' PowerShell child, macOS' scutil): their software
   * and session events go through the same debouncers as file changes. Default none.
   */
  eventSources?: readonly EventSource[];
}

const MAX_DEBOUNCE_LIMIT_MS = 10 * 60_000;

/** utmp changes on every logon and logoff. Windows has no such file: see notifyLogon(). */
export function defaultLogonPaths(platform: NodeJS.Platform): string[] {
  if (platform === 'linux') return ['/run/utmp', '/var/run/utmp'];
  if (platform === 'darwin') return ['/var/run/utmpx'];
  if (platform === 'freebsd') return ['/var/run/utx.active'];
  return [];
}

/** Windows applies a new computer name only at restart, which the startup scan already reports. */
export function defaultHostnamePaths(platform: NodeJS.Platform): string[] {
  if (platform === 'linux') return ['/etc/hostname'];
  // scutil --set writes here; so do network changes, which is when a DHCP-given name changes.
  if (platform === 'darwin') return ['/Library/Preferences/SystemConfiguration/preferences.plist'];
  return [];
}

export class Triggers {
  private settings: Settings;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly periodic: Periodic;
  private readonly watches: DirWatches;
  private readonly debouncers: Debouncer[] = [];
  private readonly software: Debouncer;
  private readonly logon: Debouncer;
  private readonly hostnameFile: Debouncer;
  private state: 'new' | 'running' | 'stopped' = 'new';
  /** The name the last scan went out under; undefined until one could be read. */
  private lastHostname: string | undefined;

  constructor(private readonly opts: TriggersOptions) {
    this.settings = validSettings(opts.settings);
    const debounceMs = opts.debounceMs ?? 1000;
    const maxDebounceMs = opts.maxDebounceMs ?? 10_000;
    checkDebounce(debounceMs, maxDebounceMs);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log.child({ part: 'triggers' });
    this.periodic = new Periodic(this.clock, this.settings, (kind) => this.onDue(kind));
    this.watches = new DirWatches(opts.watcher ?? fsWatcher, this.log, opts.host.platform);
    const debounced = (fire: () => void): Debouncer => {
      const d = new Debouncer(this.clock, debounceMs, maxDebounceMs, fire);
      this.debouncers.push(d);
      return d;
    };
    this.software = debounced(() => this.emit({ trigger: 'software-change', scope: 'software' }));
    this.logon = debounced(() => this.emit({ trigger: 'logon', scope: 'users' }));
    this.hostnameFile = debounced(() => this.checkRename());
  }

  /** Requests the startup full scan, then arms timers and watches. Only the first call does anything. */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.lastHostname = this.readHostname();
    this.emit({ trigger: 'startup', scope: 'full' });
    this.periodic.start();
    const { host } = this.opts;
    for (const p of this.opts.watchPaths) this.watches.add(p, () => this.software.poke());
    for (const p of this.opts.logonPaths ?? defaultLogonPaths(host.platform)) this.watches.add(p, () => this.logon.poke());
    for (const p of this.opts.hostnamePaths ?? defaultHostnamePaths(host.platform)) this.watches.add(p, () => this.hostnameFile.poke());
    this.watches.ensure();
    for (const source of this.opts.eventSources ?? []) source.start((event) => this.onOsEvent(event));
  }

  /** Clears every timer and closes every watch; no request is emitted afterwards. */
  stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.periodic.stop();
    for (const d of this.debouncers) d.cancel();
    this.watches.closeAll();
    for (const source of this.opts.eventSources ?? []) source.stop();
  }

  /** Applies settings from the server. Invalid settings throw OutpostError E_CONFIG and change nothing. */
  updateSettings(settings: Settings): void {
    this.settings = validSettings(settings);
    this.periodic.updateSettings(this.settings);
    this.log.info({ ...this.settings }, 'trigger settings updated');
  }

  /** A scan asked for by a person (local API: 'manual') or the server ('server'). */
  requestScan(trigger: 'manual' | 'server', scope: ScanScope = 'full', detail?: string): void {
    this.emit({ trigger, scope, ...(detail === undefined ? {} : { detail }) });
  }

  /**
   * Someone logged on where no file says so (Windows): the tray app starts in each new session, so
   * the local API calls this when a tray connects. Debounced together with utmp changes.
   */
  notifyLogon(): void {
    if (this.state === 'running') this.logon.poke();
  }

  private onOsEvent(event: WatchEvent): void {
    if (this.state !== 'running') return;
    if (event.kind === 'software') this.software.poke();
    else if (event.kind === 'session') this.logon.poke();
  }

  /** When the next timed scan is due (wall-clock ms), for status output. */
  nextTimedScan(): { kind: DueKind; at: number } | undefined {
    return this.periodic.nextDue();
  }

  private onDue(kind: DueKind): void {
    if (kind === 'refresh') this.watches.ensure(); // reopen watches that were missing or died
    if (this.checkRename()) return; // the rename's full scan covers whatever was due
    if (kind === 'schedule') this.emit({ trigger: 'schedule', scope: 'full' });
    else if (kind === 'refresh') this.emit({ trigger: 'refresh', scope: 'full' });
    else this.emit({ trigger: 'users-refresh', scope: 'users' });
  }

  /** Emits a rename when the hostname differs from the last one seen; true when it did. */
  private checkRename(): boolean {
    const current = this.readHostname();
    if (current === undefined || current === this.lastHostname) return false;
    if (this.lastHostname === undefined) {
      this.lastHostname = current; // first successful read: nothing to compare with
      return false;
    }
    const detail = `${this.lastHostname} -> ${current}`;
    this.lastHostname = current;
    this.emit({ trigger: 'rename', scope: 'full', detail });
    return true;
  }

  private readHostname(): string | undefined {
    try {
      return this.opts.host.hostname();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot read hostname');
      return undefined;
    }
  }

  private emit(req: ScanRequest): void {
    if (this.state === 'stopped') return;
    this.periodic.noteScan(req.scope);
    this.log.info({ trigger: req.trigger, scope: req.scope, ...(req.detail ? { detail: req.detail } : {}) }, 'scan requested');
    try {
      const result = this.opts.onScan(req);
      if (result instanceof Promise) result.catch((err: unknown) => this.logHandlerError(req, err));
    } catch (err) {
      this.logHandlerError(req, err);
    }
  }

  private logHandlerError(req: ScanRequest, err: unknown): void {
    this.log.error({ trigger: req.trigger, err: (err as Error)?.message ?? String(err) }, 'scan handler failed');
  }
}

function validSettings(settings: Settings): Settings {
  const parsed = SettingsSchema.safeParse(settings);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new OutpostError('E_CONFIG', `Invalid trigger settings at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`);
}

function checkDebounce(debounceMs: number, maxDebounceMs: number): void {
  const ok = (n: number): boolean => Number.isFinite(n) && n >= 0 && n <= MAX_DEBOUNCE_LIMIT_MS;
  if (!ok(debounceMs) || !ok(maxDebounceMs) || maxDebounceMs < debounceMs) {
    throw new OutpostError(
      'E_CONFIG',
      `Invalid debounce: debounceMs ${debounceMs}, maxDebounceMs ${maxDebounceMs} (0..${MAX_DEBOUNCE_LIMIT_MS}, max >= quiet).`,
    );
  }
}
