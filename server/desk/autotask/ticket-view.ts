// An Autotask ticket as Outpost sees it: picklist values turned into labels and mapped statuses,
// the requester's email, the key from its user-defined field, and its device.
import type { DeskTicket } from '../types.js';
import type { AutotaskClient } from './client.js';
import { priorityFromAutotask, statusFromAutotask, type AutotaskConfig } from './config.js';
import { iso } from './notes.js';
import type { Picklists } from './picklists.js';
import { ContactSchema, type Ticket } from './schemas.js';

export interface TicketViewDeps {
  client: AutotaskClient;
  config: AutotaskConfig;
  picklists: Picklists;
}

/** `withLinks`: also look up the requester and the device (one more call; a change list skips it). */
export async function toDeskTicket(deps: TicketViewDeps, t: Ticket, withLinks: boolean): Promise<DeskTicket> {
  const { client, config, picklists } = deps;
  const statusLabel = (await picklists.label('Tickets', 'status', t.status)) ?? String(t.status);
  const contact = withLinks && t.contactID ? await client.item('Contacts', t.contactID, ContactSchema) : null;
  const key = config.ticketKeyUdf ? t.userDefinedFields?.find((u) => u.name === config.ticketKeyUdf)?.value : null;
  return {
    id: String(t.id),
    subject: t.title ?? '',
    status: statusFromAutotask(config, statusLabel),
    deskStatus: statusLabel,
    priority: priorityFromAutotask(config, await picklists.label('Tickets', 'priority', t.priority)),
    requesters: contact?.emailAddress ? [contact.emailAddress] : [],
    createdAt: iso(t.createDate),
    updatedAt: iso(t.lastActivityDate ?? t.createDate),
    timeWorkedMinutes: null,
    idempotencyKey: key || null,
    assetIds: withLinks ? (t.configurationItemID ? [String(t.configurationItemID)] : []) : null,
  };
}
