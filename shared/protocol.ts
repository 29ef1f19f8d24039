// The agent <-> server protocol: JSON text frames over one WebSocket at /agent.
// One map per direction, message type -> schema; both sides derive their types from it and the
// receiving side validates every frame against it.
import { z } from 'zod';
import { DeltaSchema } from './delta-schema.js';
import { DeployCommandSchema, DeployStepSchema } from './deploy.js';
import { ERROR_CODES, type ErrorCode } from './errors.js';
import { SELF_SERVICE_LIMITS, SelfServicePackageSchema, SoftwareRequestSchema } from './self-service.js';
import { FilledTemplateSchema, TEMPLATE_LIMITS, TicketTemplateSchema } from './templates.js';
import { IdentityHintsSchema, SnapshotSchema, SoftwareSchema } from './inventory.js';
import {
  AttachmentSchema,
  DeviceDetailsSchema,
  EndpointTicketSchema,
  PrioritySchema,
  RequesterSchema,
  TICKET_LIMITS,
  TicketRefSchema,
  WorklogEntrySchema,
} from './tickets.js';

// 2: the snapshot digest is per-section with multiset hashes for collections (shared/digest.ts), and
// deltas that would break a snapshot limit are refused with E_SNAPSHOT_LIMIT. Agents and servers of
// another version refuse each other at hello/enrol with E_PROTOCOL_VERSION.
// 3: no item makes the server apply more than LIMITS.maxInventoryEntriesPerBatch entries: a larger
// full snapshot travels as a sequence of `inventory.part` items the server stages and swaps in at
// the last part, a larger delta as several deltas that compose; welcome says how widely to spread
// reconnects.
export const PROTOCOL_VERSION = 3;

/** Inventory entries one batch may make the server apply; sized so that the worst batch costs well
 * under 100 ms of the server's event loop on a small machine (bench/hostile.mjs). */
const ENTRY_BUDGET = 1_000;

export const LIMITS = {
  /** Largest frame either side accepts (ws maxPayload). */
  maxFrameBytes: 16 * 1024 * 1024,
  /** Largest message the server reads before the device has authenticated, as sent and as inflated:
   * an enrol or hello is well under 8 KiB even with every hint at its longest. */
  preAuthFrameBytes: 16 * 1024,
  /** Most items in one `items` batch. */
  maxBatchItems: 256,
  /** Items the agent sends before waiting for an ack. */
  sendWindow: 64,
  /**
   * Inventory entries (collection items added, removed or changed by deltas, items of full
   * snapshots and of snapshot parts) one batch may make the server apply. An item past it is
   * refused with E_BATCH_TOO_LARGE, changes nothing, and a full snapshot is asked for; this bounds
   * one batch's work, which runs in one transaction on the server's event loop. The agent never
   * builds an item or a batch past it (shared/inventory-parts.ts).
   */
  maxInventoryEntriesPerBatch: ENTRY_BUDGET,
  /**
   * Most parts of one snapshot: the largest (MAX_SNAPSHOT_ENTRIES entries, each at its largest,
   * weighed as in shared/inventory-parts.ts: ~690,000 units) fits in ~400 parts of ENTRY_BUDGET.
   */
  maxSnapshotParts: 1_000,
} as const;

export const TRIGGERS = [
  'startup',
  'logon',
  'users-refresh',
  'manual',
  'server',
  'schedule',
  'software-change',
  'refresh',
  'rename',
  'resync',
] as const;
export const TriggerSchema = z.enum(TRIGGERS);
export type Trigger = z.infer<typeof TriggerSchema>;

const digest = z.string().regex(/^[0-9a-f]{64}$/);

const itemRef = z.string().min(8).max(64);

