// Request Tracker 5 over REST 2.0: every capability, tickets linked to assets, keys in custom
// fields, changes polled by LastUpdated and read from the history so our own echoes are skipped.
import type { Logger } from '../../../shared/log.js';
import { IDEMPOTENCY_KEY, type DeskCapabilities, type DeskConnector, type DeskQueues, type DeskTechnician } from '../connector.js';
import { DeskError, parseConfig } from '../errors.js';
import { approvalFromValue, rejectionReason, type DeskApproval } from '../approval.js';
import type {
  AssetLookup,
  DeskAsset,
  DeskAssetFields,
  DeskChanges,
  DeskCursor,
  DeskId,
  DeskNote,
  DeskProblem,
  DeskPackage,
  DeskSoftware,
  DeskTicket,
  DeskTicketChange,
  DeskUser,
  NewDeskNote,
  NewDeskTicket,
  NewDeskWorklog,
  TicketUpdate,
} from '../types.js';
import { RtAssets } from './assets.js';
import { advanceCursor, seenKey, type Stamped } from '../cursor.js';
import { eventsFrom } from './changes.js';
import { RtClient } from './client.js';
import { RtConfigSchema, type RtConfig, type RtConfigInput } from './config.js';
import { cfValue, rtDate, rtId, rtSqlDate, rtSqlString, toDeskTicket } from './mapping.js';
import { RtNotes } from './notes.js';
import { OwnWrites } from './own.js';
import { rtPreflight } from './preflight.js';
import { RtPackages } from './packages.js';
import { RtSoftware } from './software.js';
import { RtIdSchema, RtTicketSchema, type RtTicket } from './schemas.js';
import { RtTechnicians } from './technicians.js';
import { RtTickets, TICKET_FIELDS } from './tickets.js';

const PAGE_SIZE = 100;
/** A poll reads at most this many pages; the rest waits for the next poll (the cursor holds). */
const MAX_PAGES_PER_POLL = 20;
/** History read before the cursor, to attribute RT_System's reactions to who caused them. */
const CONTEXT_MS = 2_000;
/** Tickets whose history is read at once. */
const PARALLEL = 4;

export const RT_CAPABILITIES: DeskCapabilities = {
  createTickets: true,
  attachments: true,
  notesToDesk: true,
  worklogs: true,
  assets: true,
  readStatus: true,
  readNotes: true,
  updateStatus: true,
  ticketKeys: true,
  noteKeys: true,
  softwareCatalog: true,
  accountLookup: true,
};

export class RtConnector implements DeskConnector {
  readonly kind = 'rt' as const;
  readonly capabilities = RT_CAPABILITIES;
  readonly config: RtConfig;
  private readonly client: RtClient;
  private readonly tickets: RtTickets;
  private readonly notes: RtNotes;
  private readonly assets: RtAssets;
  private readonly software: RtSoftware;
  private readonly packages: RtPackages;
  private readonly technicians: RtTechnicians;
  private readonly own = new OwnWrites();
  /** False once a preflight found no ticket key field on the queue: polls then read the queues. */
  private ticketKeyField = true;

  constructor(config: RtConfigInput, log: Logger, fetchImpl?: typeof fetch) {
    this.config = parseConfig(RtConfigSchema, config, 'Request Tracker');
    this.client = new RtClient(this.config, log.child({ desk: 'rt' }), fetchImpl);
    this.tickets = new RtTickets(this.client, this.config, this.own);
    this.notes = new RtNotes(this.client, this.config, this.own);
    this.assets = new RtAssets(this.client, this.config);
    this.software = new RtSoftware(this.client, this.config);
    this.packages = new RtPackages(this.client, this.config);
    this.technicians = new RtTechnicians(this.client, this.config, log.child({ desk: 'rt' }), fetchImpl);
  }

  assetTickets(assetId: DeskId, limit: number): Promise<DeskTicket[]> {
    return this.tickets.referringTo(assetId, limit);
  }

  listQueues(): Promise<DeskQueues> {
    return this.technicians.listQueues();
  }

  findTechnician(username: string): Promise<DeskTechnician | null> {
    return this.technicians.find(username);
  }

