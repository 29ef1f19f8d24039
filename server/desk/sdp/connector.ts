// ServiceDesk Plus (on-premises and Cloud) over API v3: requests, notes, worklogs, workstations.
// Built to the documented shapes (README.md) and proven against ./contract-server.ts.
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
  DeskSoftware,
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
import { requestInput, sdpId, softwareInput, toDeskAsset, toDeskTicket, workstationField, workstationInput } from './mapping.js';
import { SdpNotes } from './notes.js';
import { RequesterOutSchema, RequestOutSchema, SoftwareOutSchema, WorkstationOutSchema, type RequestOut, type SdpCriterion } from './shapes.js';

const PAGE_SIZE = 100;
const MAX_PAGES_PER_POLL = 20;
const REQUESTS = '/api/v3/requests';
const WORKSTATIONS = '/api/v3/workstations';
const SOFTWARES = '/api/v3/softwares';

export class SdpConnector implements DeskConnector {
  readonly kind = 'sdp' as const;
  readonly capabilities: DeskCapabilities;
  readonly config: SdpConfig;
  private readonly client: SdpClient;
  private readonly notes: SdpNotes;

  constructor(config: SdpConfigInput, log: Logger, fetchImpl?: typeof fetch) {
    this.config = parseConfig(SdpConfigSchema, config, 'ServiceDesk Plus');
    this.client = new SdpClient(this.config, log.child({ desk: 'sdp' }), fetchImpl);
    this.notes = new SdpNotes(this.client, this.config);
    this.capabilities = {
      createTickets: true,
      attachments: false,
      notesToDesk: true,
      worklogs: true,
      assets: true,
      readStatus: true,
      readNotes: true,
      updateStatus: true,
      ticketKeys: this.config.requestKeyField !== undefined,
      noteKeys: true,
      softwareCatalog: true,
      accountLookup: true,
    };
  }

  async checkHealth(): Promise<void> {
    await this.client.list(REQUESTS, 'requests', RequestOutSchema, { list_info: { row_count: 1 } });
  }

  async findOrCreateUser(email: string, name?: string): Promise<DeskUser> {
    const byEmail = { list_info: { row_count: 1, search_criteria: { field: 'email_id', condition: 'is' as const, value: email } } };
    const found = (await this.client.list('/api/v3/requesters', 'requesters', RequesterOutSchema, byEmail)).items[0];
    const u = found ?? (await this.client.one('POST', '/api/v3/requesters', 'requester', RequesterOutSchema, { requester: { name: name ?? email, email_id: email } }));
    return { id: u.id, email: u.email_id ?? email, name: u.name };
  }

  async createTicket(ticket: NewDeskTicket): Promise<DeskId> {
    checkKey(ticket.idempotencyKey);
    return (await this.client.one('POST', REQUESTS, 'request', RequestOutSchema, requestInput(this.config, ticket))).id;
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

  async updateTicket(id: DeskId, update: TicketUpdate): Promise<void> {
    if (update.status === undefined) return;
    const input = { request: { status: { name: sdpStatus(this.config, update.status) } } };
    await this.client.one('PUT', `${REQUESTS}/${sdpId(id)}`, 'request', RequestOutSchema, input);
  }

  addNote(note: NewDeskNote): Promise<DeskId> {
    return this.notes.add({ ...note, idempotencyKey: checkKey(note.idempotencyKey) });
  }

  findNoteByKey(ticketId: DeskId, key: string): Promise<DeskId | null> {
    return this.notes.findNoteByKey(ticketId, checkKey(key));
  }

  fetchNotes(ticketId: DeskId): Promise<DeskNote[]> {
    return this.notes.list(ticketId);
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

  async saveAsset(asset: DeskAssetFields, id?: DeskId): Promise<DeskAsset> {
    const input = workstationInput(this.config, asset);
    const path = id === undefined ? WORKSTATIONS : `${WORKSTATIONS}/${sdpId(id, 'workstation')}`;
    return toDeskAsset(await this.client.one(id === undefined ? 'POST' : 'PUT', path, 'workstation', WorkstationOutSchema, input));
  }

  async findAssets(lookup: AssetLookup): Promise<DeskAsset[]> {
    const criteria = assetCriteria(lookup);
    if (!criteria) return [];
    const page = await this.client.list(WORKSTATIONS, 'workstations', WorkstationOutSchema, {
      list_info: { row_count: 20, search_criteria: criteria },
    });
    return page.items.map(toDeskAsset);
  }

  /** `field` is `site` or a workstation additional field (udf_...). */
  async readAssetField(id: DeskId, field: string): Promise<string | null> {
    return workstationField(await this.client.one('GET', `${WORKSTATIONS}/${sdpId(id, 'workstation')}`, 'workstation', WorkstationOutSchema), field);
  }

  async findSoftware(name: string): Promise<DeskId | null> {
    const page = await this.client.list(SOFTWARES, 'softwares', SoftwareOutSchema, {
      list_info: { row_count: 1, search_criteria: { field: 'name', condition: 'is', value: name.slice(0, 250) } },
    });
    return page.items[0]?.id ?? null;
  }

  async saveSoftware(software: DeskSoftware, id?: DeskId): Promise<DeskId> {
    const input = softwareInput(this.config, software);
    const path = id === undefined ? SOFTWARES : `${SOFTWARES}/${sdpId(id, 'software')}`;
    return (await this.client.one(id === undefined ? 'POST' : 'PUT', path, 'software', SoftwareOutSchema, input)).id;
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
        list_info: { row_count: PAGE_SIZE, start_index: start, sort_field: 'last_updated_time', sort_order: 'asc', search_criteria: criteria },
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

function assetCriteria(lookup: AssetLookup): SdpCriterion | null {
  switch (lookup.by) {
    case 'serviceTag':
      return { field: 'computer_system.service_tag', condition: 'is', value: lookup.value };
    case 'name':
      return { field: 'name', condition: 'is', value: lookup.value };
    case 'mac':
      return lookup.values.length ? { field: 'network_adapters.mac_address', condition: 'is', values: lookup.values.map((m) => m.toLowerCase()) } : null;
    case 'outpostDeviceId':
      return null; // no field for it in SDP without an admin-made additional field
  }
}

function checkKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) throw new DeskError('E_DESK_REJECTED', 'an idempotency key must be 8 to 128 letters, digits or _ . : -');
  return key;
}
