// The ticket ledger in SQLite: the reads and row writes ticket ingest makes inside a batch
// transaction (see ../ticket-ledger.ts). What an item does is decided in server/ingest.
import type Database from 'better-sqlite3';
import { exemptionName } from '../software-request-records.js';
import type { AttachmentTally, LedgerTicket, RecordedDevice, TicketLedger } from '../ticket-ledger.js';

/** A ledger for one device; the caller runs it inside its transaction. */
export type OpenTicketLedger = (deviceId: string) => TicketLedger;

export function createTicketLedger(db: Database.Database): OpenTicketLedger {
  const findTicket = db.prepare<[string, string], { id: number; status: string; requester_account: string }>(
    'SELECT id, status, requester_account FROM tickets WHERE device_id = ? AND ref = ?',
  );
  const exemptions = db.prepare<[string], string>('SELECT name FROM prohibited_exemptions WHERE device_id = ?').pluck();
  const recordedDevice = db.prepare<[string], RecordedDevice>(
    'SELECT hostname, serial, manufacturer, model, os, ip FROM devices WHERE id = ?',
  );
  const insertTicket = db.prepare(`
    INSERT INTO tickets (device_id, ref, subject, description, priority, category, template, software_request, status, requester,
      requester_account, device, hostname, attachments_expected, created_at, received_at, updated_at, public_updated_at)
    VALUES (@deviceId, @ref, @subject, @description, @priority, @category, @template, @softwareRequest, 'new', @requester, @requesterAccount,
      @device, @hostname, @attachmentsExpected, @createdAt, @receivedAt, @receivedAt, @receivedAt)`);
  const touchTicket = db.prepare('UPDATE tickets SET updated_at = ?, public_updated_at = ? WHERE id = ?');
  const touchInternally = db.prepare('UPDATE tickets SET updated_at = ? WHERE id = ?');
  const closeTicket = db.prepare("UPDATE tickets SET status = 'closed', closed_at = ?, updated_at = ?, public_updated_at = ? WHERE id = ?");
  const reopenTicket = db.prepare(
    "UPDATE tickets SET status = 'open', closed_at = NULL, updated_at = ?, public_updated_at = ? WHERE id = ?",
  );
  const tally = db.prepare<[number], { files: number | null; bytes: number | null; screenshots: number | null }>(`
    SELECT SUM(screenshot = 0) AS files, SUM(CASE WHEN screenshot = 0 THEN size END) AS bytes, SUM(screenshot) AS screenshots
    FROM ticket_attachments WHERE ticket_id = ?`);
  const attachmentExists = db.prepare<[number, string, string]>(
    'SELECT 1 FROM ticket_attachments WHERE ticket_id = ? AND sha256 = ? AND name = ?',
  );
  const insertAttachment = db.prepare(`
    INSERT INTO ticket_attachments (ticket_id, name, type, size, sha256, screenshot, content, created_at)
    VALUES (@ticketId, @name, @type, @size, @sha256, @screenshot, @content, @at)`);
  const insertNote = db.prepare(`
    INSERT OR IGNORE INTO ticket_notes (ticket_id, note_id, author, text, visibility, from_endpoint, at)
    VALUES (@ticketId, @noteId, @author, @text, 'customer', 1, @at)`);
  const noteExists = db.prepare<[number, string]>('SELECT 1 FROM ticket_notes WHERE ticket_id = ? AND note_id = ?');
  const ticketById = db.prepare<[number]>('SELECT 1 FROM tickets WHERE id = ?');
  const ticketByDeskNumber = db.prepare<[string], { id: number }>(
    "SELECT t.id FROM desk_links l JOIN tickets t ON t.id = CAST(l.outpost_id AS INTEGER) WHERE l.kind = 'ticket' AND l.desk_id = ?",
  );
  const recordedWorklog = db.prepare<[string, string], { ticket_id: number }>(
    'SELECT ticket_id FROM worklogs WHERE device_id = ? AND ref = ?',
  );
  const insertWorklog = db.prepare(`
    INSERT INTO worklogs (ticket_id, device_id, ref, technician, start_at, end_at, minutes, description, recorded_at)
    VALUES (@ticketId, @deviceId, @ref, @technician, @start, @end, @minutes, @description, @at)`);

  const getState = db.prepare<[string], { value: string }>('SELECT value FROM desk_state WHERE key = ?');
  const setState = db.prepare<[string, string]>(
    'INSERT INTO desk_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );

  return (deviceId) => ({
    deviceId,
    ticket(ref): LedgerTicket | null {
      const row = findTicket.get(deviceId, ref);
      return row ? { id: row.id, status: row.status, requesterAccount: row.requester_account } : null;
    },
    recordedDevice: () => recordedDevice.get(deviceId),
    insertTicket: (row) => Number(insertTicket.run({ deviceId, ...row }).lastInsertRowid),
    touchTicket(id, at, internal = false) {
      if (internal) touchInternally.run(at, id);
      else touchTicket.run(at, at, id);
    },
    closeTicket: (id, at) => void closeTicket.run(at, at, at, id),
    reopenTicket: (id, at) => void reopenTicket.run(at, at, id),
    attachmentTally(ticketId): AttachmentTally {
      const t = tally.get(ticketId)!;
      return { files: t.files ?? 0, bytes: t.bytes ?? 0, screenshot: (t.screenshots ?? 0) > 0 };
    },
    hasAttachment: (ticketId, sha256, name) => attachmentExists.get(ticketId, sha256, name) !== undefined,
    insertAttachment: (row) => void insertAttachment.run({ ...row, size: row.content.length, screenshot: row.screenshot ? 1 : 0 }),
    hasNote: (ticketId, noteId) => noteExists.get(ticketId, noteId) !== undefined,
    insertNote: (row) => insertNote.run(row).changes > 0,
    worklogTicket: (ref) => recordedWorklog.get(deviceId, ref)?.ticket_id ?? null,
    ticketExists: (id) => ticketById.get(id) !== undefined,
    ticketByDeskNumber: (deskNumber) => ticketByDeskNumber.get(deskNumber)?.id ?? null,
    insertWorklog: (row) => void insertWorklog.run({ deviceId, ...row }),
    deskMemory: () => getState.get(`posture:${deviceId}`)?.value ?? null,
    setDeskMemory: (value) => void setState.run(`posture:${deviceId}`, value),
    prohibitedExemptions: () => exemptions.all(deviceId).map(exemptionName),
  });
}
