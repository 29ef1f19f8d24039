// What a batch's ticket items may read through the ledger, read up front in the batch's transaction
// (./ticket-ledger.ts): a handful of queries however many items the batch holds.
import { exemptionName } from '../software-request-records.js';
import type { AttachmentTally, LedgerReads, LedgerTicket, RecordedDevice } from '../ticket-ledger.js';
import { prepared, type Queryable } from './tx.js';

/** The ledger's memory: what was read, and what this batch wrote so far (a later item sees it). */
export interface LedgerMemory {
  /** By ref; null = the device has no such ticket. */
  tickets: Map<string, LedgerTicket | null>;
  /** The tickets whose files and note ids were read (the ones `tickets` found, and new ones). */
  loaded: Set<number>;
  tallies: Map<number, AttachmentTally>;
  /** Ticket id, sha256 and name of each file. */
  files: Set<string>;
  /** Ticket id and note id of each note. */
  notes: Set<string>;
  /** A worklog ref of the device: the ticket it was recorded against, or null. */
  worklogs: Map<string, number | null>;
  /** Whether a ticket with this number exists. */
  ticketIds: Map<number, boolean>;
  /** The ticket linked to a desk number, or null. */
  deskNumbers: Map<string, number | null>;
  device: RecordedDevice | undefined;
  deskMemory: string | null;
  /** The names (lower case) the device may keep although prohibited (approved exceptions). */
  exemptions: string[];
  /** Ticket numbers taken for the batch's new tickets, in order. */
  newIds: number[];
}

export const noteKey = (ticketId: number, noteId: string): string => `${ticketId}\n${noteId}`;
export const fileKey = (ticketId: number, sha256: string, name: string): string => `${ticketId}\n${sha256}\n${name}`;

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** The device's columns, desk memory and exemptions, as the batch's device statement returned them (device-row.ts). */
export type LedgerHead = RecordedDevice & { memory: string | null; exemptions: string[] | null };

/** `head`: already read with the batch's device statement (one round trip fewer); read here when absent. */
export async function readLedger(db: Queryable, deviceId: string, reads: LedgerReads, head?: LedgerHead): Promise<LedgerMemory> {
  const refs = unique(reads.refs);
  const m: LedgerMemory = {
    tickets: new Map(refs.map((r) => [r, null])),
    loaded: new Set(),
    tallies: new Map(),
    files: new Set(),
    notes: new Set(),
    worklogs: new Map(unique(reads.worklogRefs).map((r) => [r, null])),
    ticketIds: new Map(unique(reads.ticketIds).map((id) => [id, false])),
    deskNumbers: new Map(unique(reads.deskNumbers).map((n) => [n, null])),
    device: undefined,
    deskMemory: null,
    exemptions: [],
    newIds: [],
  };
  const heads = head
    ? [head]
    : (
        await db.query<LedgerHead>(
          prepared(
            `SELECT hostname, serial, manufacturer, model, os, ip, (SELECT value FROM desk_state WHERE key = $2) AS memory,
         (SELECT array_agg(name) FROM prohibited_exemptions WHERE device_id = $1) AS exemptions
       FROM devices WHERE id = $1`,
            [deviceId, `posture:${deviceId}`],
          ),
        )
      ).rows;
  if (heads[0]) {
    const { memory, exemptions, ...device } = heads[0];
    m.device = device;
    m.deskMemory = memory;
    m.exemptions = (exemptions ?? []).map(exemptionName);
  } else {
    m.deskMemory =
      (await db.query<{ value: string }>('SELECT value FROM desk_state WHERE key = $1', [`posture:${deviceId}`])).rows[0]?.value ?? null;
  }
  if (refs.length > 0) await readTickets(db, deviceId, refs, m);
  if (m.worklogs.size > 0) {
    const rows = await db.query<{ ref: string; ticket_id: number }>(
      'SELECT ref, ticket_id FROM worklogs WHERE device_id = $1 AND ref = ANY($2::text[])',
      [deviceId, [...m.worklogs.keys()]],
    );
    for (const r of rows.rows) m.worklogs.set(r.ref, r.ticket_id);
  }
  if (m.ticketIds.size > 0) {
    const rows = await db.query<{ id: number }>('SELECT id FROM tickets WHERE id = ANY($1::bigint[])', [[...m.ticketIds.keys()]]);
    for (const r of rows.rows) m.ticketIds.set(r.id, true);
  }
  if (m.deskNumbers.size > 0) {
    const rows = await db.query<{ desk_id: string; id: number }>(
      `SELECT l.desk_id, t.id FROM desk_links l JOIN tickets t ON t.id::text = l.outpost_id
       WHERE l.kind = 'ticket' AND l.desk_id = ANY($1::text[])`,
      [[...m.deskNumbers.keys()]],
    );
    for (const r of rows.rows) m.deskNumbers.set(r.desk_id, r.id);
  }
  // One number per ticket the batch may create: at most one per create item, and per ref not found.
  const creatable = Math.min(reads.creates, [...m.tickets.values()].filter((t) => t === null).length);
  if (creatable > 0) {
    const ids = await db.query<{ id: number }>(
      "SELECT nextval(pg_get_serial_sequence('tickets', 'id')) AS id FROM generate_series(1, $1)",
      [creatable],
    );
    m.newIds = ids.rows.map((r) => r.id);
  }
  return m;
}

/** The device's tickets the items name, with their files (tally, names) and note ids. */
async function readTickets(db: Queryable, deviceId: string, refs: string[], m: LedgerMemory): Promise<void> {
  const found = await db.query<{ id: number; ref: string; status: string; requester_account: string }>(
    'SELECT id, ref, status, requester_account FROM tickets WHERE device_id = $1 AND ref = ANY($2::text[])',
    [deviceId, refs],
  );
  for (const t of found.rows) {
    m.tickets.set(t.ref, { id: t.id, status: t.status, requesterAccount: t.requester_account });
    m.loaded.add(t.id);
    m.tallies.set(t.id, { files: 0, bytes: 0, screenshot: false });
  }
  if (m.loaded.size === 0) return;
  const ids = [...m.loaded];
  const files = await db.query<{ ticket_id: number; sha256: string; name: string; size: number; screenshot: boolean }>(
    'SELECT ticket_id, sha256, name, size, screenshot FROM ticket_attachments WHERE ticket_id = ANY($1::bigint[])',
    [ids],
  );
  for (const f of files.rows) {
    m.files.add(fileKey(f.ticket_id, f.sha256, f.name));
    const tally = m.tallies.get(f.ticket_id)!;
    if (f.screenshot) tally.screenshot = true;
    else {
      tally.files++;
      tally.bytes += f.size;
    }
  }
  const notes = await db.query<{ ticket_id: number; note_id: string }>(
    'SELECT ticket_id, note_id FROM ticket_notes WHERE ticket_id = ANY($1::bigint[])',
    [ids],
  );
  for (const n of notes.rows) m.notes.add(noteKey(n.ticket_id, n.note_id));
}