/** What the outbox carries, kind -> body. */
export const ItemBodies = {
  'inventory.full': z.object({ trigger: TriggerSchema, digest, snapshot: SnapshotSchema }),
  'inventory.delta': z.object({ trigger: TriggerSchema, baseDigest: digest, digest, delta: DeltaSchema }),
  /**
   * One part of a full snapshot too large for one item. The parts of one snapshot share `first`
   * (the seq of part 0), `count`, `digest` (of the whole snapshot) and `trigger`. Part 0 carries the
   * object sections in `rest`; the collection items fill the parts in order, the other collections
   * first (in part 0 inside `rest`, later in `more`), software last, at most
   * LIMITS.maxInventoryEntriesPerBatch a part (shared/inventory-parts.ts). The server stages parts
   * durably and swaps the snapshot in, whole, when it holds all `count` of them.
   */
  'inventory.part': z
    .object({
      trigger: TriggerSchema,
      digest,
      first: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
      index: z
        .number()
        .int()
        .nonnegative()
        .max(LIMITS.maxSnapshotParts - 1),
      count: z.number().int().min(1).max(LIMITS.maxSnapshotParts),
      rest: SnapshotSchema.omit({ software: true }).optional(),
      more: SnapshotSchema.pick({ network: true, users: true, volumes: true, monitors: true, printers: true, accounts: true, groups: true })
        .partial()
        .optional(),
      software: z.array(SoftwareSchema).max(LIMITS.maxInventoryEntriesPerBatch),
    })
    .refine((b) => b.index < b.count, { message: 'index must be below count', path: ['index'] }),
  /** A ticket raised at the endpoint; its attachments follow as ticket.attachment items. */
  'ticket.create': z.object({
    ref: TicketRefSchema,
    requester: RequesterSchema,
    subject: z.string().min(1).max(TICKET_LIMITS.subjectChars),
    description: z.string().min(1).max(TICKET_LIMITS.descriptionChars),
    priority: PrioritySchema,
    category: z.string().max(100).optional(),
    /** The template the person picked, with the fields they filled in. */
    template: FilledTemplateSchema.optional(),
    /** A self-service request: which package (or prohibited software) was asked for; needs approval. */
    softwareRequest: SoftwareRequestSchema.optional(),
    device: DeviceDetailsSchema,
    /** How many ticket.attachment items follow (the screenshot counts as one). */
    attachments: z
      .number()
      .int()
      .min(0)
      .max(TICKET_LIMITS.attachmentsPerTicket + 1),
    createdAt: z.string(),
  }),
  /** One file of a ticket, alone in its item so that no frame carries more than one 10 MB file. */
  'ticket.attachment': z.object({ ref: TicketRefSchema, attachment: AttachmentSchema, screenshot: z.boolean() }),
  'ticket.note': z.object({
    ref: TicketRefSchema,
    noteId: itemRef,
    requester: RequesterSchema,
    text: z.string().min(1).max(TICKET_LIMITS.noteChars),
    at: z.string(),
  }),
  'ticket.close': z.object({ ref: TicketRefSchema, requester: RequesterSchema, at: z.string() }),
  /** The requester reopens a resolved or closed ticket, saying why in a note (noteId keys it). */
  'ticket.reopen': z.object({
    ref: TicketRefSchema,
    noteId: itemRef,
    requester: RequesterSchema,
    text: z.string().min(1).max(TICKET_LIMITS.noteChars),
    at: z.string(),
  }),
  /** A remote session's worklog; the server checks the ticket and answers with worklog-result. */
  worklog: z.object({ ref: itemRef, entry: WorklogEntrySchema, minutes: z.number().int().nonnegative() }),
  /** One step of a software deployment on this device (shared/deploy.ts); the server records each once. */
  'deploy.status': DeployStepSchema,
} as const;
export type ItemKind = keyof typeof ItemBodies;
export type ItemBody<K extends ItemKind> = z.infer<(typeof ItemBodies)[K]>;

const seq = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const at = z.string().datetime({ offset: true });

const item = <K extends ItemKind>(kind: K) => z.object({ seq, at, kind: z.literal(kind), body: ItemBodies[kind] });

export const ItemSchema = z.discriminatedUnion('kind', [
  item('inventory.full'),
  item('inventory.delta'),
  item('inventory.part'),
  item('ticket.create'),
  item('ticket.attachment'),
  item('ticket.note'),
  item('ticket.close'),
  item('ticket.reopen'),
  item('worklog'),
  item('deploy.status'),
]);
export type Item = z.infer<typeof ItemSchema>;

/**
 * The scan schedule. The server sends its fleet schedule (`outpost server --fleet-scan-at ...`) in
 * every `welcome` and with `command: settings`; a value set on the agent's own machine wins over it.
 */
