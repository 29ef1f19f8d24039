// The rows a batch's ticket items wrote through the ledger (./ticket-ledger.ts), written in the
// order they were given, in the batch's transaction, before it commits.
import type { NewAttachmentRow, NewEndpointNote, NewTicketRow, NewWorklogRow } from '../ticket-ledger.js';
import type { Queryable } from './tx.js';

export type LedgerWrite =
  | { kind: 'ticket'; id: number; row: NewTicketRow }
  | { kind: 'touch'; id: number; at: number; internal: boolean }
  | { kind: 'close' | 'reopen'; id: number; at: number }
  | { kind: 'attachment'; row: NewAttachmentRow }
  | { kind: 'note'; row: NewEndpointNote }
  | { kind: 'worklog'; row: NewWorklogRow }
  | { kind: 'memory'; value: string };

const INSERT_TICKET = `
  INSERT INTO tickets (id, device_id, ref, subject, description, priority, category, status, requester, requester_account,
    device, hostname, attachments_expected, created_at, received_at, updated_at, public_updated_at, template, software_request)
  VALUES ($1, $2, $3, $4, $5, $6, $7, 'new', $8, $9, $10, $11, $12, $13, $14, $14, $14, $15, $16)`;

async function write(db: Queryable, deviceId: string, w: LedgerWrite): Promise<void> {
  switch (w.kind) {
    case 'ticket': {
      const r = w.row;
      await db.query(INSERT_TICKET, [
        w.id,
        deviceId,
        r.ref,
        r.subject,
        r.description,
        r.priority,
        r.category,
        r.requester,
        r.requesterAccount,
        r.device,
        r.hostname,
        r.attachmentsExpected,
        r.createdAt,
        r.receivedAt,
        r.template,
        r.softwareRequest,
      ]);
      return;
    }
    case 'touch':
      await db.query(
        w.internal
          ? 'UPDATE tickets SET updated_at = $2 WHERE id = $1'
          : 'UPDATE tickets SET updated_at = $2, public_updated_at = $2 WHERE id = $1',
        [w.id, w.at],
      );
      return;
    case 'close':
      await db.query("UPDATE tickets SET status = 'closed', closed_at = $2, updated_at = $2, public_updated_at = $2 WHERE id = $1", [
        w.id,
        w.at,
      ]);
      return;
    case 'reopen':
      await db.query("UPDATE tickets SET status = 'open', closed_at = NULL, updated_at = $2, public_updated_at = $2 WHERE id = $1", [
        w.id,
        w.at,
      ]);
      return;
    case 'attachment': {
      const r = w.row;
      await db.query(
        `INSERT INTO ticket_attachments (ticket_id, name, type, size, sha256, screenshot, content, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [r.ticketId, r.name, r.type, r.content.length, r.sha256, r.screenshot, r.content, r.at],
      );
      return;
    }
    case 'note': {
      const r = w.row;
      await db.query(
        `INSERT INTO ticket_notes (ticket_id, note_id, author, text, visibility, from_endpoint, at)
         VALUES ($1, $2, $3, $4, 'customer', true, $5) ON CONFLICT (ticket_id, note_id) DO NOTHING`,
        [r.ticketId, r.noteId, r.author, r.text, r.at],
      );
      return;
    }
    case 'worklog': {
      const r = w.row;
      await db.query(
        `INSERT INTO worklogs (ticket_id, device_id, ref, technician, start_at, end_at, minutes, description, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [r.ticketId, deviceId, r.ref, r.technician, r.start, r.end, r.minutes, r.description, r.at],
      );
      return;
    }
    case 'memory':
      await db.query('INSERT INTO desk_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
        `posture:${deviceId}`,
        w.value,
      ]);
  }
}

/** Writes each row in order: a row may name one an earlier write made (a note on a new ticket). */
export async function ledgerWrites(db: Queryable, deviceId: string, writes: readonly LedgerWrite[]): Promise<void> {
  for (const w of writes) await write(db, deviceId, w);
}
