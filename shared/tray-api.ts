// The API the tray app's preload exposes to its windows as `window.outpost`: one method per IPC
// channel, each taking at most one argument object. The main process validates every argument
// against TrayArgs before anything reaches the agent; answers come back as TrayResult, never as a
// thrown error, so a window always gets a code and a message it can show.
import { z } from 'zod';
import { TicketTemplateChoiceSchema } from './templates.js';
import { SoftwareRequestInputSchema } from './self-service.js';
import type { LocalResult } from './local-api.js';
import {
  NewTicketSchema,
  TICKET_LIMITS,
  TicketIdSchema,
  TicketRefSchema,
  WorklogEntrySchema,
  type EndpointTicket,
  type EndpointWorklog,
} from './tickets.js';

export const TRAY_VIEWS = ['ticket', 'tickets', 'software', 'session', 'status'] as const;
export const TrayViewSchema = z.enum(TRAY_VIEWS);
export type TrayView = z.infer<typeof TrayViewSchema>;

const NoArgs = z.undefined();
/** Draft files and screenshots are held by the main process; windows refer to them by id. */
const DraftIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be a draft id');

/** What the ticket form sends: the text the person typed and the ids of what they kept attached. */
export const TicketDraftSchema = z
  .object({
    subject: NewTicketSchema.shape.subject,
    description: NewTicketSchema.shape.description,
    priority: NewTicketSchema.shape.priority,
    category: NewTicketSchema.shape.category,
    template: TicketTemplateChoiceSchema.optional(),
    fileIds: z.array(DraftIdSchema).max(TICKET_LIMITS.attachmentsPerTicket).default([]),
    screenshotId: DraftIdSchema.optional(),
  })
  .strict();
export type TicketDraft = z.input<typeof TicketDraftSchema>;

/** Argument schemas, one per method; the keys are the method names and, prefixed, the channels. */
export const TrayArgs = {
  status: NoArgs,
  scanNow: NoArgs,
  createTicket: TicketDraftSchema,
  listTickets: NoArgs,
  listTemplates: NoArgs,
  /** Get software: what IT offers on this computer, and a request for one package or an exception. */
  listSoftware: NoArgs,
  requestSoftware: SoftwareRequestInputSchema,
  getTicket: z.object({ ref: TicketRefSchema }).strict(),
  addNote: z.object({ ref: TicketRefSchema, text: z.string().trim().min(1, 'is required').max(TICKET_LIMITS.noteChars) }).strict(),
  closeTicket: z.object({ ref: TicketRefSchema }).strict(),
  /** The person has seen this ticket as it is shown now. */
  markRead: z.object({ ref: TicketRefSchema }).strict(),
  reopenTicket: z.object({ ref: TicketRefSchema, text: z.string().trim().min(1, 'is required').max(TICKET_LIMITS.noteChars) }).strict(),
  startWorklog: z.object({ ticketId: TicketIdSchema, technician: z.string().trim().min(1, 'is required').max(256) }).strict(),
  stopWorklog: z.object({ description: z.string().trim().max(TICKET_LIMITS.worklogDescriptionChars).default('') }).strict(),
  addWorklog: WorklogEntrySchema,
  listWorklogs: NoArgs,
  retryWorklog: z.object({ ref: z.string().min(1).max(64), ticketId: TicketIdSchema }).strict(),
  pickFiles: NoArgs,
  removeFile: z.object({ id: DraftIdSchema }).strict(),
  captureScreenshot: NoArgs,
  discardScreenshot: z.object({ id: DraftIdSchema }).strict(),
  getSettings: NoArgs,
  setOpenAtLogin: z.object({ enabled: z.boolean() }).strict(),
  setNotifications: z
    .object({
      enabled: z.boolean(),
      quietHours: z
        .object({
          from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as 18:30'),
          to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as 07:00'),
        })
        .strict()
        .nullable(),
    })
    .strict(),
  openView: z.object({ view: TrayViewSchema }).strict(),
} as const;

export type TrayMethod = keyof typeof TrayArgs;
export const TRAY_METHODS = Object.keys(TrayArgs) as TrayMethod[];

/** The IPC channel of a method. */
export function trayChannel(method: TrayMethod): `outpost:${TrayMethod}` {
  return `outpost:${method}`;
}

/** A file the person picked, read and size-checked by the main process. */
export interface PickedFile {
  id: string;
  name: string;
  bytes: number;
}

export interface PickFilesResult {
  /** Every file now attached to this window's draft, in the order picked. */
  files: PickedFile[];
  /** Files that were not attached, each with the reason, e.g. over the 10 MB limit. */
  rejected: { name: string; message: string }[];
}

export interface ScreenshotPreview {
  id: string;
  /** data:image/png;base64,... for the preview <img>. */
  dataUrl: string;
  width: number;
  height: number;
  bytes: number;
}

export interface TraySettings {
  openAtLogin: boolean;
  /** Notifications when IT answers; quiet hours hold them (local time, e.g. 22:00 to 07:00). */
  notifications: boolean;
  quietHours: { from: string; to: string } | null;
}

export interface TrayResults {
  status: LocalResult<'status'>;
  scanNow: LocalResult<'scan.now'>;
  createTicket: LocalResult<'ticket.create'>;
  listTickets: LocalResult<'ticket.list'>;
  listTemplates: LocalResult<'templates.list'>;
  listSoftware: LocalResult<'software.catalog'>;
  requestSoftware: LocalResult<'software.request'>;
  getTicket: LocalResult<'ticket.get'>;
  addNote: EndpointTicket;
  closeTicket: EndpointTicket;
  markRead: LocalResult<'ticket.markRead'>;
  reopenTicket: EndpointTicket;
  startWorklog: LocalResult<'worklog.start'>;
  stopWorklog: EndpointWorklog;
  addWorklog: EndpointWorklog;
  listWorklogs: LocalResult<'worklog.list'>;
  retryWorklog: EndpointWorklog;
  pickFiles: PickFilesResult;
  removeFile: { files: PickedFile[] };
  captureScreenshot: ScreenshotPreview;
  discardScreenshot: Record<string, never>;
  getSettings: TraySettings;
  setOpenAtLogin: TraySettings;
  setNotifications: TraySettings;
  openView: Record<string, never>;
}

export interface TrayError {
  code: string;
  message: string;
  /** The form field the error is about, e.g. 'subject', when it is about one. */
  field?: string;
}

export type TrayResult<T> = { ok: true; value: T } | { ok: false; error: TrayError };

export type TrayArg<M extends TrayMethod> = z.input<(typeof TrayArgs)[M]>;
export type TrayParsedArg<M extends TrayMethod> = z.output<(typeof TrayArgs)[M]>;

/** window.outpost: methods without an argument take none. */
export type TrayApi = {
  [M in TrayMethod]: TrayArg<M> extends undefined
    ? () => Promise<TrayResult<TrayResults[M]>>
    : (arg: TrayArg<M>) => Promise<TrayResult<TrayResults[M]>>;
};
