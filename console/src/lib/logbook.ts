// A logbook entry (GET /api/devices/:id/logbook) as one line a person reads. Pure, so it is tested
// without a browser.
import type { LogbookEntryJson, LogbookKind } from '../../../shared/console-api.js';

export const LOGBOOK_KIND_LABELS: Record<LogbookKind, string> = {
  inventory: 'Inventory',
  ticket: 'Ticket',
  note: 'Note',
  worklog: 'Worklog',
  status: 'Status',
  identity: 'Identity',
  desk: 'Service desk',
};

const STATUS_WORDS: Record<string, string> = { new: 'New', open: 'Open', pending: 'Pending', resolved: 'Resolved', closed: 'Closed' };
const SECTION_WORDS: Record<string, string> = { hardware: 'Hardware', os: 'OS', network: 'Network', users: 'Users', software: 'Software' };
// Desk job kinds as the server names them (server/store/desk-records.ts).
const JOB_WORDS: Record<string, string> = {
  asset: 'asset',
  'ticket.create': 'ticket',
  'ticket.note': 'note',
  'ticket.close': 'close',
  'ticket.status': 'status',
  worklog: 'worklog',
  event: 'asset event ticket',
};

interface Listed {
  count: number;
  names: string[];
}

function str(detail: Record<string, unknown>, key: string): string | null {
  const v = detail[key];
  return typeof v === 'string' && v ? v : null;
}

function listed(detail: Record<string, unknown>, key: string): Listed {
  const v = detail[key] as Partial<Listed> | undefined;
  return {
    count: typeof v?.count === 'number' ? v.count : 0,
    names: Array.isArray(v?.names) ? v.names.filter((n) => typeof n === 'string') : [],
  };
}

function someOf(verb: string, l: Listed): string | null {
  if (l.count === 0) return null;
  const more = l.count - l.names.length;
  return `${verb} ${l.names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** One sentence for the entry; the ticket number is shown beside it, not in it. */
export function describeEntry(e: LogbookEntryJson): string {
  const d = e.detail;
  switch (e.kind) {
    case 'inventory': {
      const section = SECTION_WORDS[str(d, 'section') ?? ''] ?? 'Inventory';
      const parts = [someOf('added', listed(d, 'added')), someOf('removed', listed(d, 'removed')), someOf('changed', listed(d, 'changed'))];
      const said = parts.filter((p): p is string => p !== null);
      return `${section}: ${said.length ? said.join('; ') : 'changed'}`;
    }
    case 'ticket': {
      const by = str(d, 'raisedBy');
      return `Ticket raised${by ? ` by ${by} in the console` : ` by ${str(d, 'requester') ?? 'the endpoint'}`}: ${str(d, 'subject') ?? ''}`;
    }
    case 'note':
      return `${d.visibility === 'internal' ? 'Internal note' : 'Note'} by ${str(d, 'author') ?? 'someone'}${d.fromEndpoint === true ? ' (from the endpoint)' : ''}: ${str(d, 'text') ?? ''}`;
    case 'worklog':
      return `Worklog: ${str(d, 'technician') ?? 'a technician'}, ${typeof d.minutes === 'number' ? d.minutes : '?'} min: ${str(d, 'description') ?? ''}`;
    case 'status':
      return `Status ${STATUS_WORDS[str(d, 'from') ?? ''] ?? str(d, 'from') ?? '?'} → ${STATUS_WORDS[str(d, 'to') ?? ''] ?? str(d, 'to') ?? '?'}`;
    case 'identity':
      return `Identity: ${str(d, 'event') ?? 'changed'}`;
    case 'desk': {
      const job = JOB_WORDS[str(d, 'job') ?? ''] ?? str(d, 'job') ?? 'job';
      if (d.state === 'failed') return `Desk ${job} failed: ${str(d, 'error') ?? 'unknown error'}`;
      return `Desk ${job} sent${str(d, 'deskId') ? ` (desk asset ${str(d, 'deskId')})` : ''}`;
    }
  }
}
