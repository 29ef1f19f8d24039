// Test data for tickets: the items an agent's outbox sends when someone raises a ticket, adds a note,
// closes one, or a technician records a worklog.
import type { Item, ItemBody } from '../../../shared/protocol.js';
import type { DeviceDetails, Requester } from '../../../shared/tickets.js';

const AT = '2025-03-04T09:00:00.000Z';

export const alice: Requester = { account: 'alice', domain: 'ACME', fullName: 'Alice Example', email: 'alice@example.com' };

export function deviceDetails(hostname: string, extra: Partial<DeviceDetails> = {}): DeviceDetails {
  return {
    deviceId: null,
    hostname,
    serial: `SN-${hostname}`,
    manufacturer: 'Dell Inc.',
    model: 'Latitude 7440',
    os: 'Debian GNU/Linux 12',
    ip: ['10.0.0.5'],
    loggedOnUser: 'alice',
    ...extra,
  };
}

export function createItem(seq: number, ref: string, extra: Partial<ItemBody<'ticket.create'>> = {}): Item {
  return {
    seq,
    at: AT,
    kind: 'ticket.create',
    body: {
      ref,
      requester: alice,
      subject: 'Printer on floor 2 jams',
      description: 'Every second page jams since this morning.',
      priority: 'normal',
      device: deviceDetails('pc-1'),
      attachments: 0,
      createdAt: AT,
      ...extra,
    },
  };
}

export function attachmentItem(
  seq: number,
  ref: string,
  name: string,
  content: Buffer,
  extra: { type?: string; screenshot?: boolean } = {},
): Item {
  return {
    seq,
    at: AT,
    kind: 'ticket.attachment',
    body: {
      ref,
      attachment: { name, type: extra.type ?? 'application/octet-stream', contentBase64: content.toString('base64') },
      screenshot: extra.screenshot ?? false,
    },
  };
}

export function noteItem(seq: number, ref: string, noteId: string, text: string): Item {
  return { seq, at: AT, kind: 'ticket.note', body: { ref, noteId, requester: alice, text, at: AT } };
}

export function closeItem(seq: number, ref: string): Item {
  return { seq, at: AT, kind: 'ticket.close', body: { ref, requester: alice, at: AT } };
}

export function reopenItem(seq: number, ref: string, noteId: string, text: string): Item {
  return { seq, at: AT, kind: 'ticket.reopen', body: { ref, noteId, requester: alice, text, at: AT } };
}

export function worklogItem(
  seq: number,
  ref: string,
  ticketId: string | number,
  start: string,
  end: string,
  extra: { technician?: string; description?: string } = {},
): Item {
  return {
    seq,
    at: AT,
    kind: 'worklog',
    body: {
      ref,
      entry: {
        ticketId: String(ticketId),
        technician: extra.technician ?? 'Tom Tech',
        start,
        end,
        description: extra.description ?? 'Cleared the paper path.',
      },
      minutes: Math.round((Date.parse(end) - Date.parse(start)) / 60_000),
    },
  };
}
