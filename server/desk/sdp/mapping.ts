// Pure translations between desk-neutral records and ServiceDesk Plus v3 bodies.
import { DeskError } from '../errors.js';
import { htmlToText, textToHtml } from '../text.js';
import type { DeskAsset, DeskAssetFields, DeskNote, DeskTicket, NewDeskTicket, NewDeskWorklog } from '../types.js';
import { isTechnician, priorityFromSdp, sdpPriority, sdpStatus, statusFromSdp, UDF_FIELD, type SdpConfig } from './config.js';
import type { NoteOut, RequestOut, SdpFlavour, WorkstationOut } from './shapes.js';

/** SDP ids are longs beyond JS's safe integers: they stay strings, digits only. */
export function sdpId(id: string, what = 'request'): string {
  if (!/^\d{1,19}$/.test(id)) throw new DeskError('E_DESK_REJECTED', `not an SDP ${what} id: ${JSON.stringify(id).slice(0, 40)}`);
  return id;
}

/**
 * Notes and worklogs have no field for Outpost's key, so it rides in the HTML description as a
 * comment nobody sees. findNoteByKey looks for it.
 */
/** Any of Outpost's key markers: what tells a note Outpost wrote from one a person wrote as its technician. */
const ANY_KEY_MARKER = /<!-- outpost:[A-Za-z0-9_.:-]{8,128} -->/;

export function keyMarker(key: string): string {
  return `<!-- outpost:${key} -->`;
}

/** `requesterId`: the requester found or created through /api/v3/requesters. Files go up afterwards (upload call). */
export function requestInput(config: SdpConfig, t: NewDeskTicket, requesterId?: string): unknown {
  const udf: Record<string, string> = {};
  if (t.account && isUdf(t.account.field)) udf[t.account.field] = t.account.value.slice(0, 250);
  if (config.requestKeyField) udf[config.requestKeyField] = t.idempotencyKey;
  return {
    request: {
      subject: t.subject.slice(0, 250),
      description: textToHtml(t.description),
      requester: requesterId ? { id: requesterId } : { email_id: t.requesterEmail, ...(t.requesterName ? { name: t.requesterName } : {}) },
      priority: { name: sdpPriority(config, t.priority) },
      ...classification(t),
      ...(t.status ? { status: { name: sdpStatus(config, t.status) } } : {}),
      ...(t.assetId ? { assets: [{ id: sdpId(t.assetId, 'asset') }] } : {}),
      ...accountInput(t.account),
      ...(Object.keys(udf).length ? { udf_fields: udf } : {}),
    },
  };
}

const isUdf = (field: string): boolean => UDF_FIELD.test(field);

/** The request template, category and subcategory: a queue IT chose wins, then the ticket template's, then the tray's category. */
function classification(t: NewDeskTicket): Record<string, { name: string }> {
  const sdp = t.classification?.sdp;
  const category = t.queue ?? sdp?.category ?? t.category;
  return {
    ...(sdp?.template ? { template: { name: sdp.template } } : {}),
    ...(category ? { category: { name: category } } : {}),
    // A subcategory belongs to its category: only with the template's own.
    ...(sdp?.subcategory && category === sdp.category ? { subcategory: { name: sdp.subcategory } } : {}),
  };
}

/** Where the account lookup reads a workstation's reference: its site or an additional field. */
export const isWorkstationAccountField = (field: string): boolean => field === 'site' || isUdf(field);
/** Where a request takes the reference: site, account (MSP edition) or an additional field. */
export const isRequestAccountField = (field: string): boolean => field === 'site' || field === 'account' || isUdf(field);

/** site or account as a named object; an additional field goes in udf_fields (requestInput). */
function accountInput(account: NewDeskTicket['account']): Record<string, unknown> {
  if (!account || isUdf(account.field)) return {};
  if (isRequestAccountField(account.field)) return { [account.field]: { name: account.value.slice(0, 250) } };
  throw new DeskError(
    'E_DESK_REJECTED',
    `a request's account reference goes to site, account or a udf_ field, not ${JSON.stringify(account.field)}`,
  );
}

