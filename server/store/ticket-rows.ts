// Ticket row shapes and their mapping to the store's records and the endpoint's view, for both
// engines (flags are 0/1 in SQLite, booleans in PostgreSQL); and what a ticket search means.
import type { z } from 'zod';
import { PENDING_APPROVAL, SoftwareApprovalSchema, SoftwareRequestSchema, type TicketSoftwareRequest } from '../../shared/self-service.js';
import { FilledTemplateSchema, type FilledTemplate } from '../../shared/templates.js';
import { OUTPOST_NUMBER, ticketLabel } from '../../shared/ticket-label.js';
import { REQUESTER_RULES, type DeskRequesterJson } from '../../shared/http-api.js';
import type { DeviceDetails, EndpointTicket, Priority, Requester, TicketStatus } from '../../shared/tickets.js';
import type { DeviceTicket } from './device-work-records.js';
import type { AttachmentInfo, NoteVisibility, StoredNote, StoredWorklog, TicketDetail, TicketSummary } from './ticket-records.js';

/** Each ticket sent to an endpoint carries at most this many of its newest customer-facing notes,
 * which keeps a full list within a few frames however long a conversation gets. */
export const ENDPOINT_NOTES_PER_TICKET = 100;

/** A LIKE pattern for `text` anywhere, with LIKE's own characters escaped by a backslash. */
export const likeAnywhere = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * What a search for a number means: "OP-17" is always Outpost's ticket 17; "#4" or "4" is the desk's
 * number while a desk is connected, and also Outpost's (without a desk only Outpost's).
 */
export function numberQuery(query: string | null, deskConnected: boolean): { number: number | null; deskNumber: string | null } {
  const own = query ? OUTPOST_NUMBER.exec(query) : null;
  if (own) return { number: Number(own[1]), deskNumber: null };
  const digits = query && /^#?\d{1,20}$/.test(query) ? query.replace('#', '') : null;
  if (digits === null) return { number: null, deskNumber: null };
  const n = Number(digits);
  return { number: Number.isSafeInteger(n) ? n : null, deskNumber: deskConnected ? digits : null };
}

/** How the desk's requester was found (desk_state, written by the desk sync); null when not, or unreadable. */
export function readDeskRequester(value: string | undefined): DeskRequesterJson | null {
  if (value === undefined) return null;
  try {
    const parsed = JSON.parse(value) as Partial<DeskRequesterJson>;
    const rule = REQUESTER_RULES.find((r) => r === parsed.rule);
    return rule && typeof parsed.requester === 'string' ? { rule, requester: parsed.requester } : null;
  } catch {
    return null;
  }
}

/** A flag as either engine returns it. */
type Flag = number | boolean;
const isSet = (flag: Flag): boolean => flag === 1 || flag === true;

export interface TicketRow {
  id: number;
  device_id: string | null;
  ref: string;
  subject: string;
  description: string;
  priority: Priority;
  category: string | null;
  status: TicketStatus;
  requester: string;
  device: string;
  hostname: string;
  attachments_expected: number;
  created_at: number;
  received_at: number;
  updated_at: number;
  public_updated_at: number;
  closed_at: number | null;
  /** JSON of the filled ticket template (migration 13). */
  template?: string | null;
  /** JSON of a self-service request and of the desk's answer to it, NULL while pending (migration 16). */
  software_request?: string | null;
  approval?: string | null;
  /** The desk queue IT chose when raising the ticket in the console (migration 10). */
  desk_queue?: string | null;
  /** The desk's number for the ticket (DESK_NUMBER_COLUMN), when the query selected it and the desk has the ticket. */
  desk_number?: string | null;
}

/** Selects a ticket's desk number (its desk link) beside `t.*`. */
export const DESK_NUMBER_COLUMN =
  "(SELECT desk_id FROM desk_links WHERE kind = 'ticket' AND outpost_id = CAST(t.id AS TEXT)) AS desk_number";

export interface NoteRow {
  ticket_id: number;
  note_id: string;
  author: string;
  text: string;
  visibility: NoteVisibility;
  from_endpoint: Flag;
  at: number;
}

export interface AttachmentRow {
  id: number;
  name: string;
  type: string;
  size: number;
  sha256: string;
  screenshot: Flag;
}

