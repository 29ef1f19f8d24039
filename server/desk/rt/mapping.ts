// Pure translations between Outpost's desk-neutral records and RT's fields and query language.
import { DeskError } from '../errors.js';
import type { DeskAsset, DeskAssetFields, DeskTicket } from '../types.js';
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

/**
 * The custom-field values Outpost owns on an asset. On an update a field Outpost no longer has
 * is cleared (null deletes an RT value) rather than left stale; on a create it is left out.
 */
export function assetCustomFields(config: RtConfig, a: DeskAssetFields, update: boolean): Record<string, string | string[] | null> {
  const f = config.fields;
  const model = [a.manufacturer, a.model].filter((v) => v && v.length > 0).join(' ');
  const single: [string, string | undefined][] = [
    [f.serviceTag, a.serviceTag],
    [f.os, a.os],
    [f.model, model || undefined],
    [f.lastSeen, a.lastSeen],
    [f.loggedOnUser, a.loggedOnUser],
    [f.outpostDeviceId, a.outpostDeviceId],
  ];
  const out: Record<string, string | string[] | null> = { [f.macs]: a.macs.map((m) => m.toLowerCase()) };
  for (const [name, value] of single) {
    if (value) out[name] = value;
    else if (update && name !== f.outpostDeviceId) out[name] = null;
  }
  return out;
}

export function toDeskAsset(config: RtConfig, a: RtAsset): DeskAsset {
  const f = config.fields;
  const cf = a.CustomFields;
  const optional = (key: string, value: string | undefined) => (value === undefined ? {} : { [key]: value });
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
