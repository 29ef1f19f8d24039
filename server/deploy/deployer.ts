// Deployment on the server: sends each device its signed commands (at once when it is connected, at
// each later connection until its agent reports the deployment queued) and records the steps agents
// report. Steps are recorded before the batch that carries them is applied, idempotently by the
// item's seq, so a batch redelivered after a crash records nothing twice and loses nothing.
import type { ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import type { Item, ServerMessage, ServerMessageMap } from '../../shared/protocol.js';
import { deployCommand, deployMessage } from './commands.js';
import type { DeploySigner } from './signing.js';
import { noteTicketProgress, type TicketProgressContext } from './ticket-progress.js';

export interface DeployerOptions extends TicketProgressContext {
  signer: DeploySigner;
  log: Logger;
  now(): number;
  /** Sends a message to the device's live connection in this process; false when it has none. */
  send(deviceId: string, message: ServerMessage): boolean;
  /** A device's deployment changed (the console's live view). */
  changed?(deviceId: string, deploymentId: string): void;
}

export interface StepProblem {
  code: ErrorCode;
  seq: number;
  message: string;
}

export class Deployer {
  constructor(private readonly opts: DeployerOptions) {}

  get publicKey(): string {
    return this.opts.signer.publicKey;
  }

  /** After a deployment is created: its commands to the targets connected now (the rest get them on connecting). */
  async dispatch(deploymentId: string, deviceIds: readonly string[]): Promise<void> {
    for (const deviceId of deviceIds) {
      const pending = await this.opts.store.deploy.pendingTargets(deviceId);
      const target = pending.find((p) => p.deployment.id === deploymentId);
      if (!target) continue;
      this.opts.send(
        deviceId,
        deployMessage(this.opts.signer, deployCommand(target.deployment, target.package, deviceId, this.opts.now())),
      );
    }
  }

  /** Every deployment the device's agent has not acknowledged yet, signed, for its new connection. */
  async pendingMessages(deviceId: string): Promise<ServerMessageMap['deploy'][]> {
    const now = this.opts.now();
    const pending = await this.opts.store.deploy.pendingTargets(deviceId);
    return pending.map((p) => deployMessage(this.opts.signer, deployCommand(p.deployment, p.package, deviceId, now)));
  }

  /** Records the batch's deployment steps; a step for a deployment this device is not part of is refused. */
  async recordSteps(deviceId: string, items: readonly Item[]): Promise<StepProblem[]> {
    const problems: StepProblem[] = [];
    for (const item of items) {
      if (item.kind !== 'deploy.status') continue;
      const receivedAt = this.opts.now();
      const recorded = await this.opts.store.deploy.recordStep(deviceId, { ...item.body, seq: item.seq, at: item.at, receivedAt });
      if (recorded.result === 'unknown') {
        problems.push({
          code: 'E_NOT_FOUND',
          seq: item.seq,
          message: `No deployment ${item.body.deploymentId} for this device; the step was dropped.`,
        });
        continue;
      }
      if (recorded.result === 'repeat') continue;
      const { step, deployment, hostname } = recorded;
      this.opts.log.info(
        { deviceId, deploymentId: deployment.id, state: step.state, attempt: step.attempt, ...(step.code ? { code: step.code } : {}) },
        'deployment step',
      );
      this.opts.changed?.(deviceId, deployment.id);
      await noteTicketProgress(this.opts, deployment, recorded.package, step, hostname, receivedAt).catch((err: unknown) =>
        this.opts.log.warn({ err: err instanceof Error ? err.message : String(err), deploymentId: deployment.id }, 'ticket note failed'),
      );
    }
    return problems;
  }
}