export interface WorklogRow {
  id: number;
  ref: string;
  technician: string;
  start_at: string;
  end_at: string;
  minutes: number;
  description: string;
  device_id: string | null;
  hostname: string | null;
  recorded_at: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `deskConnected`: whether a desk is configured, which decides how Outpost's own number reads. */
export function toTicketSummary(row: TicketRow, deskConnected: boolean): TicketSummary {
  const deskNumber = row.desk_number ?? null;
  return {
    id: row.id,
    deskNumber,
    label: ticketLabel(row.id, deskNumber, deskConnected),
    ref: row.ref,
    subject: row.subject,
    status: row.status,
    priority: row.priority,
    category: row.category,
    requester: JSON.parse(row.requester) as Requester,
    deviceId: row.device_id,
    hostname: row.hostname,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A row written by this server's ingest, read back through the schema: null when absent or unreadable. */
export function toFilledTemplate(row: TicketRow): FilledTemplate | null {
  if (!row.template) return null;
  try {
    const parsed = FilledTemplateSchema.safeParse(JSON.parse(row.template));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function toDeviceDetails(row: TicketRow): DeviceDetails {
  return JSON.parse(row.device) as DeviceDetails;
}

export function toNote(row: NoteRow): StoredNote {
  return {
    id: row.note_id,
    author: row.author,
    text: row.text,
    at: row.at,
    visibility: row.visibility,
    fromEndpoint: isSet(row.from_endpoint),
  };
}

export function toAttachmentInfo(row: AttachmentRow): AttachmentInfo {
  return { id: row.id, name: row.name, type: row.type, size: row.size, sha256: row.sha256, screenshot: isSet(row.screenshot) };
}

export function toWorklog(row: WorklogRow): StoredWorklog {
  return {
    id: row.id,
    ref: row.ref,
    technician: row.technician,
    start: row.start_at,
    end: row.end_at,
    minutes: row.minutes,
    description: row.description,
    deviceId: row.device_id,
    hostname: row.hostname,
    recordedAt: row.recorded_at,
  };
}

/** The endpoint's view: customer-facing notes only, and the last change the requester could see. */
export function toEndpointTicket(row: TicketRow, customerNotes: readonly NoteRow[], deskConnected: boolean): EndpointTicket {
  return {
    ref: row.ref,
    number: row.id,
    label: ticketLabel(row.id, row.desk_number ?? null, deskConnected),
    subject: row.subject,
    description: row.description,
    priority: row.priority,
    ...(row.category === null ? {} : { category: row.category }),
    status: row.status,
    ...softwareRequestPart(row),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.public_updated_at),
    notes: customerNotes.map((n) => ({
      id: n.note_id,
      author: n.author,
      text: n.text,
      at: iso(n.at),
      fromEndpoint: isSet(n.from_endpoint),
    })),
  };
}

/** A ticket with its notes, files and worklogs, as the API shows it. */
export function toTicketDetail(
  row: TicketRow,
  parts: { notes: NoteRow[]; attachments: AttachmentRow[]; worklogs: WorklogRow[]; deskRequester: DeskRequesterJson | null },
  deskConnected: boolean,
): TicketDetail {
  return {
    ...toTicketSummary(row, deskConnected),
    description: row.description,
    device: toDeviceDetails(row),
    receivedAt: row.received_at,
    closedAt: row.closed_at,
    attachmentsExpected: row.attachments_expected,
    queue: row.desk_queue ?? null,
    template: toFilledTemplate(row),
    softwareRequest: toTicketSoftwareRequest(row),
    notes: parts.notes.map(toNote),
    attachments: parts.attachments.map(toAttachmentInfo),
    worklogs: parts.worklogs.map(toWorklog),
    deskRequester: parts.deskRequester,
  };
}

/** A device's ticket as its device page lists it (both engines select these columns). */
export interface DeviceTicketRow {
  id: number;
  ref: string;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  desk_queue: string | null;
  desk_number: string | null;
  raised_by: string | null;
  created_at: number;
  updated_at: number;
}

export const DEVICE_TICKET_COLUMNS = `t.id, t.ref, t.subject, t.status, t.priority, t.desk_queue, t.raised_by, t.created_at, t.updated_at,
  ${DESK_NUMBER_COLUMN}`;

export function toDeviceTicket(r: DeviceTicketRow, deskConnected: boolean): DeviceTicket {
  return {
    id: r.id,
    ref: r.ref,
    subject: r.subject,
    status: r.status,
    priority: r.priority,
    queue: r.desk_queue,
    deskNumber: r.desk_number,
    label: ticketLabel(r.id, r.desk_number, deskConnected),
    raisedBy: r.raised_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The ticket's self-service request with the desk's answer (pending until one is kept); null for a
 * plain ticket or an unreadable column. */
export function toTicketSoftwareRequest(row: Pick<TicketRow, 'software_request' | 'approval'>): TicketSoftwareRequest | null {
  if (!row.software_request) return null;
  const request = parseJson(row.software_request, SoftwareRequestSchema);
  if (!request) return null;
  const approval = row.approval ? parseJson(row.approval, SoftwareApprovalSchema) : PENDING_APPROVAL;
  return { ...request, approval: approval ?? PENDING_APPROVAL };
}

function softwareRequestPart(row: TicketRow): { softwareRequest?: TicketSoftwareRequest } {
  const request = toTicketSoftwareRequest(row);
  return request ? { softwareRequest: request } : {};
}

function parseJson<T>(text: string, schema: z.ZodType<T>): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
