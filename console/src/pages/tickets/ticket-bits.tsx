// Ticket status and priority badges, the requester's name, and how the desk's requester was found.
import type { DeskRequesterJson } from '../../../../shared/http-api.js';
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

const REQUESTER_RULE_TEXT: Record<DeskRequesterJson['rule'], string> = {
  email: 'by the email of the account',
  login: "the desk user with the account's login name",
  domain: 'the account at the requester domain',
  fallback: 'the fallback requester (the account has no email or desk user)',
};

/** Who the desk has as the requester, and which rule found them. */
export function deskRequesterText(r: DeskRequesterJson): string {
  return `${r.requester}: ${REQUESTER_RULE_TEXT[r.rule]}`;
}