/** A workstation's site or additional field, as the account lookup reads it. */
export function workstationField(w: WorkstationOut, field: string): string | null {
  if (!isWorkstationAccountField(field)) {
    throw new DeskError(
      'E_DESK_REJECTED',
      `a workstation's account reference is read from site or a udf_ field, not ${JSON.stringify(field)}`,
    );
  }
  // Old API: workstation_udf_fields; new per-product API: udf_<name> on the record itself.
  const record = w as Record<string, unknown>;
  const value: unknown = field === 'site' ? w.site?.name : (w.workstation_udf_fields?.[field] ?? record[field] ?? w.udf_fields?.[field]);
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

export function toDeskTicket(config: SdpConfig, r: RequestOut): DeskTicket {
  const key = config.requestKeyField ? r.udf_fields?.[config.requestKeyField] : undefined;
  const requester = r.requester?.email_id ?? r.requester?.name;
  return {
    id: r.id,
    subject: r.subject,
    status: statusFromSdp(config, r.status.name),
    deskStatus: r.status.name,
    priority: priorityFromSdp(config, r.priority?.name),
    requesters: requester ? [requester] : [],
    createdAt: new Date(r.created_time.value).toISOString(),
    updatedAt: new Date((r.last_updated_time ?? r.created_time).value).toISOString(),
    timeWorkedMinutes: null,
    idempotencyKey: typeof key === 'string' && key ? key : null,
    assetIds: r.assets ? r.assets.map((a) => a.id) : null,
  };
}

export function toDeskNote(config: SdpConfig, ticketId: string, n: NoteOut): DeskNote {
  return {
    id: n.id,
    ticketId,
    visibility: n.show_to_requester ? 'public' : 'internal',
    text: htmlToText(n.description),
    author: n.added_by?.name ?? n.added_by?.email_id ?? '',
    at: new Date(n.added_time.value).toISOString(),
    own: isTechnician(config, n.added_by) && ANY_KEY_MARKER.test(n.description),
  };
}

export function worklogInput(flavour: SdpFlavour, w: NewDeskWorklog): unknown {
  const start = Date.parse(w.start);
  const end = Date.parse(w.end);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start)
    throw new DeskError('E_DESK_REJECTED', 'a worklog needs a start before its end');
  const owner = /@/.test(w.technician) ? { email_id: w.technician } : { name: w.technician };
  const common = {
    owner,
    description: textToHtml(w.description) + keyMarker(w.idempotencyKey),
    start_time: { value: String(start) },
    end_time: { value: String(end) },
  };
  if (flavour === 'cloud') return { request_worklog: { ...common, time_spent: { value: String(w.minutes * 60_000) } } };
  return {
    worklog: { ...common, time_spent: { hours: String(Math.floor(w.minutes / 60)), minutes: String(w.minutes % 60) } },
  };
}

/** An additional field's value: lists one item a line; SDP's text fields hold at most 32,000 characters. */
function udfValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join('\n') : value;
  return text ? text.slice(0, 32_000) : undefined;
}

/** The summaries an admin gave additional fields to (config.assetUdfFields), desk-owned ones left out. */
function assetUdfs(config: SdpConfig, a: DeskAssetFields, owned: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, udf] of Object.entries(config.assetUdfFields)) {
    if (!udf || owned.has(field)) continue;
    const value = udfValue(a[field as keyof typeof config.assetUdfFields]);
    if (value) out[udf] = value;
  }
  return out;
}

/**
 * `root`: `workstation` (old API) or `asset_workstation` (per-product API from build 15100); their
 * additional fields go in `workstation_udf_fields` and as top-level `udf_` keys respectively.
 * Fields the mapping leaves to the desk (`deskOwned`) are not sent.
 */
export function workstationInput(config: SdpConfig, a: DeskAssetFields, root = 'workstation'): unknown {
  const owned = new Set<string>(a.deskOwned ?? []);
  const has = (field: string, value: unknown) => !owned.has(field) && value !== undefined && value !== '';
  const bios = owned.has('bios') ? undefined : a.bios;
  const udf = assetUdfs(config, a, owned);
  const hasUdf = Object.keys(udf).length > 0;
  return {
    [root]: {
      name: a.name,
      // A product must exist in SDP: the configured one, never a made-up product per model.
      product: { name: config.product },
      state: { name: config.assetState },
      computer_system: {
        ...(has('serviceTag', a.serviceTag) ? { service_tag: a.serviceTag } : {}),
        ...(has('model', a.manufacturer) ? { system_manufacturer: a.manufacturer } : {}),
        ...(has('model', a.model) ? { model: a.model } : {}),
        // Asset Computer page: computer_system.bios_manufacturer, bios_version, bios_date.
        ...(bios?.vendor ? { bios_manufacturer: bios.vendor } : {}),
        ...(bios?.version ? { bios_version: bios.version } : {}),
        ...(bios?.releaseDate ? { bios_date: bios.releaseDate } : {}),
      },
      ...(has('os', a.os) ? { operating_system: { os: a.os } } : {}),
      ...(owned.has('macs') ? {} : { network_adapters: a.macs.map((m) => ({ mac_address: m.toLowerCase() })) }),
      ...(has('loggedOnUser', a.loggedOnUser) ? { last_logged_user: a.loggedOnUser } : {}),
      // e.g. that it is a suspected clone: never merged silently with its original
      ...(has('description', a.description) ? { description: a.description!.slice(0, 250) } : {}),
      ...(hasUdf && root === 'workstation' ? { workstation_udf_fields: udf } : {}),
      ...(hasUdf && root !== 'workstation' ? udf : {}),
    },
  };
}

export function toDeskAsset(w: WorkstationOut): DeskAsset {
  const optional = (key: string, value: string | null | undefined) => (value ? { [key]: value } : {});
  return {
    id: w.id,
    name: w.name,
    macs: (w.network_adapters ?? []).flatMap((n) => (n.mac_address ? [n.mac_address.toLowerCase()] : [])),
    ...optional('serviceTag', w.computer_system?.service_tag),
    ...optional('manufacturer', w.computer_system?.system_manufacturer),
    ...optional('model', w.computer_system?.model),
    ...optional('os', w.operating_system?.os),
    ...optional('loggedOnUser', w.last_logged_user),
    ...optional('description', w.description),
  };
}

/** Closing by the documented close call: closure info with the configured code and comments. */
export function closeInput(config: SdpConfig): unknown {
  return {
    request: {
      closure_info: {
        requester_ack_resolution: true,
        closure_comments: config.closureComments,
        ...(config.closureCode ? { closure_code: { name: config.closureCode } } : {}),
      },
    },
  };
}
