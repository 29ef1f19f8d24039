// Outpost's records as the desk gets them: a device as an asset, a ticket as a new desk ticket.
import { cleanMac, cleanText } from '../../../shared/junk.js';
import { templateBlock } from '../../../shared/templates.js';
import type { Requester } from '../../../shared/tickets.js';
import type { DeviceDetail } from '../../store/store.js';
import type { TicketDetail } from '../../store/ticket-records.js';
import type { DeskAssetFields, NewDeskTicket } from '../types.js';
import { assetSummary } from './asset-summary.js';

/** What the sync writes to a desk asset; RT keeps `description` in the asset's Description field. */
export type SyncedAssetFields = DeskAssetFields;

/** The asset description of a device flagged as a clone: never merged silently with its original. */
export function cloneNote(originalName: string, originalId: string): string {
  return `Suspected clone of ${originalName} (Outpost device ${originalId}): an OS image seen on other hardware. Check before merging.`;
}

export function assetFields(d: DeviceDetail): SyncedAssetFields {
  const snap = d.snapshot;
  const macs = new Set<string>();
  // Every physical adapter goes on the asset; only matchable ones are used to find it (flows.ts).
  for (const n of snap?.network ?? []) {
    const mac = n.virtual ? undefined : cleanMac(n.mac);
    if (mac) macs.add(mac.toLowerCase());
  }
  const user = snap?.users[0];
  const fields: SyncedAssetFields = {
    name: d.hostname,
    macs: [...macs].sort(),
    lastSeen: new Date(d.lastSeen).toISOString(),
    outpostDeviceId: d.id,
  };
  const serial = cleanText(d.serial);
  if (serial) fields.serviceTag = serial;
  if (d.os) fields.os = [d.os.distro, d.os.release].filter(Boolean).join(' ') || d.os.platform;
  if (d.model) fields.model = d.model;
  if (d.manufacturer) fields.manufacturer = d.manufacturer;
  if (user) fields.loggedOnUser = user.domain ? `${user.domain}\\${user.name}` : user.name;
  return snap ? { ...fields, ...assetSummary(snap) } : fields;
}

/** The requester's own email, or account@domain from the server setting; null when neither. */
export function requesterEmail(r: Requester, domain: string | undefined): string | null {
  if (r.email && /^[^\s@]+@[^\s@]+$/.test(r.email)) return r.email;
  if (!domain) return null;
  const account = (r.account.split(/[\\/]/).pop() ?? r.account)
    .split('@')[0]!
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '');
  return account ? `${account}@${domain}` : null;
}

export function deviceBlock(t: TicketDetail): string {
  const d = t.device;
  const lines = [
    '--- Device ---',
    `Name: ${d.hostname}`,
    d.serial ? `Service tag: ${d.serial}` : null,
    d.manufacturer || d.model ? `Model: ${[d.manufacturer, d.model].filter(Boolean).join(' ')}` : null,
    `OS: ${d.os}`,
    d.ip.length ? `IP: ${d.ip.join(', ')}` : null,
    d.loggedOnUser ? `Logged-on user: ${d.loggedOnUser}` : null,
    d.deviceId ? `Outpost device: ${d.deviceId}` : null,
    `Outpost ticket: #${t.id} (${t.ref})`,
  ];
  return lines.filter((l): l is string => l !== null).join('\n');
}

export function newDeskTicket(t: TicketDetail, key: string, email: string, assetId: string | undefined): NewDeskTicket {
  const ticket: NewDeskTicket = {
    idempotencyKey: key,
    requesterEmail: email,
    subject: t.subject,
    description: [t.description, t.template ? templateBlock(t.template) : null, deviceBlock(t)].filter(Boolean).join('\n\n'),
    priority: t.priority,
  };
  if (t.requester.fullName) ticket.requesterName = t.requester.fullName;
  if (t.category) ticket.category = t.category;
  if (t.queue) ticket.queue = t.queue;
  if (assetId) ticket.assetId = assetId;
  return ticket;
}
