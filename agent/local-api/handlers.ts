// The local API's methods, each mapped to the part of the agent that answers it. Params arrive
// validated and the caller authenticated (server.ts); the parts check what the caller may see.
import { MAX_PENDING_NOTIFICATIONS, type LocalResult } from '../../shared/local-api.js';
import type { TicketDesk } from '../tickets/ticket-desk.js';
import type { SoftwareRequests } from '../tickets/software-requests.js';
import type { Worklogs } from '../tickets/worklogs.js';
import type { TemplateCache } from '../tickets/template-cache.js';
import type { CachedList } from '../cached-list.js';
import type { SelfServicePackage } from '../../shared/self-service.js';
import { OutpostError } from '../../shared/errors.js';
import type { Caller } from './callers.js';
import type { LocalHandlers } from './server.js';

export interface HandlerParts {
  status: () => LocalResult<'status'>;
  scanNow: () => Promise<LocalResult<'scan.now'>>;
  tickets: TicketDesk;
  worklogs: Worklogs;
  templates: TemplateCache;
  /** The self-service catalog the server sent, kept for offline use. */
  catalog: CachedList<SelfServicePackage>;
  /** Get software's requests: tickets that need approval in the desk. */
  softwareRequests: SoftwareRequests;
}

export function localHandlers({ status, scanNow, tickets, worklogs, templates, catalog, softwareRequests }: HandlerParts): LocalHandlers {
  return {
    status: async () => status(),
    'scan.now': () => scanNow(),
    'templates.list': async () => templates.list(),
    'software.catalog': async () => catalog.list(),
    'software.request': async (params, caller) => softwareRequests.request(caller, params),
    'ticket.create': async (params, caller) => tickets.create(caller, params),
    'ticket.list': async (_params, caller) => ({ items: tickets.list(caller) }),
    'ticket.get': async ({ ref }, caller) => tickets.get(caller, ref),
    'ticket.note': async (params, caller) => tickets.addNote(caller, params),
    'ticket.close': async ({ ref }, caller) => tickets.close(caller, ref),
    'ticket.markRead': async ({ ref }, caller) => ({ unreadTickets: tickets.markRead(caller, ref) }),
    'ticket.reopen': async (params, caller) => tickets.reopen(caller, params),
    'notifications.pending': async (_params, caller) => tickets.notifications(caller, MAX_PENDING_NOTIFICATIONS),
    'notifications.shown': async ({ ids }, caller) => ({ marked: tickets.notificationsShown(caller, ids) }),
    'worklog.start': async (params, caller) => worklogs.start(technician(caller), params),
    'worklog.stop': async (params, caller) => worklogs.stop(technician(caller), params),
    'worklog.add': async (params, caller) => worklogs.add(technician(caller), params),
    'worklog.list': async (_params, caller) => worklogs.list(caller),
    'worklog.retry': async (params, caller) => worklogs.retry(technician(caller), params),
  };
}

/** A worklog is time a technician bills against a ticket: a user at the machine may not record one,
 * or they could fill the desk with time nobody spent. */
function technician(caller: Caller): Caller {
  if (!caller.admin) throw new OutpostError('E_FORBIDDEN', 'Only support staff (the admin token) may record worklogs on this machine.');
  return caller;
}
