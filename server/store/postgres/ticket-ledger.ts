// The ticket ledger in PostgreSQL, for one batch (see ./README.md, "The ticket ledger"): everything
// the batch's ticket items may read (`LedgerReads`) is read first, in the batch's transaction; the
// synchronous ledger then answers from memory, keeps what it is told to write in order (a later item
// sees an earlier one's rows), and `flush` writes it all before the batch commits.
import type { LedgerReads, TicketLedger } from '../ticket-ledger.js';
import { ledgerWrites, type LedgerWrite } from './ledger-writes.js';
import { fileKey, noteKey, readLedger, type LedgerHead, type LedgerMemory } from './ledger-reads.js';
import type { Queryable } from './tx.js';

export interface PgLedger {
  ledger: TicketLedger;
  /** Writes the rows the ledger was given, in order, in the same transaction. */
  flush(): Promise<void>;
}

/** A read the batch's items did not declare (ledgerReadsOf): a rule that reads something new must declare it. */
function undeclared(what: string, key: unknown): never {
  throw new Error(
    `The ticket ledger was asked for ${what} ${JSON.stringify(key)}, which the batch's items did not declare (ledgerReadsOf)`,
  );
}

/** A read outside `reads` throws (a rule reading something new must declare it in ledgerReadsOf). */
export async function openPgLedger(db: Queryable, deviceId: string, reads: LedgerReads, head?: LedgerHead): Promise<PgLedger> {
  const m: LedgerMemory = await readLedger(db, deviceId, reads, head);
  const writes: LedgerWrite[] = [];
  /** Tickets of this device the ledger knows (read or inserted), by id: their files and notes are known too. */
  const known = (ticketId: number) => m.loaded.has(ticketId) || undeclared('the files and notes of ticket', ticketId);
  const byId = (id: number) => [...m.tickets.values()].find((t) => t?.id === id) ?? undeclared('ticket', id);

  const ledger: TicketLedger = {
    deviceId,
    ticket(ref) {
      const t = m.tickets.get(ref);
      return t === undefined ? undeclared('ticket ref', ref) : t && { ...t };
    },
    recordedDevice: () => m.device,
    insertTicket(row) {
      const id = m.newIds.shift() ?? undeclared('a ticket number beyond the', reads.creates);
      m.tickets.set(row.ref, { id, status: 'new', requesterAccount: row.requesterAccount });
      m.ticketIds.set(id, true);
      m.loaded.add(id);
      m.tallies.set(id, { files: 0, bytes: 0, screenshot: false });
      writes.push({ kind: 'ticket', id, row });
      return id;
    },
    touchTicket(id, at, internal = false) {
      writes.push({ kind: 'touch', id, at, internal });
    },
    closeTicket(id, at) {
      byId(id).status = 'closed';
      writes.push({ kind: 'close', id, at });
    },
    reopenTicket(id, at) {
      byId(id).status = 'open';
      writes.push({ kind: 'reopen', id, at });
    },
    attachmentTally(ticketId) {
      known(ticketId);
      return { ...(m.tallies.get(ticketId) ?? { files: 0, bytes: 0, screenshot: false }) };
    },
    hasAttachment: (ticketId, sha256, name) => known(ticketId) && m.files.has(fileKey(ticketId, sha256, name)),
    insertAttachment(row) {
      known(row.ticketId);
      m.files.add(fileKey(row.ticketId, row.sha256, row.name));
      const tally = m.tallies.get(row.ticketId) ?? { files: 0, bytes: 0, screenshot: false };
      m.tallies.set(
        row.ticketId,
        row.screenshot
          ? { ...tally, screenshot: true }
          : { files: tally.files + 1, bytes: tally.bytes + row.content.length, screenshot: tally.screenshot },
      );
      writes.push({ kind: 'attachment', row });
    },
    hasNote: (ticketId, noteId) => known(ticketId) && m.notes.has(noteKey(ticketId, noteId)),
    insertNote(row) {
      known(row.ticketId);
      const key = noteKey(row.ticketId, row.noteId);
      if (m.notes.has(key)) return false;
      m.notes.add(key);
      writes.push({ kind: 'note', row });
      return true;
    },
    worklogTicket(ref) {
      const t = m.worklogs.get(ref);
      return t === undefined ? undeclared('worklog ref', ref) : t;
    },
    ticketExists(id) {
      const exists = m.ticketIds.get(id);
      return exists === undefined ? undeclared('ticket number', id) : exists;
    },
    ticketByDeskNumber(deskNumber) {
      const id = m.deskNumbers.get(deskNumber);
      return id === undefined ? undeclared('desk number', deskNumber) : id;
    },
    insertWorklog(row) {
      m.worklogs.set(row.ref, row.ticketId);
      writes.push({ kind: 'worklog', row });
    },
    deskMemory: () => m.deskMemory,
    prohibitedExemptions: () => m.exemptions,
    setDeskMemory(value) {
      m.deskMemory = value;
      writes.push({ kind: 'memory', value });
    },
  };
  return { ledger, flush: () => ledgerWrites(db, deviceId, writes) };
}
