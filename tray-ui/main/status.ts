// What the tray knows about the agent: asked on start, every 30 s, when the menu opens and after
// anything that changes it. The agent is on a local socket, so asking is cheap; polling faster
// would only wake the machine for nothing.
import { isOutpostError, type ErrorCode } from '../../shared/errors.js';
import type { LocalResult } from '../../shared/local-api.js';
import type { AgentCall } from './agent.js';

export type AgentStatus = LocalResult<'status'>;

export type AgentState = { reachable: true; status: AgentStatus } | { reachable: false; code: ErrorCode; message: string };

export const STATUS_INTERVAL_MS = 30_000;

export class StatusMonitor {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<AgentState> | undefined;
  private state: AgentState | undefined;
  private readonly listeners = new Set<(state: AgentState) => void>();

  constructor(
    private readonly agent: AgentCall,
    private readonly intervalMs = STATUS_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  current(): AgentState | undefined {
    return this.state;
  }

  onChange(listener: (state: AgentState) => void): void {
    this.listeners.add(listener);
  }

  /** Asks the agent now; callers that ask while a question is out share its answer. */
  refresh(): Promise<AgentState> {
    this.inFlight ??= this.ask().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async ask(): Promise<AgentState> {
    let next: AgentState;
    try {
      next = { reachable: true, status: await this.agent('status', {}) };
    } catch (err) {
      next = isOutpostError(err)
        ? { reachable: false, code: err.code, message: err.message }
        : { reachable: false, code: 'E_INTERNAL', message: (err as Error).message };
    }
    this.state = next;
    for (const listener of this.listeners) listener(next);
    return next;
  }
}

export interface StatusLineOptions {
  locale: string;
  now: Date;
  /** For tests; the OS's zone otherwise. */
  timeZone?: string;
}

/** The disabled line at the bottom of the tray menu. */
export function statusLine(state: AgentState | undefined, opts: StatusLineOptions): string {
  if (!state) return 'Checking the Outpost agent…';
  if (!state.reachable) {
    return state.code === 'E_NOT_LOGGED_ON' ? 'The agent does not know this user yet' : 'Outpost agent is not running';
  }
  const { connected, lastInventoryAt } = state.status;
  if (!connected) return 'Offline — tickets will be sent when back online';
  if (!lastInventoryAt) return 'Connected · no inventory sent yet';
  return `Connected · last inventory ${formatWhen(new Date(lastInventoryAt), opts)}`;
}

/** 10:42 today; 3 Mar, 10:42 on another day. */
export function formatWhen(when: Date, opts: StatusLineOptions): string {
  const zone = opts.timeZone ? { timeZone: opts.timeZone } : {};
  const day = new Intl.DateTimeFormat(opts.locale, { ...zone, dateStyle: 'short' });
  const time = new Intl.DateTimeFormat(opts.locale, { ...zone, hour: '2-digit', minute: '2-digit' }).format(when);
  if (day.format(when) === day.format(opts.now)) return time;
  const date = new Intl.DateTimeFormat(opts.locale, { ...zone, day: 'numeric', month: 'short' }).format(when);
  return `${date}, ${time}`;
}