  verifyTechnician(username: string, password: string): Promise<boolean> {
    return this.technicians.verify(username, password);
  }

  /** Proves the URL, the credentials and the right to see the configured queue. */
  async checkHealth(): Promise<void> {
    await this.client.get(`/queue/${encodeURIComponent(this.config.queue)}`, RtIdSchema);
  }

  /** RT's setup against ./README.md (./preflight.ts). */
  async preflight(): Promise<DeskProblem[]> {
    const result = await rtPreflight(this.client, this.config);
    this.ticketKeyField = result.ticketKeyField;
    return result.problems;
  }

  findOrCreateUser(email: string, name?: string): Promise<DeskUser> {
    return this.tickets.findOrCreateUser(email, name);
  }

  findUserByLogin(login: string): Promise<DeskUser | null> {
    return this.tickets.findUserByLogin(login);
  }

  findTicketByNumber(number: string): Promise<DeskTicket | null> {
    return this.tickets.findByNumber(number);
  }

  createTicket(ticket: NewDeskTicket): Promise<DeskId> {
    return this.tickets.create({ ...ticket, idempotencyKey: checkKey(ticket.idempotencyKey) });
  }

  findTicketByKey(key: string): Promise<DeskId | null> {
    return this.tickets.findByKey(checkKey(key));
  }

  fetchTicket(id: DeskId): Promise<DeskTicket> {
    return this.tickets.fetch(id);
  }

  updateTicket(id: DeskId, update: TicketUpdate): Promise<void> {
    return this.tickets.update(id, update);
  }

  addNote(note: NewDeskNote): Promise<DeskId> {
    return this.notes.add({ ...note, idempotencyKey: checkKey(note.idempotencyKey) });
  }

  findNoteByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    return this.notes.findByKey(ticketId, checkKey(key));
  }

  fetchNotes(ticketId: DeskId): Promise<DeskNote[]> {
    return this.notes.fetchNotes(ticketId);
  }

  /** The "Outpost approval" custom field, or RT's own "rejected" status; a rejection's reason is the last note. */
  async readApproval(ticketId: DeskId): Promise<DeskApproval> {
    const ticket = await this.client.get(`/ticket/${rtId(ticketId)}`, RtTicketSchema);
    const fromField = approvalFromValue(cfValue(ticket.CustomFields, this.config.fields.approval));
    const state = fromField === 'pending' && ticket.Status.toLowerCase() === 'rejected' ? 'rejected' : fromField;
    if (state !== 'rejected') return { state, reason: null };
    return { state, reason: rejectionReason(await this.notes.fetchNotes(ticketId)) };
  }

  addWorklog(worklog: NewDeskWorklog): Promise<DeskId> {
    if (!Number.isInteger(worklog.minutes) || worklog.minutes < 0 || worklog.minutes > 24 * 60) {
      throw new DeskError('E_DESK_REJECTED', `worklog minutes must be a whole number from 0 to 1440, not ${worklog.minutes}`);
    }
    return this.notes.addWorklog({ ...worklog, idempotencyKey: checkKey(worklog.idempotencyKey) });
  }

  /** Worklogs are comments: the same transaction custom field holds their key. */
  findWorklogByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    return this.notes.findByKey(ticketId, checkKey(key));
  }

  saveAsset(asset: DeskAssetFields, id?: DeskId): Promise<DeskAsset> {
    return this.assets.save(asset, id);
  }

  findAssets(lookup: AssetLookup): Promise<DeskAsset[]> {
    return this.assets.find(lookup);
  }

  /** `field` is an asset custom field (e.g. a customer number). */
  readAssetField(id: DeskId, field: string): Promise<string | null> {
    return this.assets.customField(id, field);
  }

  findSoftware(name: string): Promise<DeskId | null> {
    return this.software.find(name);
  }

  saveSoftware(software: DeskSoftware, id?: DeskId): Promise<DeskId> {
    return this.software.save(software, id);
  }

  /** The package store's packages: assets in the packageCatalog (./packages.ts). */
  findPackage(pkg: DeskPackage): Promise<DeskId | null> {
    return this.packages.find(pkg);
  }

  savePackage(pkg: DeskPackage, id?: DeskId): Promise<DeskId> {
    return this.packages.save(pkg, id);
  }

  retirePackage(_pkg: DeskPackage, id: DeskId): Promise<void> {
    return this.packages.retire(id);
  }

  async listChangedSince(cursor: DeskCursor): Promise<DeskChanges> {
    const { tickets, serverNow } = await this.changedTickets(cursor);
    const changes: DeskTicketChange[] = [];
    for (let i = 0; i < tickets.length; i += PARALLEL) {
      const batch = await Promise.all(tickets.slice(i, i + PARALLEL).map((t) => this.changeOf(t, cursor)));
      for (const c of batch) if (c.events.length > 0) changes.push(c);
    }
    const stamped: Stamped[] = tickets.map((t) => ({ id: t.id, updatedAt: rtDate(t.LastUpdated) ?? t.LastUpdated }));
    return { changes, cursor: advanceCursor(cursor, stamped, serverNow) };
  }

  /** Outpost's tickets with LastUpdated >= since that the cursor has not seen, oldest first. */
  private async changedTickets(cursor: DeskCursor): Promise<{ tickets: RtTicket[]; serverNow: Date | null }> {
    const seen = new Set(cursor.seen);
    const found: RtTicket[] = [];
    let serverNow: Date | null = null;
    let since = cursor.since;
    let page = 1;
    for (let round = 0; round < MAX_PAGES_PER_POLL; round++) {
      const query = `${this.outpostTickets()} AND LastUpdated >= '${rtSqlDate(since)}'`;
      const res = await this.client.page('/tickets', RtTicketSchema, {
        query,
        fields: TICKET_FIELDS,
        per_page: String(PAGE_SIZE),
        page: String(page),
        orderby: 'LastUpdated',
        order: 'ASC',
      });
      serverNow ??= res.serverNow;
      for (const t of res.items) {
        const key = seenKey(t.id, rtDate(t.LastUpdated) ?? t.LastUpdated);
        if (!seen.has(key)) found.push(t);
        seen.add(key);
      }
      if (res.items.length < PAGE_SIZE) break;
      // Walk on by time rather than page number: a ticket updated meanwhile moves to the end
      // and would shift the pages under us. Page numbers only within one crowded second.
      const last = rtDate(res.items[res.items.length - 1]!.LastUpdated) ?? since;
      if (Date.parse(last) > Date.parse(since)) [since, page] = [last, 1];
      else page += 1;
    }
    return { tickets: found, serverNow };
  }

  /** Tickets carrying Outpost's key; without that field, every ticket in Outpost's queues (the sync keeps only its own). */
  private outpostTickets(): string {
    if (this.ticketKeyField) return `'CF.{${this.config.fields.ticketKey}}' IS NOT NULL`;
    const queues = [...new Set([this.config.queue, ...Object.values(this.config.categoryQueues)])];
    return `(${queues.map((q) => `Queue = ${rtSqlString(q)}`).join(' OR ')})`;
  }

  private async changeOf(t: RtTicket, cursor: DeskCursor): Promise<DeskTicketChange> {
    const since = cursor.since;
    const context = new Date(Date.parse(since) - CONTEXT_MS).toISOString();
    const txns = await this.notes.history(t.id, context);
    const seenAtSince = cursor.seen.includes(seenKey(t.id, since));
    const ctx = {
      config: this.config,
      written: this.own.set,
      createdAt: rtDate(t.Created),
      ticketId: t.id,
      since,
      seenAtSince,
      texts: new Map<string, string>(),
    };
    let events = eventsFrom(txns, ctx);
    const firstNote = events.find((e) => e.kind === 'note');
    if (firstNote) events = eventsFrom(txns, { ...ctx, texts: await this.notes.texts(t.id, firstNote.id) });
    return { ticket: toDeskTicket(this.config, t), events };
  }
}

function checkKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new DeskError('E_DESK_REJECTED', 'an idempotency key must be 8 to 128 letters, digits or _ . : -');
  }
  return key;
}
