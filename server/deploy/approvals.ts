// Self-service approvals: every few minutes (3 by default, the `desk.approvalPollMinutes` setting)
// the server asks the desk how each waiting request stands. Approved: a deployment of the package to
// the requesting device, for the request's ticket (its progress becomes notes and success resolves
// the ticket: ./ticket-progress.ts). Rejected: the ticket keeps the desk's reason and the endpoint
// sees it. An approved exception exempts the device from the prohibited list for that name (store),
// and its ticket is resolved with a note saying what the exemption covers, as an install's is.
import { createHash } from 'node:crypto';
import type { Logger } from '../../shared/log.js';
import type { SoftwareApproval } from '../../shared/self-service.js';
import type { DeskApproval } from '../desk/approval.js';
import type { DeskConnector } from '../desk/connector.js';
import type { PendingSoftwareRequest } from '../store/software-request-records.js';
import type { Store } from '../store/store.js';
import type { TicketChangeJobs } from '../store/ticket-records.js';

export const APPROVAL_POLL_DEFAULT_MINUTES = 3;
/** Requests asked about in one poll; the rest wait for the next (oldest first, so none starves). */
export const APPROVALS_PER_POLL = 200;
export const SELF_SERVICE_DEPLOYER = 'self-service';
export const EXCEPTION_NOTE_AUTHOR = 'Outpost self-service';

/** What the requester and IT read on the ticket once an exception is granted: what it covers, and what it does not. */
export function exceptionGrantedNote(name: string): string {
  return (
    `IT allowed this computer to keep ${name}: the prohibited-software list no longer flags it here. ` +
    `The exemption covers ${name}, any version, on this computer only: other computers and other software are still checked, ` +
    `and IT can revoke it in the console. This request is resolved.`
  );
}

export interface ApprovalTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ApprovalPollerOptions {
  store: Pick<Store, 'softwareRequests' | 'deploy' | 'addTicketNote' | 'setTicketStatus'>;
  /** The desk's job queue: a granted exception's note and resolution reach the desk ticket. */
  deskJobs?: TicketChangeJobs | null;
  /** The desk's connector; null while no desk is connected (requests wait). */
  connector(): Pick<DeskConnector, 'readApproval'> | null;
  dispatch(deploymentId: string, deviceIds: readonly string[]): Promise<void>;
  ticketChanged(deviceId: string, ref: string, ticketId: number): void;
  log: Logger;
  now(): number;
  intervalMs: number;
  timers?: ApprovalTimers;
}

export interface PollOutcome {
  asked: number;
  approved: number;
  rejected: number;
  deployments: string[];
}

/** One deployment per request ever: a retried or concurrent decision finds the first one's. */
export function deploymentIdFor(ticketId: number): string {
  const h = createHash('sha256').update(`outpost self-service ticket ${ticketId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class ApprovalPoller {
  private timer: unknown = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;
  private readonly timers: ApprovalTimers;

  constructor(private readonly opts: ApprovalPollerOptions) {
    this.timers = opts.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    };
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.running = this.pollOnce()
        .catch((err: unknown) => this.opts.log.warn({ err: messageOf(err) }, 'approval poll failed'))
        .finally(() => {
          this.running = null;
          this.schedule();
        });
    }, this.opts.intervalMs);
  }

  /** Asks the desk about every waiting request once; a desk error leaves that request waiting. */
  async pollOnce(): Promise<PollOutcome> {
    const outcome: PollOutcome = { asked: 0, approved: 0, rejected: 0, deployments: [] };
    const connector = this.opts.connector();
    if (!connector?.readApproval) return outcome;
    for (const request of await this.opts.store.softwareRequests.pending(APPROVALS_PER_POLL)) {
      if (request.deskNumber === null) continue;
      outcome.asked++;
      let answer: DeskApproval;
      try {
        answer = await connector.readApproval(request.deskNumber);
      } catch (err) {
        this.opts.log.warn({ ticketId: request.ticketId, err: messageOf(err) }, 'approval not readable; asking again next poll');
        continue;
      }
      if (answer.state === 'pending') continue;
      await this.decide(request, answer, outcome);
    }
    return outcome;
  }

  private async decide(request: PendingSoftwareRequest, answer: DeskApproval, outcome: PollOutcome): Promise<void> {
    const at = this.opts.now();
    const approval: SoftwareApproval = { state: answer.state, reason: answer.reason, at: new Date(at).toISOString() };
    let deploymentId: string | null = null;
    if (answer.state === 'approved' && request.request.kind === 'install') {
      deploymentId = await this.deployment(request, at);
      if (deploymentId === null) approval.reason = 'Approved, but the package is no longer in the store: IT will install it another way.';
    }
    // The deployment is made first: a crash between the two finds it again (its id is the ticket's).
    if (!(await this.opts.store.softwareRequests.decide(request.ticketId, approval, at))) return;
    if (answer.state === 'approved') outcome.approved++;
    else outcome.rejected++;
    this.opts.log.info(
      { ticketId: request.ticketId, state: answer.state, kind: request.request.kind, deploymentId },
      'self-service decided',
    );
    if (answer.state === 'approved' && request.request.kind === 'exception') await this.exceptionGranted(request, at);
    this.opts.ticketChanged(request.deviceId, request.ref, request.ticketId);
    if (deploymentId !== null) {
      outcome.deployments.push(deploymentId);
      await this.opts.dispatch(deploymentId, [request.deviceId]);
    }
  }

  /**
   * A granted exception is in force once the device is exempt (the store did that with the answer),
   * so its ticket is done: a note says what the exemption covers and the ticket is resolved, both
   * through the desk's job queue. IT answered in the desk a moment ago; the desk poll keeps
   * Outpost's status while the desk still shows the one it last had (desk/sync/poll.ts).
   */
  private async exceptionGranted(request: PendingSoftwareRequest, at: number): Promise<void> {
    const jobs = this.opts.deskJobs ?? null;
    try {
      const note = { text: exceptionGrantedNote(request.request.name), visibility: 'customer' as const, author: EXCEPTION_NOTE_AUTHOR, at };
      const noted = await this.opts.store.addTicketNote(request.ticketId, note, jobs);
      if (noted && noted.ticket.status !== 'resolved' && noted.ticket.status !== 'closed')
        await this.opts.store.setTicketStatus(request.ticketId, 'resolved', at, jobs);
    } catch (err) {
      this.opts.log.warn({ ticketId: request.ticketId, err: messageOf(err) }, 'exception granted; its ticket not updated');
    }
  }

  /** The request's deployment, made now unless an earlier poll made it; null when the package is gone. */
  private async deployment(request: PendingSoftwareRequest, at: number): Promise<string | null> {
    const id = deploymentIdFor(request.ticketId);
    if (await this.opts.store.deploy.getDeployment(id)) return id;
    const pkg = request.request.packageId === null ? null : await this.opts.store.deploy.getPackage(request.request.packageId);
    if (!pkg || pkg.retired) return null;
    const record = {
      id,
      packageId: pkg.id,
      createdAt: at,
      createdBy: SELF_SERVICE_DEPLOYER,
      notBefore: null,
      notAfter: null,
      ticketId: request.ticketId,
    };
    const created = await this.opts.store.deploy.createDeployment(record, { deviceIds: [request.deviceId] }, 1);
    return created.ok ? id : null;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
