// ServiceDesk Plus (on-premises and Cloud) over API v3: requesters, requests with their files,
// notes, worklogs, closing by the close call, and workstations (per-product asset API from build
// 15100, the old one before). Built to ManageEngine's documentation (README.md) and proven
// against test/desk/sdp/contract-server.ts, which is built from the documented samples.
import { z } from 'zod';
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
  DeskPackage,
  DeskProblem,
  DeskTicket,
  DeskTicketChange,
  DeskUser,
  NewDeskNote,
  NewDeskTicket,
  NewDeskWorklog,
  TicketUpdate,
} from '../types.js';
import { SdpClient } from './client.js';
import { isTechnician, SdpConfigSchema, sdpStatus, type SdpConfig, type SdpConfigInput } from './config.js';
import type { DeskApproval } from '../approval.js';
import { readSdpApproval } from './approvals.js';
import { SdpAssets } from './assets.js';
import { SdpProducts } from './products.js';
import { closeInput, requestInput, sdpId, toDeskTicket } from './mapping.js';
import { SdpNotes } from './notes.js';
import { sdpPreflight } from './preflight.js';
import { RequesterOutSchema, RequestOutSchema, type RequestOut, type SdpCriterion } from './shapes.js';

const PAGE_SIZE = 100;
const MAX_PAGES_PER_POLL = 20;
const REQUESTS = '/api/v3/requests';

export class SdpConnector implements DeskConnector {
  readonly kind = 'sdp' as const;
  readonly capabilities: DeskCapabilities;
  readonly config: SdpConfig;
  private readonly client: SdpClient;
  private readonly notes: SdpNotes;
  private readonly assets: SdpAssets;
  private readonly products: SdpProducts;

  constructor(config: SdpConfigInput, log: Logger, fetchImpl?: typeof fetch) {
    this.config = parseConfig(SdpConfigSchema, config, 'ServiceDesk Plus');
    this.client = new SdpClient(this.config, log.child({ desk: 'sdp' }), fetchImpl);
    this.notes = new SdpNotes(this.client, this.config);
    this.assets = new SdpAssets(this.client, this.config);
    this.products = new SdpProducts(this.client, this.config);
    this.capabilities = {
      createTickets: true,
      attachments: true,
      notesToDesk: true,
      worklogs: true,
      assets: true,
      readStatus: true,
      readNotes: true,
      updateStatus: true,
      ticketKeys: this.config.requestKeyField !== undefined,
      noteKeys: true,
      // No documented call writes a software catalog; a workstation's software is SDP's own scan.
      softwareCatalog: false,
      accountLookup: true,
    };
  }

  async checkHealth(): Promise<void> {
    await this.client.list(REQUESTS, 'requests', RequestOutSchema, { list_info: { row_count: 1 } });
  }

  /** The technician key and the key field (./preflight.ts). */
  preflight(): Promise<DeskProblem[]> {
    return sdpPreflight(this.client, this.config);
  }

  async findOrCreateUser(email: string, name?: string): Promise<DeskUser> {
    const byEmail = { list_info: { row_count: 1, search_criteria: { field: 'email_id', condition: 'is' as const, value: email } } };
    const found = (await this.client.list('/api/v3/requesters', 'requesters', RequesterOutSchema, byEmail)).items[0];
    const u =
      found ??
      (await this.client.one('POST', '/api/v3/requesters', 'requester', RequesterOutSchema, {
        requester: { name: name ?? email, email_id: email },
      }));
    return { id: u.id, email: u.email_id ?? email, name: u.name };
  }

  /** The requester whose login name is `login` (the user sample's login_name), or null. */
  async findUserByLogin(login: string): Promise<DeskUser | null> {
    const byLogin = { list_info: { row_count: 1, search_criteria: { field: 'login_name', condition: 'is' as const, value: login } } };
    const u = (await this.client.list('/api/v3/requesters', 'requesters', RequesterOutSchema, byLogin)).items[0];
    if (!u) return null;
    return { id: u.id, email: u.email_id ?? '', name: u.name, login: u.login_name ?? login };
  }

  /** SDP's request with this id; null when there is none (SDP answers 404). */
  async findTicketByNumber(number: string): Promise<DeskTicket | null> {
    if (!/^[1-9]\d{0,18}$/.test(number)) return null;
    try {
      return await this.fetchTicket(number);
    } catch (err) {
      if (err instanceof DeskError && err.code === 'E_DESK_NOT_FOUND') return null;
      throw err;
    }
  }

