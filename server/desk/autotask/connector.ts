// Autotask PSA over its REST API: tickets, ticket notes, time entries, and devices
// (ConfigurationItems) looked up by serial to set the ticket's company. Built to Datto's
// documentation (README.md) and proven against test/desk/autotask/contract-server.ts.
import type { Logger } from '../../../shared/log.js';
import { IDEMPOTENCY_KEY, type DeskCapabilities, type DeskConnector } from '../connector.js';
import { DeskError, parseConfig } from '../errors.js';
import type {
  AssetLookup,
  DeskAsset,
  DeskAssetFields,
  DeskChanges,
  DeskCursor,
  DeskId,
  DeskNote,
  DeskPackage,
  DeskProblem,
  DeskSoftware,
  DeskTicket,
  DeskUser,
  NewDeskNote,
  NewDeskTicket,
  NewDeskWorklog,
  TicketUpdate,
} from '../types.js';
import { listChangedSince, type ChangesDeps } from './changes.js';
import { AutotaskClient } from './client.js';
import { rejectionReason, type DeskApproval } from '../approval.js';
import { approvalFromAutotask, AutotaskConfigSchema, type AutotaskConfig, type AutotaskConfigInput } from './config.js';
import { AutotaskDevices } from './devices.js';
import { AutotaskNotes, atId } from './notes.js';
import { AutotaskPeople } from './people.js';
import { Picklists } from './picklists.js';
import { autotaskPreflight } from './preflight.js';
import { AutotaskProducts } from './products.js';
import { ConfigurationItemSchema, TicketSchema } from './schemas.js';
import { toDeskTicket } from './ticket-view.js';

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
  private readonly people: AutotaskPeople;
  private readonly devices: AutotaskDevices;
  /** What reading tickets and changes needs. */
  private readonly reading: ChangesDeps;
  /** The package store's catalog as Products (./products.ts); absent without packageBillingCodeId. */
  readonly findPackage?: (pkg: DeskPackage) => Promise<DeskId | null>;
  readonly savePackage?: (pkg: DeskPackage, id?: DeskId) => Promise<DeskId>;
  readonly retirePackage?: (pkg: DeskPackage, id: DeskId) => Promise<void>;

  constructor(config: AutotaskConfigInput, log: Logger, fetchImpl?: typeof fetch, now?: () => number) {
    this.config = parseConfig(AutotaskConfigSchema, config, 'Autotask');
    this.client = new AutotaskClient(this.config, log.child({ desk: 'autotask' }), fetchImpl, now);
    this.picklists = new Picklists(this.client);
    this.people = new AutotaskPeople(this.client, this.config);
    this.devices = new AutotaskDevices(this.client);
    this.notes = new AutotaskNotes(this.client, this.config, this.picklists, () => this.people.me());
    this.reading = { client: this.client, config: this.config, picklists: this.picklists, notes: this.notes, me: () => this.people.me() };
    if (this.config.packageBillingCodeId !== undefined) {
      const products = new AutotaskProducts(this.client, this.config.packageBillingCodeId);
      this.findPackage = (pkg) => products.find(pkg);
      this.savePackage = (pkg, id) => products.save(pkg, id);
      this.retirePackage = (_pkg, id) => products.retire(id);
    }
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

  async findOrCreateUser(email: string, name?: string): Promise<DeskUser> {
    const c = await this.people.contactFor(email, name, this.config.companyId);
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
      contactID: t.requesterUser ? Number(t.requesterUser.id) : await this.people.contactFor(t.requesterEmail, t.requesterName, companyId),
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
    return toDeskTicket(this.reading, t, true);
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

  /**
   * A self-service request's approval is the ticket's status (approvalStatuses labels); a rejection's
   * reason is the last note a person wrote on the ticket.
   */
  async readApproval(ticketId: DeskId): Promise<DeskApproval> {
    const t = await this.client.item('Tickets', atId(ticketId), TicketSchema);
    if (!t) throw new DeskError('E_DESK_NOT_FOUND', `Autotask has no ticket ${ticketId}`);
    const state = approvalFromAutotask(this.config, await this.picklists.label('Tickets', 'status', t.status));
    if (state !== 'rejected') return { state, reason: null };
    return { state, reason: rejectionReason(await this.notes.list(ticketId)) };
  }

  addWorklog(w: NewDeskWorklog): Promise<DeskId> {
    checkKey(w.idempotencyKey);
    return this.notes.addWorklog(w);
  }

  findWorklogByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    return this.notes.findWorklogByKey(ticketId, checkKey(key));
  }

  /** Tickets changed since the cursor, with their notes and changes by people (./changes.ts). */
  listChangedSince(cursor: DeskCursor): Promise<DeskChanges> {
    return listChangedSince(this.reading, cursor);
  }

  /** Devices are Autotask's: an existing one is read back unchanged, a new one is not created. */
  saveAsset(asset: DeskAssetFields, id?: DeskId): Promise<DeskAsset> {
    return this.devices.save(asset, id);
  }

  findAssets(lookup: AssetLookup): Promise<DeskAsset[]> {
    return this.devices.find(lookup);
  }

  /** A device field (e.g. companyID) or one of its user-defined fields, by name. */
  readAssetField(id: DeskId, field: string): Promise<string | null> {
    return this.devices.readField(id, field);
  }

  findSoftware(): Promise<DeskId | null> {
    return Promise.reject(new DeskError('E_DESK_UNSUPPORTED', 'Outpost keeps no software catalog in Autotask'));
  }

  saveSoftware(_software: DeskSoftware): Promise<DeskId> {
    return Promise.reject(new DeskError('E_DESK_UNSUPPORTED', 'Outpost keeps no software catalog in Autotask'));
  }
}

function checkKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) throw new DeskError('E_DESK_REJECTED', 'an idempotency key must be 8 to 128 letters, digits or _ . : -');
  return key;
}
