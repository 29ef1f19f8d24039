// Autotask PSA over its REST API: tickets, ticket notes, time entries, and devices
// (ConfigurationItems) looked up by serial to set the ticket's company. Built to Datto's
// documentation (README.md) and proven against test/desk/autotask/contract-server.ts.
import type { Logger } from '../../../shared/log.js';
import { IDEMPOTENCY_KEY, type DeskCapabilities, type DeskConnector } from '../connector.js';
import { advanceCursor, seenKey, type Stamped } from '../cursor.js';
import { DeskError, parseConfig } from '../errors.js';
import type {
  AssetLookup,
  DeskAsset,
  DeskAssetFields,
  DeskChanges,
  DeskCursor,
  DeskEvent,
  DeskId,
  DeskNote,
  DeskProblem,
  DeskSoftware,
  DeskTicket,
  DeskTicketChange,
  DeskUser,
  NewDeskNote,
  NewDeskTicket,
  NewDeskWorklog,
  TicketUpdate,
} from '../types.js';
import { AutotaskClient } from './client.js';
import { AutotaskConfigSchema, priorityFromAutotask, statusFromAutotask, type AutotaskConfig, type AutotaskConfigInput } from './config.js';
import { AutotaskNotes, atId, iso } from './notes.js';
import { Picklists } from './picklists.js';
import { autotaskPreflight } from './preflight.js';
import {
  ConfigurationItemSchema,
  ContactSchema,
  ResourceSchema,
  TicketSchema,
  type ConfigurationItem,
  type Filter,
  type Ticket,
} from './schemas.js';

/** Autotask's Tickets.title and description limits. */
const TITLE_MAX = 255;
const DESCRIPTION_MAX = 8000;

export class AutotaskConnector implements DeskConnector {
  readonly kind = 'autotask' as const;
  readonly capabilities: DeskCapabilities;
  readonly config: AutotaskConfig;
  private readonly client: AutotaskClient;
  private readonly picklists: Picklists;
  private readonly notes: AutotaskNotes;
  private meId: Promise<number> | null = null;

  constructor(config: AutotaskConfigInput, log: Logger, fetchImpl?: typeof fetch, now?: () => number) {
    this.config = parseConfig(AutotaskConfigSchema, config, 'Autotask');
    this.client = new AutotaskClient(this.config, log.child({ desk: 'autotask' }), fetchImpl, now);
    this.picklists = new Picklists(this.client);
    this.notes = new AutotaskNotes(this.client, this.config, this.picklists, () => this.me());
    this.capabilities = {
      createTickets: true,
      attachments: false, // not synced by default, as in the seed
      notesToDesk: true,
      worklogs: true,
      assets: true, // looked up by serial; Outpost does not create or overwrite Autotask devices
      readStatus: true,
      readNotes: true,
      updateStatus: true,
      ticketKeys: this.config.ticketKeyUdf !== undefined,
      noteKeys: true,
      softwareCatalog: false,
      accountLookup: true,
    };
  }

  /** ThresholdInformation: authenticated, cheap, and it says how much of the hour is left. */
  async checkHealth(): Promise<void> {
    await this.client.checkThreshold();
  }

  /** Zone, credentials and the key UDF (./preflight.ts). */
  preflight(): Promise<DeskProblem[]> {
    return autotaskPreflight(this.client, this.config);
  }

  /** The API user's own resource id: notes and changes it made are Outpost's echoes. */
  private me(): Promise<number> {
    this.meId ??= this.client
      .query(
        'Resources',
        [
          {
            op: 'or',
            items: [
              { op: 'eq', field: 'userName', value: this.config.user },
              { op: 'eq', field: 'email', value: this.config.user },
            ],
          },
        ],
        ResourceSchema,
        1,
      )
      .then((r) => {
        if (!r[0]) throw new DeskError('E_DESK_AUTH', `Autotask has no resource for the API user ${this.config.user}`);
        return r[0].id;
      });
    this.meId.catch(() => (this.meId = null));
    return this.meId;
  }

  async findOrCreateUser(email: string, name?: string): Promise<DeskUser> {
    const c = await this.contactFor(email, name, this.config.companyId);
    return { id: String(c), email, ...(name ? { name } : {}) };
  }

  /** Autotask contacts have no login name: the sync goes on to its next rule. */
  async findUserByLogin(): Promise<DeskUser | null> {
    return null;
  }

  /** The ticket with this id (Outpost shows Autotask tickets by id, not by their T-number); null when there is none. */
  async findTicketByNumber(number: string): Promise<DeskTicket | null> {
    if (!/^[1-9]\d{0,9}$/.test(number)) return null;
    try {
      return await this.fetchTicket(number);
    } catch (err) {
      if (err instanceof DeskError && err.code === 'E_DESK_NOT_FOUND') return null;
      throw err;
    }
  }

