// Ticket status and priority badges, and the requester's name.
import type { Priority, Requester, TicketStatus } from '../../../../shared/tickets.js';
import { Badge } from '../../components/common.js';

const STATUS_KIND = { new: 'info', open: 'warning', pending: 'neutral', resolved: 'success', closed: 'neutral' } as const;
const PRIORITY_KIND = { low: 'neutral', normal: 'neutral', high: 'warning', urgent: 'danger' } as const;

export const STATUS_LABELS: Record<TicketStatus, string> = {
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  resolved: 'Resolved',
  closed: 'Closed',
};

export function StatusBadge({ status }: { status: TicketStatus }) {
  return <Badge kind={STATUS_KIND[status]}>{STATUS_LABELS[status]}</Badge>;
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  return <Badge kind={PRIORITY_KIND[priority]}>{priority[0]!.toUpperCase() + priority.slice(1)}</Badge>;
}

/** "Alice Example (ACME\alice)", or the account alone when the OS knows no full name. */
export function requesterName(r: Requester): string {
  const account = r.domain ? `${r.domain}\\${r.account}` : r.account;
  return r.fullName ? `${r.fullName} (${account})` : account;
}
