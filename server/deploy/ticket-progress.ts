// A deployment started from a ticket tells that ticket how it goes: each device's install and its
// outcome become customer-facing notes (through the desk job queue, like any note IT writes), and
// the ticket is resolved once every device has the package. A failure leaves it open for IT.
import type { TicketStatus } from '../../shared/tickets.js';
import type { StepRecord, DeploymentRecord, PackageRecord } from '../store/deploy-records.js';
import type { TicketChangeJobs } from '../store/ticket-records.js';
import type { Store } from '../store/store.js';

export const DEPLOY_NOTE_AUTHOR = 'Outpost deployment';

export interface TicketProgressContext {
  store: Store;
  deskJobs: TicketChangeJobs | null;
  /** The ticket changed: its device hears of it, the console's live view too. */
  ticketChanged(deviceId: string | null, ref: string, ticketId: number): void;
}

/** The note a step writes, or null for steps that are not worth one (queued, downloading). */
export function stepNote(step: StepRecord, pkg: PackageRecord, hostname: string): string | null {
  const what = pkg.version ? `${pkg.name} ${pkg.version}` : pkg.name;
  const attempt = step.attempt > 1 ? ` (attempt ${step.attempt})` : '';
  switch (step.state) {
    case 'installing':
      return `Installing ${what} on ${hostname}${attempt}.`;
    case 'succeeded':
      return `${what} was installed on ${hostname}${step.rebootRequired ? '; the machine needs a restart to finish' : ''}.${step.message ? ` ${step.message}` : ''}`;
    case 'failed':
      return `${what} could not be installed on ${hostname}: ${step.message ?? 'the installer failed'}${step.code ? ` (${step.code})` : ''}.`;
    default:
      return null;
  }
}

export async function noteTicketProgress(
  ctx: TicketProgressContext,
  deployment: DeploymentRecord,
  pkg: PackageRecord,
  step: StepRecord,
  hostname: string,
  at: number,
): Promise<void> {
  const ticketId = deployment.ticketId;
  if (ticketId === null) return;
  const text = stepNote(step, pkg, hostname);
  if (text === null) return;
  const noted = await ctx.store.addTicketNote(ticketId, { text, visibility: 'customer', author: DEPLOY_NOTE_AUTHOR, at }, ctx.deskJobs);
  if (!noted) return;
  let ticket = noted.ticket;
  if (step.state === 'succeeded' && (await everyTargetSucceeded(ctx.store, deployment.id)) && isOpen(ticket.status)) {
    const resolved = await ctx.store.setTicketStatus(ticketId, 'resolved', at, ctx.deskJobs);
    if (resolved) ticket = resolved.ticket;
  }
  ctx.ticketChanged(ticket.deviceId, ticket.ref, ticket.id);
}

function isOpen(status: TicketStatus): boolean {
  return status !== 'resolved' && status !== 'closed';
}

async function everyTargetSucceeded(store: Store, deploymentId: string): Promise<boolean> {
  const detail = await store.deploy.getDeployment(deploymentId);
  return detail !== null && detail.targets.every((t) => t.state === 'succeeded');
}