  private async contactFor(email: string, name: string | undefined, companyId: number): Promise<number> {
    const found = await this.client.query('Contacts', [{ op: 'eq', field: 'emailAddress', value: email }], ContactSchema, 1);
    if (found[0]) return found[0].id;
    const [first, ...rest] = (name ?? email.split('@')[0] ?? email).trim().split(/\s+/);
    // Contacts is a child of Companies: created through the parent's URL.
    return this.client.create(`/v1.0/Companies/${companyId}/Contacts`, {
      companyID: companyId,
      firstName: (first || email).slice(0, 50),
      lastName: (rest.join(' ') || '-').slice(0, 50),
      emailAddress: email,
      isActive: 1,
    });
  }

  async createTicket(t: NewDeskTicket): Promise<DeskId> {
    checkKey(t.idempotencyKey);
    const ci = t.assetId ? await this.client.item('ConfigurationItems', atId(t.assetId, 'device'), ConfigurationItemSchema) : null;
    const companyId =
      t.account?.field.toLowerCase() === 'companyid' && /^\d+$/.test(t.account.value)
        ? Number(t.account.value)
        : (ci?.companyID ?? this.config.companyId);
    const body = {
      companyID: companyId,
      title: t.subject.slice(0, TITLE_MAX),
      description: t.description.slice(0, DESCRIPTION_MAX),
      status: await this.picklists.value('Tickets', 'status', this.config.statuses.toDesk[t.status ?? 'new']),
      priority: await this.picklists.value('Tickets', 'priority', this.config.priorities[t.priority]),
      contactID: t.requesterUser ? Number(t.requesterUser.id) : await this.contactFor(t.requesterEmail, t.requesterName, companyId),
      ...(this.config.queueId === undefined ? {} : { queueID: this.config.queueId }),
      ...(await this.issueTypes(t)),
      ...(ci ? { configurationItemID: ci.id } : {}),
      ...(this.config.ticketKeyUdf ? { userDefinedFields: [{ name: this.config.ticketKeyUdf, value: t.idempotencyKey }] } : {}),
    };
    return String(await this.client.create('/v1.0/Tickets', body));
  }

  /** The ticket template's issue type and sub-issue type, by picklist label (each database numbers its own). */
  private async issueTypes(t: NewDeskTicket): Promise<{ issueType?: number; subIssueType?: number }> {
    const at = t.classification?.autotask;
    if (!at?.issueType) return {};
    const issueType = await this.picklists.value('Tickets', 'issueType', at.issueType);
    if (!at.subIssueType) return { issueType };
    return { issueType, subIssueType: await this.picklists.value('Tickets', 'subIssueType', at.subIssueType, issueType) };
  }

  async findTicketByKey(key: string): Promise<DeskId | null> {
    checkKey(key);
    if (!this.config.ticketKeyUdf) return null;
    const found = await this.client.query(
      'Tickets',
      [{ op: 'eq', field: this.config.ticketKeyUdf, value: key, udf: true }],
      TicketSchema,
      1,
    );
    return found[0] ? String(found[0].id) : null;
  }

  async fetchTicket(id: DeskId): Promise<DeskTicket> {
    const t = await this.client.item('Tickets', atId(id), TicketSchema);
    if (!t) throw new DeskError('E_DESK_NOT_FOUND', `Autotask has no ticket ${id}`);
    return this.toDeskTicket(t, true);
  }

  private async toDeskTicket(t: Ticket, withLinks: boolean): Promise<DeskTicket> {
    const statusLabel = (await this.picklists.label('Tickets', 'status', t.status)) ?? String(t.status);
    const contact = withLinks && t.contactID ? await this.client.item('Contacts', t.contactID, ContactSchema) : null;
    const key = this.config.ticketKeyUdf ? t.userDefinedFields?.find((u) => u.name === this.config.ticketKeyUdf)?.value : null;
    return {
      id: String(t.id),
      subject: t.title ?? '',
      status: statusFromAutotask(this.config, statusLabel),
      deskStatus: statusLabel,
      priority: priorityFromAutotask(this.config, await this.picklists.label('Tickets', 'priority', t.priority)),
      requesters: contact?.emailAddress ? [contact.emailAddress] : [],
      createdAt: iso(t.createDate),
      updatedAt: iso(t.lastActivityDate ?? t.createDate),
      timeWorkedMinutes: null,
      idempotencyKey: key || null,
      assetIds: withLinks ? (t.configurationItemID ? [String(t.configurationItemID)] : []) : null,
    };
  }

  async updateTicket(id: DeskId, update: TicketUpdate): Promise<void> {
    if (update.status === undefined) return;
    const status = await this.picklists.value('Tickets', 'status', this.config.statuses.toDesk[update.status]);
    await this.client.patch('/v1.0/Tickets', { id: atId(id), status });
  }

  addNote(note: NewDeskNote): Promise<DeskId> {
    checkKey(note.idempotencyKey);
    return this.notes.add(note);
  }

  findNoteByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    return this.notes.findNoteByKey(ticketId, checkKey(key));
  }

  fetchNotes(ticketId: DeskId): Promise<DeskNote[]> {
    return this.notes.list(ticketId);
  }

  addWorklog(w: NewDeskWorklog): Promise<DeskId> {
    checkKey(w.idempotencyKey);
    return this.notes.addWorklog(w);
  }

  findWorklogByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    return this.notes.findWorklogByKey(ticketId, checkKey(key));
  }

  /**
   * Tickets whose lastActivityDate is at or after the cursor. Autotask's API gives no change
   * history: a person's notes are note events, and any other change by someone who is not the
   * API user (lastActivityResourceID) one `updated` event; the status comes with the ticket.
   */
  async listChangedSince(cursor: DeskCursor): Promise<DeskChanges> {
    await this.client.checkThreshold();
    const filter: Filter[] = [{ op: 'gte', field: 'lastActivityDate', value: cursor.since }];
    if (this.config.ticketKeyUdf) filter.push({ op: 'exist', field: this.config.ticketKeyUdf, udf: true });
    const tickets = await this.client.query('Tickets', filter, TicketSchema);
    const seen = new Set(cursor.seen);
    const me = await this.me();
    const since = Date.parse(cursor.since);
    const changes: DeskTicketChange[] = [];
    const stamped: Stamped[] = [];
    for (const t of tickets) {
      const updatedAt = iso(t.lastActivityDate ?? t.createDate);
      stamped.push({ id: String(t.id), updatedAt });
      if (seen.has(seenKey(String(t.id), updatedAt))) continue;
      const events: DeskEvent[] = (await this.notes.list(String(t.id), cursor.since))
        .filter((n) => !n.own && Date.parse(n.at) >= since)
        .map((note) => ({ kind: 'note', id: note.id, at: note.at, by: note.author, note }));
      if (t.lastActivityResourceID !== me && Date.parse(updatedAt) >= since) {
        events.push({
          kind: 'updated',
          id: `${t.id}@${updatedAt}`,
          at: updatedAt,
          by: t.lastActivityResourceID ? `resource ${t.lastActivityResourceID}` : 'unknown',
        });
      }
      if (events.length)
        changes.push({ ticket: await this.toDeskTicket(t, false), events: events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)) });
    }
    return { changes, cursor: advanceCursor(cursor, stamped, null) };
  }

  /** Devices are Autotask's: an existing one is read back unchanged, a new one is not created. */
  async saveAsset(asset: DeskAssetFields, id?: DeskId): Promise<DeskAsset> {
    if (id === undefined)
      throw new DeskError(
        'E_DESK_UNSUPPORTED',
        `Autotask devices are not created by Outpost (${asset.name}): add it in Autotask with its serial number`,
      );
    const ci = await this.client.item('ConfigurationItems', atId(id, 'device'), ConfigurationItemSchema);
    if (!ci) throw new DeskError('E_DESK_NOT_FOUND', `Autotask has no device ${id}`);
    return toDeskAsset(ci);
  }

  async findAssets(lookup: AssetLookup): Promise<DeskAsset[]> {
    let filter: Filter;
    if (lookup.by === 'serviceTag') {
      filter = {
        op: 'or',
        items: [
          { op: 'eq', field: 'referenceNumber', value: lookup.value },
          { op: 'eq', field: 'serialNumber', value: lookup.value },
        ],
      };
    } else if (lookup.by === 'name') {
      filter = { op: 'eq', field: 'referenceTitle', value: lookup.value };
    } else {
      return []; // no MAC or Outpost id on an Autotask device without admin-made fields
    }
    return (
      await this.client.query('ConfigurationItems', [filter, { op: 'eq', field: 'isActive', value: true }], ConfigurationItemSchema, 20)
    ).map(toDeskAsset);
  }

  /** A device field (e.g. companyID) or one of its user-defined fields, by name. */
  async readAssetField(id: DeskId, field: string): Promise<string | null> {
    const ci = await this.client.item('ConfigurationItems', atId(id, 'device'), ConfigurationItemSchema);
    if (!ci) throw new DeskError('E_DESK_NOT_FOUND', `Autotask has no device ${id}`);
    const top = Object.entries(ci).find(([k]) => k.toLowerCase() === field.toLowerCase())?.[1];
    const value: unknown = top ?? ci.userDefinedFields?.find((u) => u.name === field)?.value;
    return (typeof value === 'string' && value.trim()) || typeof value === 'number' ? String(value).trim() : null;
  }

  findSoftware(): Promise<DeskId | null> {
    return Promise.reject(new DeskError('E_DESK_UNSUPPORTED', 'Outpost keeps no software catalog in Autotask'));
  }

  saveSoftware(_software: DeskSoftware): Promise<DeskId> {
    return Promise.reject(new DeskError('E_DESK_UNSUPPORTED', 'Outpost keeps no software catalog in Autotask'));
  }
}

function toDeskAsset(ci: ConfigurationItem): DeskAsset {
  const serial = ci.serialNumber || ci.referenceNumber;
  return { id: String(ci.id), name: ci.referenceTitle ?? '', macs: [], ...(serial ? { serviceTag: serial } : {}) };
}

function checkKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) throw new DeskError('E_DESK_REJECTED', 'an idempotency key must be 8 to 128 letters, digits or _ . : -');
  return key;
}
