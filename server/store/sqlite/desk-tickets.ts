// Desk tickets Outpost never saw (raised in the desk, by phone) taken over when a worklog names
// their number: a server ticket with no device, linked to the desk ticket, so the worklog is kept
// here and written to the desk like any other. Never shown on an endpoint (no device).
import type Database from 'better-sqlite3';
import type { ImportedDeskTicket } from '../desk-records.js';
import { deskTicketRef } from '../desk-rows.js';

/** The server ticket linked to desk ticket `t.deskId`, created when there is none; its id. */
export function importDeskTicket(db: Database.Database, t: ImportedDeskTicket, at: number): number {
  return db.transaction(() => {
    const linked = db
      .prepare<[string], { id: number }>(
        "SELECT t.id FROM desk_links l JOIN tickets t ON t.id = CAST(l.outpost_id AS INTEGER) WHERE l.kind = 'ticket' AND l.desk_id = ?",
      )
      .get(t.deskId);
    if (linked) return linked.id;
    const account = t.requester.slice(0, 256) || 'unknown';
    const created = Number.isFinite(Date.parse(t.createdAt ?? '')) ? Date.parse(t.createdAt!) : at;
    const inserted = db
      .prepare(
        `INSERT INTO tickets (device_id, ref, subject, description, priority, category, status, requester, requester_account,
           device, hostname, attachments_expected, created_at, received_at, updated_at, public_updated_at)
         VALUES (NULL, @ref, @subject, @description, @priority, NULL, @status, @requester, @account, @device, '', 0, @created, @at, @at, @at)`,
      )
      .run({
        ref: deskTicketRef(t.deskId),
        subject: t.subject.slice(0, 200) || `Desk ticket #${t.deskId}`,
        description: t.description,
        priority: t.priority,
        status: t.status,
        requester: JSON.stringify({ account }),
        account,
        device: JSON.stringify({ deviceId: null, hostname: '', os: '', ip: [] }),
        created,
        at,
      });
    const id = Number(inserted.lastInsertRowid);
    db.prepare("INSERT INTO desk_links (kind, outpost_id, desk_id) VALUES ('ticket', ?, ?)").run(String(id), t.deskId);
    return id;
  })();
}
