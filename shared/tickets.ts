// Help-desk tickets, notes and worklogs as every part sees them: the tray and the CLI (through the
// agent's local API), the agent's outbox, the server and its API.
import { z } from 'zod';
import { TicketTemplateChoiceSchema } from './templates.js';
import { TicketSoftwareRequestSchema } from './self-service.js';

export const TICKET_LIMITS = {
  subjectChars: 200,
  descriptionChars: 100_000,
  noteChars: 20_000,
  attachmentBytes: 10 * 1024 * 1024,
  ticketAttachmentBytes: 25 * 1024 * 1024,
  attachmentsPerTicket: 10,
  screenshotBytes: 10 * 1024 * 1024,
  fileNameChars: 255,
  worklogDescriptionChars: 20_000,
  /** A worklog longer than a day is a typo, not a remote session. */
  worklogMinutes: 24 * 60,
} as const;

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

/** Server-side lifecycle. 'queued' exists only on the endpoint, before the server has the ticket. */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export const TicketStatusSchema = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof TicketStatusSchema>;
/** 'refused': the server would not take the ticket (a quota); it stays here with the reason. */
export type EndpointTicketStatus = TicketStatus | 'queued' | 'refused';

/** A ticket's identity on the endpoint, made by the agent before the server knows the ticket. */
export const TicketRefSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be a ticket reference');

/** The server's ticket number, which people quote on the phone. */
export const TicketNumberSchema = z.number().int().positive().max(2_147_483_647);

const base64 = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4, `must be at most ${Math.round(maxBytes / 1024 / 1024)} MB`)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const AttachmentSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(TICKET_LIMITS.fileNameChars)
    .regex(/^[^/\\\0]+$/, 'must be a file name, not a path'),
  type: z.string().max(127).default('application/octet-stream'),
  contentBase64: base64(TICKET_LIMITS.attachmentBytes),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** Decoded size of a base64 string, without decoding it. */
export function base64Bytes(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - padding;
}

/** What the person at the machine fills in. */
export const NewTicketSchema = z
  .object({
    subject: z.string().trim().min(1, 'is required').max(TICKET_LIMITS.subjectChars),
    description: z.string().trim().min(1, 'is required').max(TICKET_LIMITS.descriptionChars),
    priority: PrioritySchema.default('normal'),
    category: z.string().trim().min(1).max(100).optional(),
    attachments: z.array(AttachmentSchema).max(TICKET_LIMITS.attachmentsPerTicket).default([]),
    /** PNG of the screen, taken by the tray and kept only if the person did not remove it. */
    screenshot: base64(TICKET_LIMITS.screenshotBytes).optional(),
    /** The ticket template picked and its fields filled in (shared/templates.ts). */
    template: TicketTemplateChoiceSchema.optional(),
  })
  .refine((t) => t.attachments.reduce((n, a) => n + base64Bytes(a.contentBase64), 0) <= TICKET_LIMITS.ticketAttachmentBytes, {
    message: `attachments must add up to at most ${TICKET_LIMITS.ticketAttachmentBytes / 1024 / 1024} MB`,
    path: ['attachments'],
  });
export type NewTicket = z.input<typeof NewTicketSchema>;

/** The person who raised a ticket, as the OS knows them. */
export const RequesterSchema = z.object({
  account: z.string().min(1).max(256),
  domain: z.string().max(256).optional(),
  fullName: z.string().max(256).optional(),
  email: z.string().max(256).optional(),
});
export type Requester = z.infer<typeof RequesterSchema>;

/** Device details attached to every ticket, so nobody has to ask "which computer is it?". */
export const DeviceDetailsSchema = z.object({
  deviceId: z.string().max(64).nullable(),
  hostname: z.string().max(256),
  serial: z.string().max(256).optional(),
  manufacturer: z.string().max(256).optional(),
  model: z.string().max(256).optional(),
  os: z.string().max(256),
  ip: z.array(z.string().max(64)).max(16),
  loggedOnUser: z.string().max(256).optional(),
});
export type DeviceDetails = z.infer<typeof DeviceDetailsSchema>;

export const NoteSchema = z.object({
  id: z.string().max(64),
  author: z.string().max(256),
  text: z.string().max(TICKET_LIMITS.noteChars),
  at: z.string(),
  /** Written at the endpoint (true) or by IT/the desk (false). */
  fromEndpoint: z.boolean(),
});
export type Note = z.infer<typeof NoteSchema>;

/** A ticket as the endpoint shows it in My tickets. Internal notes never reach the endpoint. */
export const EndpointTicketSchema = z.object({
  ref: TicketRefSchema,
  number: TicketNumberSchema.nullable(),
  subject: z.string(),
  description: z.string(),
  priority: PrioritySchema,
  category: z.string().optional(),
  status: z.enum([...TICKET_STATUSES, 'queued', 'refused']),
  createdAt: z.string(),
  updatedAt: z.string(),
  notes: z.array(NoteSchema),
  /** The number people see and quote, as the server formats it (ticketLabel); absent from older servers. */
  label: z.string().max(80).optional(),
  /** A self-service request (Get software) and where its approval in the desk stands. */
  softwareRequest: TicketSoftwareRequestSchema.optional(),
});
export type EndpointTicket = z.infer<typeof EndpointTicketSchema>;

const isoDate = z.iso.datetime({ offset: true });

/**
 * The ticket a technician types: the number IT quotes, e.g. "1042" or "#1042" (the desk's number
 * while a desk is connected; up to 20 digits for ServiceDesk Plus's long ids), or Outpost's own
 * "OP-17", which never collides with a desk number. Normalised to "1042" / "OP-17".
 */
export const TicketIdSchema = z
  .union([
    z.number().int().positive(),
    z
      .string()
      .trim()
      .regex(/^(#?\d{1,20}|OP-\d{1,10})$/i, 'must be a ticket number such as 1042 (or OP-17, an Outpost number)'),
  ])
  .transform((v) => (typeof v === 'number' ? String(v) : v.replace(/^#/, '').toUpperCase()));

export const WorklogEntrySchema = z
  .object({
    ticketId: TicketIdSchema,
    technician: z.string().trim().min(1, 'is required').max(256),
    start: isoDate,
    end: isoDate,
    description: z.string().trim().max(TICKET_LIMITS.worklogDescriptionChars).default(''),
  })
  .refine((w) => Date.parse(w.end) > Date.parse(w.start), { message: 'must be after start', path: ['end'] })
  .refine((w) => Date.parse(w.end) - Date.parse(w.start) <= TICKET_LIMITS.worklogMinutes * 60_000, {
    message: 'a worklog is at most 24 hours',
    path: ['end'],
  });
export type WorklogEntry = z.input<typeof WorklogEntrySchema>;

/** Whole minutes, rounded to the nearest; a session under 30 s counts as 0. */
export function worklogMinutes(start: string, end: string): number {
  return Math.round((Date.parse(end) - Date.parse(start)) / 60_000);
}

/** A worklog as the endpoint tracks it: queued, delivered, or refused by the server with a reason. */
export const EndpointWorklogSchema = z.object({
  ref: z.string(),
  ticketId: z.string(),
  technician: z.string(),
  start: z.string(),
  end: z.string(),
  minutes: z.number().int().nonnegative(),
  description: z.string(),
  state: z.enum(['queued', 'recorded', 'rejected']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type EndpointWorklog = z.infer<typeof EndpointWorklogSchema>;
