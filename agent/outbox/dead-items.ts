// Items the outbox could not send (unreadable, or too large for any frame) leave the queue for the
// dead_items table, with why, so the queue moves on and IT can still look at what was lost.
import type { ErrorCode } from '../../shared/errors.js';
import type { Db } from './database.js';
import { itemRow, type ItemRow } from './queue.js';

/** Set-aside rows kept for inspection; older ones are dropped. */
export const MAX_DEAD_ITEMS = 1000;

/** In one transaction: moves the row to dead_items; returns it, or undefined if it was not queued. */
export function moveToDeadItems(db: Db, seq: number, code: ErrorCode, reason: string, at: string): ItemRow | undefined {
  return db.transaction(() => {
    const row = itemRow(db, seq);
    if (!row) return undefined;
    db.prepare('INSERT INTO dead_items (seq, at, kind, body, code, reason, set_aside_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      row.seq,
      row.at,
      row.kind,
      row.body,
      code,
      reason,
      at,
    );
    db.prepare('DELETE FROM items WHERE seq = ?').run(seq);
    db.prepare('DELETE FROM dead_items WHERE id <= (SELECT MAX(id) FROM dead_items) - ?').run(MAX_DEAD_ITEMS);
    return row;
  })();
}
