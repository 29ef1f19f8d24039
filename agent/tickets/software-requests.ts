// Self-service requests (the tray's Get software page): a package from this machine's catalog, or an
// exception to the prohibited-software list, asked for as a ticket that needs approval in the desk.
// The ticket carries the typed request (which package) beside a description any desk can read, and
// takes the "New software" template's desk mapping when IT has defined one. The server reads the
// desk's approval and, once approved, deploys the package to this device for that ticket.
import { OutpostError } from '../../shared/errors.js';
import type { LocalParams, LocalResult } from '../../shared/local-api.js';
import { softwareRequestTicket, type SelfServicePackage, type SoftwareRequest } from '../../shared/self-service.js';
import type { FilledTemplate } from '../../shared/templates.js';
import type { CachedList } from '../cached-list.js';
import type { Caller } from '../local-api/callers.js';
import type { TemplateCache } from './template-cache.js';
import type { TicketDesk } from './ticket-desk.js';

/** The template whose desk mapping a request takes, by name as IT wrote it (case and spacing aside). */
export const SOFTWARE_TEMPLATE_NAME = 'New software';

export interface SoftwareRequestsOptions {
  tickets: TicketDesk;
  catalog: CachedList<SelfServicePackage>;
  templates: TemplateCache;
}

export class SoftwareRequests {
  constructor(private readonly opts: SoftwareRequestsOptions) {}

  request(caller: Caller, input: LocalParams<'software.request'>): LocalResult<'software.request'> {
    const softwareRequest = this.requestOf(input);
    this.refuseRepeat(caller, softwareRequest);
    const { subject, description } = softwareRequestTicket(softwareRequest, input.reason);
    return this.opts.tickets.create(
      caller,
      { subject, description, priority: 'normal', attachments: [] },
      { softwareRequest, template: this.softwareTemplate() },
    );
  }

  private requestOf(input: LocalParams<'software.request'>): SoftwareRequest {
    if (input.kind === 'exception') return { kind: 'exception', packageId: null, name: input.name, version: null };
    const pkg = this.opts.catalog.list().items.find((p) => p.id === input.packageId);
    if (!pkg) {
      throw new OutpostError('E_NOT_FOUND', 'IT does not offer this package on this computer (any more); reload Get software.', {
        field: 'packageId',
      });
    }
    return { kind: 'install', packageId: pkg.id, name: pkg.name, version: pkg.version };
  }

  /** One open request per person and package (or prohibited name): a second click asks nothing new. */
  private refuseRepeat(caller: Caller, wanted: SoftwareRequest): void {
    const open = this.opts.tickets.list(caller).find((t) => {
      const r = t.softwareRequest;
      if (!r || r.kind !== wanted.kind || r.approval.state === 'rejected') return false;
      if (t.status === 'resolved' || t.status === 'closed' || t.status === 'refused') return false;
      return wanted.kind === 'install' ? r.packageId === wanted.packageId : r.name.toLowerCase() === wanted.name.toLowerCase();
    });
    if (open) {
      throw new OutpostError('E_CONFLICT', `You already asked for ${wanted.name}: ticket ${open.label ?? open.ref} waits for IT.`, {
        ref: open.ref,
      });
    }
  }

  /** IT's "New software" template, with no fields answered: its desk queue or category applies. */
  private softwareTemplate(): FilledTemplate | undefined {
    const wanted = SOFTWARE_TEMPLATE_NAME.toLowerCase();
    const t = this.opts.templates.list().items.find((x) => x.name.trim().replace(/\s+/g, ' ').toLowerCase() === wanted);
    return t ? { id: t.id, name: t.name, fields: [] } : undefined;
  }
}
