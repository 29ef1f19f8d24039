// Tickets and requesters in RT: create with Outpost's key, find by it, read, set status.
import { DeskError } from '../errors.js';
import type { DeskId, DeskTicket, DeskUser, NewDeskTicket, TicketUpdate } from '../types.js';
import type { RtClient } from './client.js';
import { rtPriority, rtStatus, type RtConfig } from './config.js';
import type { OwnWrites } from './own.js';
import { rtId, rtSqlString, toDeskTicket } from './mapping.js';
import { rtAttachment } from './notes.js';
import { RtCreatedSchema, RtRefSchema, RtTicketSchema, RtUserSchema } from './schemas.js';

/** The ticket fields a search can return; RefersTo links need a full fetch. */
export const TICKET_FIELDS = 'Subject,Status,Priority,Created,LastUpdated,TimeWorked,Requestor,CustomFields';

export class RtTickets {
  constructor(
    private readonly client: RtClient,
    private readonly config: RtConfig,
    private readonly own: OwnWrites,
  ) {}

  async create(t: NewDeskTicket): Promise<DeskId> {
    const rt = t.classification?.rt;
    const body = {
      Queue: t.queue || rt?.queue || (t.category && this.config.categoryQueues[t.category]) || this.config.queue,
      Subject: t.subject,
      Content: t.description,
      ContentType: 'text/plain',
      // An email is created as a user when missing; a bare unknown name would be dropped, so a
      // user name goes only for a user found in RT.
      Requestor: t.requesterUser ? (t.requesterUser.login ?? t.requesterUser.email) : t.requesterEmail,
      Priority: rtPriority(this.config, t.priority),
      // The template's values first: the account and Outpost's key are never overwritten by them.
      CustomFields: {
        ...rt?.customFields,
        ...(t.account ? { [t.account.field]: t.account.value } : {}),
        [this.config.fields.ticketKey]: t.idempotencyKey,
      },
      ...(t.status ? { Status: rtStatus(this.config, t.status) } : {}),
      ...(t.assetId ? { RefersTo: `asset:${rtId(t.assetId, 'asset')}` } : {}),
      ...(t.attachments?.length ? { Attachments: t.attachments.map(rtAttachment) } : {}),
    };
    const { data } = await this.client.post('/ticket', RtCreatedSchema, body);
    return data.id;
  }

  /** Tickets linked to the asset, whoever made them: RT searches links by the asset's URI. */
  async referringTo(assetId: DeskId, limit: number): Promise<DeskTicket[]> {
    const query = `RefersTo = 'asset:${rtId(assetId, 'asset')}'`;
    const page = await this.client.page('/tickets', RtTicketSchema, {
      query,
      fields: TICKET_FIELDS,
      per_page: String(Math.min(Math.max(limit, 1), 100)),
      orderby: 'id',
      order: 'DESC',
    });
    return page.items.map((t) => toDeskTicket(this.config, t));
  }

  async findByKey(key: string): Promise<DeskId | null> {
    const query = `'CF.{${this.config.fields.ticketKey}}' = ${rtSqlString(key)}`;
    // Oldest first: if two ever exist, every caller settles on the same one.
    const page = await this.client.page('/tickets', RtRefSchema, { query, per_page: '1', orderby: 'id', order: 'ASC' });
    return page.items[0]?.id ?? null;
  }

  async fetch(id: DeskId): Promise<DeskTicket> {
    return toDeskTicket(this.config, await this.client.get(`/ticket/${rtId(id)}`, RtTicketSchema));
  }

  /** RT answers 200 even when it refuses a status, so the result is read back. */
  async update(id: DeskId, update: TicketUpdate): Promise<void> {
    if (update.status === undefined) return;
    const wanted = rtStatus(this.config, update.status);
    const messages = await this.client.put(`/ticket/${rtId(id)}`, { Status: wanted });
    if (messages.some((m) => /status changed/i.test(m))) await this.recordStatusWrite(id);
    const now = await this.client.get(`/ticket/${rtId(id)}`, RtTicketSchema);
    if (now.Status !== wanted) {
      throw new DeskError('E_DESK_REJECTED', `RT did not set ticket ${id} to ${wanted}: ${messages.join('; ').slice(0, 300)}`, {
        operation: `PUT /ticket/${id}`,
      });
    }
  }

  /** The ticket with this id; null when RT has none (or the number cannot be an RT id). */
  async findByNumber(number: string): Promise<DeskTicket | null> {
    if (!/^[1-9]\d{0,9}$/.test(number)) return null;
    try {
      return await this.fetch(number);
    } catch (err) {
      if (err instanceof DeskError && err.code === 'E_DESK_NOT_FOUND') return null;
      throw err;
    }
  }

  /** RT's user with this Name (RT compares names without case). */
  async findUserByLogin(login: string): Promise<DeskUser | null> {
    const page = await this.client.page('/users', RtUserSchema, { fields: 'Name,EmailAddress,RealName', per_page: '2' }, [
      { field: 'Name', value: login },
    ]);
    const u = page.items[0];
    if (!u) return null;
    return { id: u.id, email: u.EmailAddress ?? '', login: u.Name ?? login, ...(u.RealName ? { name: u.RealName } : {}) };
  }

  /** The status change just made, so that the poll knows it for Outpost's own (it carries no key). */
  private async recordStatusWrite(id: DeskId): Promise<void> {
    const query = `ObjectType = 'RT::Ticket' AND ObjectId = ${rtId(id)} AND Type = 'Status' AND Creator = ${rtSqlString(this.config.user)}`;
    const page = await this.client.page('/transactions', RtRefSchema, { query, per_page: '1', orderby: 'id', order: 'DESC' });
    if (page.items[0]) this.own.add(page.items[0].id);
  }

  async findOrCreateUser(email: string, name?: string): Promise<DeskUser> {
    const found = await this.findUser(email);
    if (found) return found;
    try {
      await this.client.post('/user', RtCreatedSchema, { Name: email, EmailAddress: email, ...(name ? { RealName: name } : {}) });
    } catch (err) {
      // Created meanwhile by RT itself (a ticket from this address) or another poll: find it.
      if (!(err instanceof DeskError) || err.code !== 'E_DESK_REJECTED') throw err;
    }
    const made = await this.findUser(email);
    if (!made) throw new DeskError('E_DESK_REJECTED', `RT neither has nor created a user for ${email}`);
    return made;
  }

  private async findUser(email: string): Promise<DeskUser | null> {
    const page = await this.client.page('/users', RtUserSchema, { fields: 'EmailAddress,RealName', per_page: '2' }, [
      { field: 'EmailAddress', value: email },
    ]);
    const u = page.items[0];
    if (!u) return null;
    return { id: u.id, email: u.EmailAddress || email, ...(u.RealName ? { name: u.RealName } : {}) };
  }
}
