// Keeps one long-lived event-watching child running (Windows' watch-events.ps1, macOS' scutil) and
// turns its output lines into events. A child that dies is started again after a backoff, so a
// watcher killed by an administrator or a broken WMI repository never turns into a spawn loop; the
// periodic refresh still covers whatever it misses meanwhile.
import type { Logger } from '../../shared/log.js';
import { Backoff } from '../link/backoff.js';
import type { Clock, TimerHandle } from './types.js';
import { WATCH_PROTOCOL_VERSION, parseWatchLine, type WatchEvent } from './watch-protocol.js';

export interface WatchCommand {
  /** For logs: e.g. 'windows-events'. */
  label: string;
  file: string;
  args: readonly string[];
  /** Written to the child's stdin, which then stays open (scutil reads commands from it). */
  stdin?: string;
}

/** A running child, reduced to what the watcher needs (child-spawn.ts makes the real one). */
export interface WatchChild {
  onLine(fn: (line: string) => void): void;
  onStderr(fn: (line: string) => void): void;
  /** Called exactly once, when the child ended or could not start. */
  onExit(fn: (reason: string) => void): void;
  kill(): void;
}

export type SpawnWatch = (cmd: WatchCommand) => WatchChild;

export type LineParser = (line: string) => WatchEvent | 'skip' | undefined;

/** Something that reports OS events while started (a ChildWatcher, or a fake in tests). */
export interface EventSource {
  start(onEvent: (event: WatchEvent) => void): void;
  stop(): void;
}

export interface ChildWatcherOptions {
  command: WatchCommand;
  spawn: SpawnWatch;
  clock: Clock;
  log: Logger;
  /** Turns an output line into an event ('skip': a known line that means nothing); default the watch protocol. */
  parse?: LineParser;
  /** [0, 1), for the backoff's jitter. */
  random?: () => number;
  /** A child that ran this long counts as healthy: the next restart waits the shortest delay. Default 60 s. */
  healthyMs?: number;
}

export class ChildWatcher implements EventSource {
  private child: WatchChild | undefined;
  private timer: TimerHandle | undefined;
  private running = false;
  private startedAt = 0;
  private onEvent: (event: WatchEvent) => void = () => undefined;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private readonly parse: LineParser;
  private ignoredReported = false;

  constructor(private readonly opts: ChildWatcherOptions) {
    this.backoff = new Backoff(opts.random);
    this.log = opts.log.child({ watcher: opts.command.label });
    this.parse = opts.parse ?? parseWatchLine;
  }

  start(onEvent: (event: WatchEvent) => void): void {
    if (this.running) return;
    this.running = true;
    this.onEvent = onEvent;
    this.launch();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const child = this.child;
    this.child = undefined;
    child?.kill();
  }

  private launch(): void {
    this.timer = undefined;
    if (!this.running) return;
    const { command } = this.opts;
    this.startedAt = this.opts.clock.now();
    this.ignoredReported = false;
    const child = this.opts.spawn(command);
    this.child = child;
    child.onLine((line) => this.child === child && this.onLine(line));
    child.onStderr((line) => this.child === child && this.log.debug({ stderr: line.slice(0, 200) }, 'watcher wrote to stderr'));
    child.onExit((reason) => this.child === child && this.onExit(reason));
    this.log.debug({ file: command.file }, 'event watcher started');
  }

  private onLine(line: string): void {
    const event = this.parse(line);
    if (event === 'skip') return;
    if (event === undefined) {
      if (!this.ignoredReported)
        this.log.warn({ line: line.slice(0, 120) }, 'event watcher printed a line that is not its protocol; ignored');
      this.ignoredReported = true;
      return;
    }
    if (event.kind === 'ready' && event.version !== WATCH_PROTOCOL_VERSION) {
      this.log.error(
        { version: event.version, expected: WATCH_PROTOCOL_VERSION },
        'event watcher speaks another protocol version; stopped (periodic refresh still runs)',
      );
      this.stop();
      return;
    }
    if (event.kind === 'ready') this.log.info({ details: event.details }, 'event watcher ready');
    else if (event.kind === 'warn') this.log.warn({ text: event.text.slice(0, 200) }, 'event watcher warning');
    this.onEvent(event);
  }

  private onExit(reason: string): void {
    this.child = undefined;
    if (!this.running) return;
    if (this.opts.clock.now() - this.startedAt >= (this.opts.healthyMs ?? 60_000)) this.backoff.reset();
    const delay = this.backoff.next();
    this.log.warn({ reason, restartInMs: delay }, 'event watcher ended; restarting after a backoff');
    this.timer = this.opts.clock.setTimeout(() => this.launch(), delay);
  }
}
