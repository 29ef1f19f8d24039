// Runs the deployments the server sends, one at a time, each id at most once, ever. A command is
// taken only when it is signed by the server key this agent pinned and names this device; it is
// written, with its `queued` step, to the outbox's database in one transaction, so it survives
// restarts and offline periods, and every later step (downloading, installing, succeeded, failed)
// is an outbox item like any other. The `installing` state is written before the installer starts:
// an agent that stops while it runs finds that state at its next start and does NOT run the
// installer again (a half-done install re-run blindly can do harm): it asks the detection rule
// whether the package is there and reports succeeded or failed (E_DEPLOY_INTERRUPTED) accordingly.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { INSTALLER_PLATFORM, type DeployCommand, type DeployStep, type Detection } from '../../shared/deploy.js';
import { isOutpostError, type ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import type { ServerMessageMap } from '../../shared/protocol.js';
import type { Host } from '../host/host.js';
import type { Outbox } from '../outbox/outbox.js';
import { localFileName, type LinuxTools } from './installers.js';
import { linuxTools, runInstaller } from './install.js';
import * as rows from './rows.js';
import { signedByServer } from './verify.js';

/** Waits before another attempt after a transient failure: 1 min, 4 min, 16 min, ... */
export const RETRY_BASE_MS = 60_000;
/** Timers never wait longer than this at once (a window days away is re-checked). */
const MAX_TIMER_MS = 6 * 3600_000;
const STOP_GRACE_MS = 2000;

export interface DeployRunnerOptions {
  outbox: Outbox;
  host: Host;
  /** Where installers are downloaded to (deleted after the install). */
  dir: string;
  log: Logger;
  /** This device's id at the server, once enrolled. */
  deviceId(): string | undefined;
  /** Fetches the installer with this hash to `dest` (download.ts), checking its hash. */
  download(file: { sha256: string; size: number }, dest: string): Promise<void>;
  /** Whether the inventory (scanned now) has what the detection rule names. */
  detect(detection: Detection): Promise<boolean>;
  /** New outbox items: send them. */
  notify(): void;
  /** Software was installed: the inventory should look again. */
  installed(): void;
  now?: () => Date;
}

export class DeployRunner {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private tools: LinuxTools | undefined;
  private readonly now: () => Date;

  constructor(private readonly opts: DeployRunnerOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /** After the outbox is open: settles installs a previous run left half-done, then runs what is due. */
  async start(): Promise<void> {
    this.stopped = false;
    const interrupted = this.opts.outbox.transaction((db) => rows.interruptedDeployments(db));
    for (const row of interrupted) await this.settleInterrupted(row.command, row.attempt);
    this.kick();
  }

  /** Does not wait for an installer (it may run for an hour): one still running is found in the
   * `installing` state at the next start. A download or a step being written gets a moment. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
    await Promise.race([this.running, grace]);
    clearTimeout(timer);
  }

  /** The server's key, from `enrolled` (always pinned: enrolment is the trust decision) or `welcome` (pinned only when none is). */
  pinKey(key: string, atEnrolment: boolean): void {
    this.opts.outbox.transaction((db) => {
      const pinned = rows.pinnedKey(db);
      if (pinned === key) return;
      if (pinned !== null && !atEnrolment) {
        this.opts.log.error(
          { code: 'E_DEPLOY_SIGNATURE' },
          'the server offers another deployment key than the pinned one; kept the pinned one',
        );
        return;
      }
      rows.pinKey(db, key, this.now().toISOString());
      this.opts.log.info({}, 'deployment signing key pinned');
    });
  }

  /** A `deploy` message from the server. */
  accept(msg: ServerMessageMap['deploy']): void {
    const command = msg.command;
    const refusal = this.refusal(msg);
    if (refusal) {
      this.opts.log.error({ code: refusal.code, deploymentId: command.deploymentId }, refusal.message);
      // Reported (so IT sees why) but not kept: a forged command must not take a real id's one run.
      if (refusal.code === 'E_DEPLOY_SIGNATURE')
        this.report({ deploymentId: command.deploymentId, state: 'failed', attempt: 1, ...refusal });
      return;
    }
    const at = this.now().toISOString();
    const taken = this.opts.outbox.transaction((db) => {
      if (rows.deploymentRow(db, command.deploymentId) !== undefined) return false; // sent again: it runs once
      const platform = INSTALLER_PLATFORM[command.package.installer];
      if (platform !== (this.opts.host.platform === 'win32' ? 'windows' : this.opts.host.platform)) {
        rows.insertDeployment(db, command, 'failed', at, null);
        this.enqueue({
          deploymentId: command.deploymentId,
          state: 'failed',
          attempt: 1,
          code: 'E_DEPLOY_PLATFORM',
          message: `A ${command.package.installer} package is for ${platform}; this machine runs ${this.opts.host.platform}.`,
        });
        return true;
      }
      rows.insertDeployment(db, command, 'queued', at, command.notBefore);
      this.enqueue({ deploymentId: command.deploymentId, state: 'queued', attempt: 1 });
      return true;
    });
    if (!taken) return;
    this.opts.log.info({ deploymentId: command.deploymentId, package: command.package.name }, 'deployment received');
    this.opts.notify();
    this.kick();
  }

  /** Resolves when no deployment is being worked on (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private refusal(msg: ServerMessageMap['deploy']): { code: ErrorCode; message: string } | null {
    const key = this.opts.outbox.transaction((db) => rows.pinnedKey(db));
    if (key === null || !signedByServer(msg.command, msg.signature, key)) {
      return { code: 'E_DEPLOY_SIGNATURE', message: 'A deployment command is not signed by the pinned server key; refused.' };
    }
    if (msg.command.deviceId !== this.opts.deviceId()) {
      return { code: 'E_DEPLOY_SIGNATURE', message: 'A deployment command names another device; refused.' };
    }
    return null;
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.opts.log.error({ err: (err as Error).message }, 'deployment run failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const open = this.opts.outbox.transaction((db) => rows.openDeployments(db));
      const now = this.now().getTime();
      const due = open.find((r) => r.nextAt === null || Date.parse(r.nextAt) <= now);
      if (!due) return this.wake(open.map((r) => Date.parse(r.nextAt!)));
      await this.run(due.command, due.attempt);
    }
  }

  private wake(times: number[]): void {
    clearTimeout(this.timer);
    if (times.length === 0 || this.stopped) return;
    const wait = Math.min(Math.max(0, Math.min(...times) - this.now().getTime()), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.kick(), wait);
    this.timer.unref();
  }

  private async run(command: DeployCommand, attempt: number): Promise<void> {
    const { deploymentId, package: pkg } = command;
    if (command.notAfter !== null && this.now().getTime() > Date.parse(command.notAfter)) {
      return this.finish(deploymentId, {
        state: 'failed',
        attempt,
        code: 'E_DEPLOY_WINDOW',
        message: `The window closed at ${command.notAfter}.`,
      });
    }
    let file: string | null = null;
    if (pkg.file) {
      this.step(deploymentId, 'downloading', attempt);
      file = join(this.opts.dir, localFileName(pkg));
      try {
        await this.opts.download(pkg.file, file);
      } catch (err) {
        const code: ErrorCode = isOutpostError(err) ? err.code : 'E_DEPLOY_DOWNLOAD';
        const transient = isOutpostError(err) && err.details?.transient === true;
        return this.failOrRetry(command, attempt, transient, { code, message: (err as Error).message });
      }
    }
    if (await this.isInstalled(pkg.detection)) {
      await this.removeFile(file);
      return this.finish(deploymentId, {
        state: 'succeeded',
        attempt,
        message: 'Already installed (the detection rule finds it); the installer was not run.',
      });
    }
    this.step(deploymentId, 'installing', attempt); // committed before the installer starts
    this.tools ??= await linuxTools(this.opts.host);
    const result = await runInstaller(this.opts.host, pkg, file, this.tools);
    await this.removeFile(file);
    if (result.ok) {
      this.finish(deploymentId, {
        state: 'succeeded',
        attempt,
        exitCode: result.exitCode,
        rebootRequired: result.rebootRequired,
        ...(result.outputTail ? { outputTail: result.outputTail } : {}),
        ...(result.note ? { message: result.note } : {}),
      });
      this.opts.installed();
      return;
    }
    const { ok: _ok, transient, ...failure } = result;
    return this.failOrRetry(command, attempt, transient, failure);
  }

  private failOrRetry(
    command: DeployCommand,
    attempt: number,
    transient: boolean,
    failure: Omit<DeployStep, 'deploymentId' | 'state' | 'attempt'>,
  ): void {
    const id = command.deploymentId;
    if (!transient || attempt > command.package.retries) return this.finish(id, { state: 'failed', attempt, ...failure });
    const nextAt = new Date(this.now().getTime() + RETRY_BASE_MS * 4 ** (attempt - 1)).toISOString();
    this.opts.log.warn({ deploymentId: id, attempt, code: failure.code, nextAt }, 'deployment attempt failed; will try again');
    this.opts.outbox.transaction((db) => {
      rows.setDeploymentState(db, id, 'queued', this.now().toISOString(), { attempt: attempt + 1, nextAt });
      this.enqueue({
        deploymentId: id,
        state: 'queued',
        attempt: attempt + 1,
        message: `Attempt ${attempt} failed (${failure.message ?? failure.code}); next at ${nextAt}.`.slice(0, 1000),
      });
    });
    this.opts.notify();
  }

  private async settleInterrupted(command: DeployCommand, attempt: number): Promise<void> {
    const present = await this.isInstalled(command.package.detection);
    this.opts.log.warn({ deploymentId: command.deploymentId, present }, 'an install was interrupted by the agent stopping; not run again');
    this.finish(
      command.deploymentId,
      present
        ? { state: 'succeeded', attempt, message: 'The agent stopped during the install; the detection rule finds the package installed.' }
        : {
            state: 'failed',
            attempt,
            code: 'E_DEPLOY_INTERRUPTED',
            message: 'The agent stopped during the install and the package is not detected; deploy again to retry.',
          },
    );
    if (present) this.opts.installed();
  }

  private async isInstalled(detection: Detection): Promise<boolean> {
    return this.opts.detect(detection).catch(() => false);
  }

  private step(id: string, state: 'downloading' | 'installing', attempt: number): void {
    this.opts.outbox.transaction((db) => {
      rows.setDeploymentState(db, id, state, this.now().toISOString());
      this.enqueue({ deploymentId: id, state, attempt });
    });
    this.opts.notify();
  }

  private finish(id: string, step: Omit<DeployStep, 'deploymentId'>): void {
    this.opts.outbox.transaction((db) => {
      rows.setDeploymentState(db, id, step.state, this.now().toISOString(), { nextAt: null });
      this.enqueue({ deploymentId: id, ...step });
    });
    this.opts.log.info({ deploymentId: id, state: step.state, ...(step.code ? { code: step.code } : {}) }, 'deployment finished');
    this.opts.notify();
  }

  /** Inside a transaction. */
  private enqueue(step: DeployStep): void {
    this.opts.outbox.enqueue('deploy.status', step);
  }

  private report(step: DeployStep): void {
    this.enqueue(step);
    this.opts.notify();
  }

  private async removeFile(file: string | null): Promise<void> {
    if (file) await rm(file, { force: true }).catch(() => undefined);
  }
}
