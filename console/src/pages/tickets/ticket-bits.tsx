// Ticket status and priority badges, and the requester's name whatever shape it arrives in.
import { Badge } from '../../components/common.js';

const STATUS_KIND = { new: 'info', open: 'warning', pending: 'neutral', resolved: 'success', closed: 'neutral' } as const;
const PRIORITY_KIND = { low: 'neutral', normal: 'neutral', high: 'warning', urgent: 'danger' } as const;

export const STATUS_LABELS: Record<string, string> = { new: 'New', open: 'Open', pending: 'Pending', resolved: 'Resolved', closed: 'Closed' };

export function StatusBadge({ status }: { status: string }) {
  return <Badge kind={STATUS_KIND[status as keyof typeof STATUS_KIND] ?? 'neutral'}>{STATUS_LABELS[status] ?? status}</Badge>;
}

export function PriorityBadge({ priority }: { priority: string }) {
  return <Badge kind={PRIORITY_KIND[priority as keyof typeof PRIORITY_KIND] ?? 'neutral'}>{priority[0]?.toUpperCase() + priority.slice(1)}</Badge>;
}

/** The contract says a string; the server sends { account, domain, fullName, email }. Both read well. */
export function requesterName(requester: unknown): string {
  if (typeof requester === 'string') return requester;
  const r = (requester ?? {}) as { account?: string; domain?: string; fullName?: string };
  const account = r.account ? `${r.domain ? `${r.domain}\\` : ''}${r.account}` : '';
  if (r.fullName && account) return `${r.fullName} (${account})`;
  return r.fullName || account || '—';
}
