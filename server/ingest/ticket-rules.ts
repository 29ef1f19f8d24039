// What the server accepts from endpoints for tickets, decided without I/O: attachment limits (checked
// again here; an agent is not trusted to have checked them), times, and the messages people read.
import type { ErrorCode } from '../../shared/errors.js';
import { TICKET_LIMITS, type DeviceDetails, type Requester } from '../../shared/tickets.js';
import type { AttachmentTally, RecordedDevice } from '../store/ticket-ledger.js';

export interface Refusal {
  code: ErrorCode;
  message: string;
}

const MB = 1024 * 1024;

/** Why a file may not join its ticket, or null when it may. Screenshots have their own allowance. */
export function attachmentRefusal(tally: AttachmentTally, name: string, bytes: number, screenshot: boolean): Refusal | null {
  const tooLarge = (message: string): Refusal => ({ code: 'E_TOO_LARGE', message: `${quoted(name)}: ${message}` });
  if (screenshot) {
    if (tally.screenshot) return tooLarge('a ticket has at most one screenshot.');
    if (bytes > TICKET_LIMITS.screenshotBytes) return tooLarge(`a screenshot is at most ${TICKET_LIMITS.screenshotBytes / MB} MB.`);
    return null;
  }
  if (bytes > TICKET_LIMITS.attachmentBytes) return tooLarge(`a file is at most ${TICKET_LIMITS.attachmentBytes / MB} MB.`);
  if (tally.files >= TICKET_LIMITS.attachmentsPerTicket)
    return tooLarge(`a ticket has at most ${TICKET_LIMITS.attachmentsPerTicket} files.`);
  if (tally.bytes + bytes > TICKET_LIMITS.ticketAttachmentBytes) {
    return tooLarge(`a ticket's files add up to at most ${TICKET_LIMITS.ticketAttachmentBytes / MB} MB.`);
  }
  return null;
}

/** Decodes an attachment's base64 (the schema has already checked the alphabet and length). */
export function decodeAttachment(contentBase64: string): Buffer {
  return Buffer.from(contentBase64, 'base64');
}

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

/** The declared type if it is a plain MIME type, else application/octet-stream. */
export function storedMimeType(declared: string): string {
  const type = declared.trim().toLowerCase().split(';')[0]!.trim();
  return MIME.test(type) ? type : 'application/octet-stream';
}

/** Types served to a browser as they are; everything else is sent as application/octet-stream, so
 * that an uploaded HTML or SVG file can never run script in the console's origin. */
const INLINE_SAFE = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/bmp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/json',
]);

export function servedMimeType(stored: string): string {
  if (!INLINE_SAFE.has(stored)) return 'application/octet-stream';
  return stored.startsWith('text/') ? `${stored}; charset=utf-8` : stored;
}

/** Content-Disposition for a download: an ASCII fallback name and the exact name in RFC 5987 form. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * When the endpoint says a ticket was raised, as epoch ms. An offline ticket keeps the time the
 * person raised it; a time that cannot be read, or lies in the future (a wrong clock), becomes the
 * time the server received it.
 */
export function endpointTime(stated: string, receivedAt: number): number {
  const ms = Date.parse(stated);
  if (!Number.isFinite(ms) || ms > receivedAt) return receivedAt;
  return ms;
}

export function requesterName(r: Requester): string {
  if (r.fullName?.trim()) return r.fullName.trim();
  return r.domain ? `${r.domain}\\${r.account}` : r.account;
}

export function closedNoteText(r: Requester): string {
  return `Closed at the endpoint by ${requesterName(r)}.`;
}

/** The message a technician reads in the tray when their worklog names no ticket (neither Outpost nor the desk has it). */
export function unknownTicketRefusal(ticketId: string): Refusal {
  return { code: 'E_UNKNOWN_TICKET', message: `There is no ticket ${ticketId}. Check the ticket number and send the worklog again.` };
}

/** The ticket number a worklog names, or null when it cannot be one (too large to exist). */
export function ticketNumber(ticketId: string): number | null {
  const n = Number(ticketId);
  return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : null;
}

function quoted(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name);
}

/** A ticket's device details from the server's record of the authenticated device. Only the
 * logged-on user is the endpoint's word: it is who raised the ticket, which only the agent knows. */
export function recordedDeviceDetails(deviceId: string, row: RecordedDevice | undefined, loggedOnUser: string | undefined): DeviceDetails {
  const clip = (s: string) => s.slice(0, 256);
  return {
    deviceId,
    hostname: clip(row?.hostname ?? 'unknown'),
    ...(row?.serial ? { serial: clip(row.serial) } : {}),
    ...(row?.manufacturer ? { manufacturer: clip(row.manufacturer) } : {}),
    ...(row?.model ? { model: clip(row.model) } : {}),
    os: clip(osText(row?.os ?? null)),
    ip: row?.ip ? [row.ip] : [],
    ...(loggedOnUser ? { loggedOnUser: clip(loggedOnUser) } : {}),
  };
}

function osText(json: string | null): string {
  if (json === null) return 'unknown';
  try {
    const os = JSON.parse(json) as { platform?: unknown; distro?: unknown; release?: unknown };
    const text = [os.distro, os.release].filter((x) => typeof x === 'string' && x).join(' ');
    return text || (typeof os.platform === 'string' ? os.platform : 'unknown');
  } catch {
    return 'unknown';
  }
}
