// Pure translations between Outpost's desk-neutral records and RT's fields and query language.
import { DeskError } from '../errors.js';
import { biosLine } from '../sync/asset-summary.js';
import type { AssetFieldName, DeskAsset, DeskAssetFields, DeskTicket } from '../types.js';
import { priorityFromRt, statusFromRt, type RtConfig } from './config.js';
import type { RtAsset, RtCustomFieldValues, RtTicket } from './schemas.js';

/**
 * A date literal for TicketSQL/TransactionSQL: 'YYYY-MM-DD HH:MM:SS' in UTC. RT reads literals
 * in the API user's timezone (kept UTC) and matches everything for an ISO literal with T..Z.
 */
export function rtSqlDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new DeskError('E_DESK_REJECTED', `not a date: ${JSON.stringify(iso).slice(0, 40)}`);
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** A quoted string for RT's SQL dialects. */
export function rtSqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** RT refuses asset names of digits only (they would read as ids); such hosts get a prefix. */
export function rtAssetName(name: string): string {
  return /^\d+$/.test(name) ? `host-${name}` : name;
}

/** RT dates are ISO with Z; "unset" is the epoch. */
export function rtDate(value: string): string | null {
  const ms = Date.parse(value);
  return Number.isNaN(ms) || ms === 0 ? null : new Date(ms).toISOString();
}

export function cfValues(fields: RtCustomFieldValues, name: string): string[] {
  return fields.find((f) => f.name === name)?.values ?? [];
}

export function cfValue(fields: RtCustomFieldValues, name: string): string | undefined {
  const v = cfValues(fields, name)[0];
  return v === undefined || v === '' ? undefined : v;
}

export function toDeskTicket(config: RtConfig, t: RtTicket): DeskTicket {
  const links = t._hyperlinks;
  return {
    id: t.id,
    subject: t.Subject,
    status: statusFromRt(config, t.Status),
    deskStatus: t.Status,
    priority: Number.isFinite(t.Priority) ? priorityFromRt(config, t.Priority) : null,
    requesters: t.Requestor.map((r) => r.id),
    createdAt: rtDate(t.Created) ?? t.Created,
    updatedAt: rtDate(t.LastUpdated) ?? t.LastUpdated,
    timeWorkedMinutes: t.TimeWorked === undefined || Number.isNaN(t.TimeWorked) ? null : t.TimeWorked,
    idempotencyKey: cfValue(t.CustomFields, config.fields.ticketKey) ?? null,
    assetIds: links ? links.filter((l) => l.ref === 'refers-to' && l.type === 'asset' && l.id).map((l) => String(l.id)) : null,
  };
}

/** RT keeps a value's first 255 characters in Content and the rest in LargeContent; a text area has no limit but ours. */
const MAX_TEXT_AREA = 64 * 1024;

function softwareText(lines: string[] | undefined): string | undefined {
  if (!lines?.length) return undefined;
  const text = lines.join('\n');
  return text.length <= MAX_TEXT_AREA ? text : `${text.slice(0, text.lastIndexOf('\n', MAX_TEXT_AREA))}\n...`;
}

/**
 * The custom-field values Outpost owns on an asset. On an update a field Outpost no longer has
 * is cleared (null deletes an RT value, [] every value of a multi-value field) rather than left
 * stale; on a create it is left out. Fields the desk owns (mapping `assetFields`) are never sent.
 */
export function assetCustomFields(config: RtConfig, a: DeskAssetFields, update: boolean): Record<string, string | string[] | null> {
  const f = config.fields;
  const owned = new Set<string>(a.deskOwned ?? []);
  const model = [a.manufacturer, a.model].filter((v) => v && v.length > 0).join(' ');
  const single: [AssetFieldName | 'outpostDeviceId', string, string | undefined][] = [
    ['serviceTag', f.serviceTag, a.serviceTag],
    ['os', f.os, a.os],
    ['model', f.model, model || undefined],
    ['lastSeen', f.lastSeen, a.lastSeen],
    ['loggedOnUser', f.loggedOnUser, a.loggedOnUser],
    ['outpostDeviceId', f.outpostDeviceId, a.outpostDeviceId],
    ['cpu', f.cpu, a.cpu],
    ['memory', f.memory, a.memory],
    ['osBuild', f.osBuild, a.osBuild],
    ['bios', f.bios, biosLine(a.bios)],
    ['encryption', f.encryption, a.encryption],
    ['software', f.software, softwareText(a.software)],
  ];
  const multi: [AssetFieldName, string, string[] | undefined][] = [
    ['macs', f.macs, a.macs.map((m) => m.toLowerCase())],
    ['disks', f.disks, a.disks],
    ['volumes', f.volumes, a.volumes],
  ];
  const out: Record<string, string | string[] | null> = {};
  for (const [field, name, values] of multi) {
    if (owned.has(field)) continue;
    if (values?.length) out[name] = values.map((v) => v.slice(0, 255));
    else if (update || field === 'macs') out[name] = [];
  }
  for (const [field, name, value] of single) {
    if (owned.has(field)) continue;
    if (value) out[name] = value;
    else if (update && field !== 'outpostDeviceId') out[name] = null;
  }
  return out;
}

export function toDeskAsset(config: RtConfig, a: RtAsset): DeskAsset {
  const f = config.fields;
  const cf = a.CustomFields;
  const optional = (key: string, value: string | undefined) => (value === undefined ? {} : { [key]: value });
  const list = (key: string, values: string[]) => (values.length ? { [key]: values } : {});
  const software = cfValue(cf, f.software);
  return {
    id: a.id,
    name: a.Name,
    macs: cfValues(cf, f.macs),
    ...optional('serviceTag', cfValue(cf, f.serviceTag)),
    ...optional('os', cfValue(cf, f.os)),
    ...optional('model', cfValue(cf, f.model)),
    ...optional('lastSeen', cfValue(cf, f.lastSeen)),
    ...optional('loggedOnUser', cfValue(cf, f.loggedOnUser)),
    ...optional('description', a.Description || undefined),
    ...optional('outpostDeviceId', cfValue(cf, f.outpostDeviceId)),
    ...optional('cpu', cfValue(cf, f.cpu)),
    ...optional('memory', cfValue(cf, f.memory)),
    ...optional('osBuild', cfValue(cf, f.osBuild)),
    ...optional('encryption', cfValue(cf, f.encryption)),
    ...list('disks', cfValues(cf, f.disks)),
    ...list('volumes', cfValues(cf, f.volumes)),
    ...(software ? { software: software.split('\n') } : {}),
  };
}

/** The worklog as the comment text: RT records who posted it, not who did the work. */
export function worklogText(w: { technician: string; start: string; end: string; minutes: number; description: string }): string {
  const head = `Worklog: ${w.minutes} min by ${w.technician} (${w.start} to ${w.end})`;
  return w.description.trim() ? `${head}\n\n${w.description.trim()}` : head;
}

/** The new transaction's id from a Location header such as /REST/2.0/transaction/46. */
export function transactionIdFrom(location: string | null, operation: string): string {
  const m = /\/transaction\/(\d+)\/?$/.exec(location ?? '');
  if (!m?.[1]) throw new DeskError('E_DESK_BAD_RESPONSE', `${operation}: no transaction in the answer`, { operation });
  return m[1];
}

/** RT ids are integers; anything else never reaches a path or a query. */
export function rtId(id: string, what = 'ticket'): string {
  if (!/^\d{1,10}$/.test(id)) throw new DeskError('E_DESK_REJECTED', `not an RT ${what} id: ${JSON.stringify(id).slice(0, 40)}`);
  return id;
}
