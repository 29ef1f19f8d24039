// The ticket ledger in PostgreSQL, for one batch (see ./README.md, "The ticket ledger"): everything
// the batch's ticket items may read (`LedgerReads`) is read first, in the batch's transaction; the
// synchronous ledger then answers from memory, keeps what it is told to write in order (a later item
// sees an earlier one's rows), and `flush` writes it all before the batch commits.
// Owned by the ticket/desk side of the PostgreSQL store (pgb).
import type { LedgerReads, TicketLedger } from '../ticket-ledger.js';
import { pending } from './pending.js';
import type { Queryable } from './tx.js';

export interface PgLedger {
  ledger: TicketLedger;
  /** Writes the rows the ledger was given, in order, in the same transaction. */
  flush(): Promise<void>;
}

/** A read outside `reads` throws (a rule reading something new must declare it in ledgerReadsOf). */
export async function openPgLedger(db: Queryable, deviceId: string, reads: LedgerReads): Promise<PgLedger> {
  void db;
  void reads;
  return { ledger: pending<TicketLedger>('ledger', { deviceId }), flush: async () => {} };
}
