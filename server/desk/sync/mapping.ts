// Field mapping, per desk: which fields flow back from the desk, how priorities and statuses are
// named there, the status a new desk ticket starts in, notes and attachments on or off, and where
// a ticket's account reference comes from. The defaults are the behaviour before mapping existed.
import { z } from 'zod';
import { PRIORITIES, TICKET_STATUSES, type Priority, type TicketStatus } from '../../../shared/tickets.js';
import type { DeskCapabilities, DeskKind } from '../connector.js';
import { ASSET_FIELD_NAMES, type DeskAssetFields, type DeskTicket, type NewDeskTicket } from '../types.js';

/** to-desk: Outpost writes the field and never reads it back; both: the desk's changes come back too. */
const DirectionSchema = z.enum(['to-desk', 'both']);

const deskName = z.string().trim().min(1).max(200);
/** Desk field names reach query languages and JSON keys: no quotes, braces or backslashes. */
const fieldName = deskName.regex(/^[^'"{}\\]+$/, 'must not contain quotes, braces or backslashes');

export const FieldMappingSchema = z
  .object({
    fields: z
      .object({
        status: DirectionSchema.default('both'),
        priority: DirectionSchema.default('to-desk'),
        subject: DirectionSchema.default('to-desk'),
        /** The description carries the device details Outpost composed: the desk's edits never come back. */
        description: z.literal('to-desk').default('to-desk'),
        /** Asset fields are Outpost's inventory: always written to the desk, never read back into it. */
        asset: z.literal('to-desk').default('to-desk'),
      })
      .strict()
      .prefault({}),
    /** Outpost priority -> the desk's value (RT: a number 0-1000; SDP: a priority name). Unlisted ones keep the connector's default. */
    priorities: z.partialRecord(z.enum(PRIORITIES), z.union([deskName, z.number().int().min(0).max(1000)])).default({}),
    statuses: z
      .object({
        /** Outpost status -> the desk's status name. */
        toDesk: z.partialRecord(z.enum(TICKET_STATUSES), deskName).default({}),
        /** The desk's status name (any case) -> Outpost status; added to the connector's defaults. */
        fromDesk: z.record(deskName, z.enum(TICKET_STATUSES)).default({}),
        /** What a desk status nobody mapped means (connector default: open). */
        unknown: z.enum(TICKET_STATUSES).optional(),
      })
      .strict()
      .prefault({}),
    /** The status a new desk ticket starts in (mapped through statuses.toDesk); the desk's default when absent. */
    newTicketStatus: z.enum(TICKET_STATUSES).optional(),
    notes: z
      .object({ toDesk: z.boolean().default(true), fromDesk: z.boolean().default(true) })
      .strict()
      .prefault({}),
    /**
     * Per asset field: `to-desk` (default) Outpost writes it; `desk` the desk owns it, and Outpost
     * neither writes nor clears it (e.g. a CPU field an asset manager keeps by hand).
     */
    assetFields: z.partialRecord(z.enum(ASSET_FIELD_NAMES), z.enum(['to-desk', 'desk'])).default({}),
    /** Files sent with tray tickets go to the desk (never back: the endpoint keeps its own). */
    attachments: z.boolean().default(true),
    /**
     * The account/company lookup: the reference in the ticket's asset field `assetField` is set on
     * the new ticket's field `ticketField` (RT: custom field names; SDP: `site` or a udf_ field on the
     * workstation, `site`, `account` or a udf_ field on the request; settings.ts checks them).
     */
    account: z.object({ assetField: fieldName, ticketField: fieldName }).strict().optional(),
  })
  .strict();

export type FieldMappingInput = z.input<typeof FieldMappingSchema>;
export type FieldMapping = z.output<typeof FieldMappingSchema>;

export const DEFAULT_MAPPING: FieldMapping = FieldMappingSchema.parse({});

/**
 * What the sync does with this desk once the mapping is applied: a direction switched to
 * `to-desk` or a flow switched off takes the capability away, and the integration level with it.
 */
export function effectiveCapabilities(c: DeskCapabilities, m: FieldMapping): DeskCapabilities {
  return {
    ...c,
    attachments: c.attachments && m.attachments,
    notesToDesk: c.notesToDesk && m.notes.toDesk,
    readStatus: c.readStatus && m.fields.status === 'both',
    readNotes: c.readNotes && m.notes.fromDesk,
    accountLookup: c.accountLookup && m.account !== undefined,
  };
}

/** Whether polling the desk (which needs the connector's own readStatus) brings anything back at all. */
export function importsFromDesk(m: FieldMapping): boolean {
  return m.fields.status === 'both' || m.fields.priority === 'both' || m.fields.subject === 'both' || m.notes.fromDesk;
}

/**
 * The value maps as connector options (rt/config.ts, sdp/config.ts), laid over `options`: the
 * connector merges them onto its defaults, so a map lists only what differs.
 */
export function connectorOptions(kind: DeskKind, m: FieldMapping, options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...options };
  const priorities = Object.entries(m.priorities);
  if (priorities.length) {
    const own = typeof options.priorities === 'object' && options.priorities !== null ? options.priorities : {};
    const values = priorities.map(([p, v]) => [p, kind === 'rt' ? Number(v) : String(v)] as const);
    out.priorities = { ...own, ...Object.fromEntries(values) };
  }
  const s = m.statuses;
  if (Object.keys(s.toDesk).length || Object.keys(s.fromDesk).length || s.unknown) {
    const own = (typeof options.statuses === 'object' && options.statuses !== null ? options.statuses : {}) as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...own };
    if (Object.keys(s.toDesk).length) merged.toDesk = { ...(own.toDesk as object | undefined), ...s.toDesk };
    if (Object.keys(s.fromDesk).length) merged.fromDesk = { ...(own.fromDesk as object | undefined), ...s.fromDesk };
    if (s.unknown) merged.unknown = s.unknown;
    out.statuses = merged;
  }
  return out;
}

/** A new desk ticket as the mapping shapes it: starting status, attachments on or off, the account. */
export function mapNewTicket(t: NewDeskTicket, m: FieldMapping, account: string | null): NewDeskTicket {
  const out: NewDeskTicket = { ...t };
  if (m.newTicketStatus) out.status = m.newTicketStatus;
  if (!m.attachments) delete out.attachments;
  if (account && m.account) out.account = { field: m.account.ticketField, value: account };
  return out;
}

/** The asset as the mapping lets Outpost write it: desk-owned fields dropped and listed, so no connector clears them. */
export function mapAssetFields<T extends DeskAssetFields>(a: T, m: FieldMapping): T {
  const owned = ASSET_FIELD_NAMES.filter((f) => m.assetFields[f] === 'desk');
  if (owned.length === 0) return a;
  const out: T = { ...a, deskOwned: owned };
  for (const f of owned) if (f !== 'macs') delete out[f];
  if (owned.includes('macs')) out.macs = [];
  return out;
}

/** What a poll may take over from the desk's ticket as it is now; fields mapped `to-desk` never come back. */
export interface Imported {
  status?: TicketStatus;
  priority?: Priority;
  subject?: string;
}

export function importedFields(t: DeskTicket, m: FieldMapping): Imported {
  const out: Imported = {};
  if (m.fields.status === 'both') out.status = t.status;
  if (m.fields.priority === 'both' && t.priority !== null) out.priority = t.priority;
  if (m.fields.subject === 'both' && t.subject.trim()) out.subject = t.subject.trim();
  return out;
}