export const SettingsSchema = z.object({
  /** Full re-collection on a timer, in minutes. */
  refreshMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60),
  /** Logged-on users re-read on a timer, in minutes. */
  usersRefreshMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** A daily scan at this local time, HH:MM, or null for none. */
  scheduledScanAt: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .nullable(),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const DEFAULT_SETTINGS: Settings = { refreshMinutes: 90, usersRefreshMinutes: 30, scheduledScanAt: null };

const version = z.literal(PROTOCOL_VERSION);
const agentVersion = z.string().max(64);

/** Agent -> server. */
export const AgentMessages = {
  enrol: z.object({
    type: z.literal('enrol'),
    protocol: version,
    agentVersion,
    token: z.string().min(16).max(256),
    hints: IdentityHintsSchema,
  }),
  hello: z.object({
    type: z.literal('hello'),
    protocol: version,
    agentVersion,
    deviceId: z.string().min(1).max(64),
    secret: z.string().min(16).max(256),
    hints: IdentityHintsSchema,
  }),
  items: z.object({ type: z.literal('items'), items: z.array(ItemSchema).min(1).max(LIMITS.maxBatchItems) }),
} as const;

/** Server -> agent. */
export const ServerMessages = {
  /** `deployKey`: the server's deployment signing key (base64 SPKI), which the agent pins now. */
  enrolled: z.object({ type: z.literal('enrolled'), deviceId: z.string(), secret: z.string(), deployKey: z.string().max(200).optional() }),
  welcome: z.object({
    type: z.literal('welcome'),
    deviceId: z.string(),
    lastSeq: z.number().int().nonnegative(),
    settings: SettingsSchema,
    /** How many seconds to spread this agent's next reconnect over after losing the link, from the
     * fleet size: a server restart then brings its agents back as a stream, not a storm. */
    reconnectSpreadSeconds: z.number().int().nonnegative().max(3600).optional(),
    /** The deployment signing key, for agents enrolled before the server had one (pinned if none is). */
    deployKey: z.string().max(200).optional(),
  }),
  ack: z.object({ type: z.literal('ack'), seq: z.number().int().nonnegative() }),
  command: z.object({
    type: z.literal('command'),
    command: z.enum(['scan', 'full-snapshot', 'settings']),
    settings: SettingsSchema.optional(),
  }),
  /** Tickets of this device as the server has them (customer-facing notes only). `full` on welcome:
   * the complete list; otherwise the tickets that changed. */
  tickets: z.object({ type: z.literal('tickets'), full: z.boolean(), tickets: z.array(EndpointTicketSchema).max(1000) }),
  /** Every ticket template the tray offers (shared/templates.ts): after welcome, and whenever IT changes one. */
  templates: z.object({ type: z.literal('templates'), templates: z.array(TicketTemplateSchema).max(TEMPLATE_LIMITS.templates) }),
  /** Install a package: a command signed with the server's deployment key (shared/deploy.ts). Sent
   * at each connection until the agent reports the deployment queued; the agent runs each id once. */
  deploy: z.object({ type: z.literal('deploy'), command: DeployCommandSchema, signature: z.string().max(200) }),
  /** The software this device's people may ask for (shared/self-service.ts): after welcome, and whenever IT changes the package store. */
  'self-service': z.object({
    type: z.literal('self-service'),
    packages: z.array(SelfServicePackageSchema).max(SELF_SERVICE_LIMITS.packages),
  }),
  /** The outcome of a worklog item: recorded, or rejected with a reason the technician can fix. */
  'worklog-result': z.object({
    type: z.literal('worklog-result'),
    ref: z.string(),
    state: z.enum(['recorded', 'rejected']),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
  error: z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    /** A fatal error is followed by the server closing the connection. */
    fatal: z.boolean(),
    seq: z.number().int().optional(),
  }),
} as const;

export type AgentMessageMap = { [K in keyof typeof AgentMessages]: z.infer<(typeof AgentMessages)[K]> };
export type ServerMessageMap = { [K in keyof typeof ServerMessages]: z.infer<(typeof ServerMessages)[K]> };
export type AgentMessage = AgentMessageMap[keyof AgentMessageMap];
export type ServerMessage = ServerMessageMap[keyof ServerMessageMap];

export type ParseResult<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; message: string };

/**
 * Parses one text frame against a message map. Never throws. `screen` sees the parsed JSON before
 * the schema does (and may trim it): the server takes out items it refuses unvalidated.
 */
export function parseFrame<M extends Record<string, z.ZodType>>(
  map: M,
  raw: string,
  screen?: (data: unknown) => void,
): ParseResult<z.infer<M[keyof M]>> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'E_BAD_JSON', message: ERROR_CODES.E_BAD_JSON };
  }
  screen?.(data);
  const type = (data as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(map, type)) {
    return { ok: false, code: 'E_UNKNOWN_TYPE', message: `Unknown message type ${JSON.stringify(type)?.slice(0, 64)}.` };
  }
  const parsed = map[type]!.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    return { ok: false, code: 'E_BAD_MESSAGE', message: `Bad ${type} message at ${where}: ${issue?.message ?? 'invalid'}.` };
  }
  return { ok: true, message: parsed.data as z.infer<M[keyof M]> };
}

/** Stable close codes (4000-4999 are for applications). */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  tooLarge: 1009,
  protocol: 4000,
  auth: 4001,
  badToken: 4002,
  replaced: 4003,
  /** IT merged this device into another; reconnecting with the same credential reaches that one. */
  merged: 4004,
  /** A second message before the first was answered, before authentication. */
  policy: 1008,
} as const;
