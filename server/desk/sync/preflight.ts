// The desk preflight as the engine runs it: at start, again with backoff while the desk cannot be
// used at all (bad URL, credentials, queue), and on demand. A desk that cannot be used is said in
// one log line per distinct finding, never once per retry; inventory keeps flowing meanwhile.
import type { DeskPreflightJson, DeskProblemJson } from '../../../shared/desk-status.js';
import type { Logger } from '../../../shared/log.js';
import type { DeskConnector } from '../connector.js';
import { isDeskError } from '../errors.js';
import { retryDelay, type Backoff } from './keys.js';

export interface PreflightOptions {
  desk: DeskConnector;
  log: Logger;
  now: () => number;
  random: () => number;
  backoff: Backoff;
  /** Called after each run: usable or not, with the first blocking line. */
  onResult: (result: DeskPreflightJson) => void;
}

export class DeskPreflight {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DeskPreflightJson> | null = null;
  private failures = 0;
  private started = false;
  private logged = '';
  last: DeskPreflightJson | null = null;

  constructor(private readonly opts: PreflightOptions) {}

  start(): void {
    this.started = true;
    void this.run();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs now (a run under way is joined); retries with backoff while the desk is unusable. */
  run(): Promise<DeskPreflightJson> {
    this.running ??= this.check().finally(() => (this.running = null));
    return this.running;
  }

  private async check(): Promise<DeskPreflightJson> {
    clearTimeout(this.timer);
    const problems = await this.problems();
    const result: DeskPreflightJson = {
      at: new Date(this.opts.now()).toISOString(),
      usable: !problems.some((p) => p.severity === 'blocking'),
      problems,
    };
    this.last = result;
    this.report(result);
    this.opts.onResult(result);
    this.failures = result.usable ? 0 : this.failures + 1;
    if (!result.usable && this.started) {
      this.timer = setTimeout(() => void this.run(), retryDelay(this.failures, this.opts.backoff, this.opts.random));
    }
    return result;
  }

  private async problems(): Promise<DeskProblemJson[]> {
    const { desk } = this.opts;
    try {
      if (desk.preflight) return await desk.preflight();
      await desk.checkHealth();
      return [];
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const code = isDeskError(err) ? err.code : 'E_INTERNAL';
      return [{ check: 'connection', severity: 'blocking', message: `${code}: the desk does not answer as configured: ${message}` }];
    }
  }

  /** One line for a desk that cannot be used, one for a degraded setup; repeated only when it changes. */
  private report(result: DeskPreflightJson): void {
    const blocking = result.problems.filter((p) => p.severity === 'blocking');
    const degraded = result.problems.filter((p) => p.severity !== 'blocking');
    const line = blocking.length
      ? `the service desk cannot be used; inventory continues, the desk is tried again: ${blocking.map((p) => p.message).join(' | ')}`
      : degraded.length
        ? `the service desk works with ${degraded.length} setup problem(s) (GET /api/desk/status): ${degraded.map((p) => p.message).join(' | ')}`
        : 'the service desk setup is complete';
    if (line === this.logged) return;
    const first = this.logged === '';
    this.logged = line;
    if (blocking.length) this.opts.log.error({ problems: blocking.length }, line);
    else if (degraded.length) this.opts.log.warn({ problems: degraded.length }, line);
    else if (!first) this.opts.log.info({}, line);
  }
}