  /**
   * The requester is found or created first (or is the desk user the sync found by login name); each
   * file then goes up with the documented upload call.
   */
  async createTicket(ticket: NewDeskTicket): Promise<DeskId> {
    checkKey(ticket.idempotencyKey);
    const requester = ticket.requesterUser ?? (await this.findOrCreateUser(ticket.requesterEmail, ticket.requesterName));
    const id = (await this.client.one('POST', REQUESTS, 'request', RequestOutSchema, requestInput(this.config, ticket, requester.id))).id;
    for (const file of ticket.attachments ?? []) await this.client.upload(`${REQUESTS}/${sdpId(id)}/upload`, file);
    return id;
  }

  async findTicketByKey(key: string): Promise<DeskId | null> {
    checkKey(key);
    if (!this.config.requestKeyField) return null;
    const criteria: SdpCriterion = { field: `udf_fields.${this.config.requestKeyField}`, condition: 'is', value: key };
    const page = await this.client.list(REQUESTS, 'requests', RequestOutSchema, {
      list_info: { row_count: 1, sort_field: 'created_time', sort_order: 'asc', search_criteria: criteria },
    });
    return page.items[0]?.id ?? null;
  }

  async fetchTicket(id: DeskId): Promise<DeskTicket> {
    return toDeskTicket(this.config, await this.client.one('GET', `${REQUESTS}/${sdpId(id)}`, 'request', RequestOutSchema));
  }

  /**
   * Closing goes through the close call with closure info, so SDP applies its closure rules and
   * the closure code; other statuses are written by name. Closing a closed request changes nothing.
   */
  async updateTicket(id: DeskId, update: TicketUpdate): Promise<void> {
    if (update.status === undefined) return;
    const path = `${REQUESTS}/${sdpId(id)}`;
    const name = sdpStatus(this.config, update.status);
    if (update.status === 'closed') {
      const now = await this.client.one('GET', path, 'request', RequestOutSchema);
      if (now.status.name.toLowerCase() === name.toLowerCase()) return;
      // Only response_status is relied on: the close answer's body is not documented (README).
      await this.client.one('PUT', `${path}/close`, 'request', z.unknown(), closeInput(this.config));
      return;
    }
    await this.client.one('PUT', path, 'request', RequestOutSchema, { request: { status: { name } } });
  }

  /** The note, then its files as attachments of the request (SDP notes take none of their own). */
  async addNote(note: NewDeskNote): Promise<DeskId> {
    const id = await this.notes.add({ ...note, idempotencyKey: checkKey(note.idempotencyKey) });
    for (const file of note.attachments ?? []) await this.client.upload(`${REQUESTS}/${sdpId(note.ticketId)}/upload`, file);
    return id;
  }

  findNoteByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    return this.notes.findNoteByKey(ticketId, checkKey(key));
  }

  fetchNotes(ticketId: DeskId): Promise<DeskNote[]> {
    return this.notes.list(ticketId);
  }

  /** The request's approval levels and, for a rejection, the approver's comments (./approvals.ts). */
  readApproval(ticketId: DeskId): Promise<DeskApproval> {
    return readSdpApproval(this.client, this.config, ticketId);
  }

  addWorklog(worklog: NewDeskWorklog): Promise<DeskId> {
    if (!Number.isInteger(worklog.minutes) || worklog.minutes < 0 || worklog.minutes > 24 * 60) {
      throw new DeskError('E_DESK_REJECTED', `worklog minutes must be a whole number from 0 to 1440, not ${worklog.minutes}`);
    }
    return this.notes.addWorklog({ ...worklog, idempotencyKey: checkKey(worklog.idempotencyKey) });
  }

  findWorklogByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    return this.notes.findWorklogByKey(ticketId, checkKey(key));
  }

  saveAsset(asset: DeskAssetFields, id?: DeskId): Promise<DeskAsset> {
    return this.assets.save(asset, id);
  }

  findAssets(lookup: AssetLookup): Promise<DeskAsset[]> {
    return this.assets.find(lookup);
  }

  /** `field` is `site` or a workstation additional field (udf_...). */
  readAssetField(id: DeskId, field: string): Promise<string | null> {
    return this.assets.read(id, field);
  }

  findSoftware(): Promise<DeskId | null> {
    return Promise.reject(new DeskError('E_DESK_UNSUPPORTED', 'ServiceDesk Plus documents no call that writes a software catalog'));
  }

  saveSoftware(): Promise<DeskId> {
    return Promise.reject(new DeskError('E_DESK_UNSUPPORTED', 'ServiceDesk Plus documents no call that writes a software catalog'));
  }

  /** The package store's packages as products of `packageProductType` (./products.ts). */
  findPackage(pkg: DeskPackage): Promise<DeskId | null> {
    return this.products.find(pkg);
  }

  savePackage(pkg: DeskPackage, id?: DeskId): Promise<DeskId> {
    return this.products.save(pkg, id);
  }

  retirePackage(pkg: DeskPackage, id: DeskId): Promise<void> {
    return this.products.retire(pkg, id);
  }

  /**
   * SDP's v3 API gives no per-change history, so what a person did is read from the notes
   * (who added them) and from last_updated_by; a change by someone else that the connector
   * then touched again shows only through the ticket's current state.
   */
  async listChangedSince(cursor: DeskCursor): Promise<DeskChanges> {
    const { requests, serverNow } = await this.changedRequests(cursor);
    const changes: DeskTicketChange[] = [];
    for (const r of requests) {
      const change = await this.changeOf(r, cursor);
      if (change.events.length > 0) changes.push(change);
    }
    const stamped: Stamped[] = requests.map((r) => ({ id: r.id, updatedAt: updatedAt(r) }));
    return { changes, cursor: advanceCursor(cursor, stamped, serverNow) };
  }

  private async changedRequests(cursor: DeskCursor): Promise<{ requests: RequestOut[]; serverNow: Date | null }> {
    const seen = new Set(cursor.seen);
    const found: RequestOut[] = [];
    let serverNow: Date | null = null;
    let since = cursor.since;
    let start = 1;
    for (let round = 0; round < MAX_PAGES_PER_POLL; round++) {
      const criteria: SdpCriterion = { field: 'last_updated_time', condition: 'greater or equal', value: String(Date.parse(since)) };
      const page = await this.client.list(REQUESTS, 'requests', RequestOutSchema, {
        list_info: {
          row_count: PAGE_SIZE,
          start_index: start,
          sort_field: 'last_updated_time',
          sort_order: 'asc',
          search_criteria: criteria,
        },
      });
      serverNow ??= page.serverNow;
      for (const r of page.items) {
        const key = seenKey(r.id, updatedAt(r));
        if (!seen.has(key) && this.isOutposts(r)) found.push(r);
        seen.add(key);
      }
      const last = page.items[page.items.length - 1];
      if (!page.hasMore || !last) break;
      if (Date.parse(updatedAt(last)) > Date.parse(since)) [since, start] = [updatedAt(last), 1];
      else start += page.items.length;
    }
    return { requests: found, serverNow };
  }

  /** With a key field configured, only requests Outpost created are followed. */
  private isOutposts(r: RequestOut): boolean {
    const field = this.config.requestKeyField;
    return !field || (typeof r.udf_fields?.[field] === 'string' && r.udf_fields[field] !== '');
  }

  private async changeOf(r: RequestOut, cursor: DeskCursor): Promise<DeskTicketChange> {
    const since = Date.parse(cursor.since);
    const strict = cursor.seen.includes(seenKey(r.id, cursor.since));
    const fresh = (at: string) => Date.parse(at) > since || (!strict && Date.parse(at) === since);
    const events: DeskEvent[] = (await this.notes.list(r.id))
      .filter((n) => !n.own && fresh(n.at))
      .map((note) => ({ kind: 'note', id: note.id, at: note.at, by: note.author, note }));
    const at = updatedAt(r);
    if (!isTechnician(this.config, r.last_updated_by) && fresh(at)) {
      events.push({ kind: 'updated', id: `${r.id}@${at}`, at, by: r.last_updated_by?.name ?? r.last_updated_by?.email_id ?? 'unknown' });
    }
    events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return { ticket: toDeskTicket(this.config, r), events };
  }
}

function updatedAt(r: RequestOut): string {
  return new Date((r.last_updated_time ?? r.created_time).value).toISOString();
}

function checkKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) throw new DeskError('E_DESK_REJECTED', 'an idempotency key must be 8 to 128 letters, digits or _ . : -');
  return key;
}
