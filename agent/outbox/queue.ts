// The queue's rows: the state row (the seqs handed out and acknowledged) and the items table.
// Plain reads and writes; the Outbox holds the transaction each step belongs to.
import type { Db } from './database.js';

export interface StateRow {
  last_seq: number;
  acked_through: number;
  full_requested: number;
}

export interface ItemRow {
  seq: number;
  at: string;
  kind: string;
  body: string;
}

export const INVENTORY_KINDS = `('inventory.full', 'inventory.delta', 'inventory.part')`;
/** One per pending snapshot or change: the parts of one snapshot count once. */
const INVENTORY_UNITS = `kind IN ('inventory.full', 'inventory.delta') OR (kind = 'inventory.part' AND json_extract(body, '$.index') = 0)`;

export function readState(db: Db): StateRow {
  return db.prepare('SELECT last_seq, acked_through, full_requested FROM state WHERE id = 1').get() as StateRow;
}

/** Inside a transaction: hands out the next seq and writes the item. */
export function insertItem(db: Db, kind: string, at: string, bodyJson: string): number {
  const seq = readState(db).last_seq + 1;
  db.prepare('UPDATE state SET last_seq = ? WHERE id = 1').run(seq);
  db.prepare('INSERT INTO items (seq, at, kind, body) VALUES (?, ?, ?, ?)').run(seq, at, kind, bodyJson);
  return seq;
}

export function itemRow(db: Db, seq: number): ItemRow | undefined {
  return db.prepare('SELECT seq, at, kind, body FROM items WHERE seq = ?').get(seq) as ItemRow | undefined;
}

/** Pending snapshots and changes (a snapshot in parts counts once). */
export function pendingInventoryUnits(db: Db): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM items WHERE ${INVENTORY_UNITS}`).get() as { n: number }).n;
}

/** Whether the last pending inventory is a whole snapshot (one item, or every part) with this digest. */
export function pendingFullHas(db: Db, digest: string): boolean {
  const last = db
    .prepare(
      `SELECT seq, kind, json_extract(body, '$.digest') AS digest, json_extract(body, '$.first') AS first,
         json_extract(body, '$.index') AS idx, json_extract(body, '$.count') AS count
       FROM items WHERE kind IN ${INVENTORY_KINDS} ORDER BY seq DESC LIMIT 1`,
    )
    .get() as { seq: number; kind: string; digest: unknown; first: unknown; idx: unknown; count: unknown } | undefined;
  if (!last || last.digest !== digest) return false;
  if (last.kind === 'inventory.full') return true;
  if (last.kind !== 'inventory.part' || last.idx !== Number(last.count) - 1 || last.first !== last.seq - Number(last.idx)) return false;
  // Every part still pending (none acked yet, none renumbered away from its `first`).
  const { n } = db
    .prepare(`SELECT COUNT(*) AS n FROM items WHERE kind = 'inventory.part' AND seq BETWEEN ? AND ?`)
    .get(last.first, last.seq) as { n: number };
  return n === Number(last.count);
}

/**
 * Inside a transaction: pending items move above `seq`, in their order, and the state row says
 * the server has applied everything through `seq`.
 */
export function renumberAbove(db: Db, seq: number): void {
  const { min, max } = db.prepare('SELECT MIN(seq) AS min, MAX(seq) AS max FROM items').get() as {
    min: number | null;
    max: number | null;
  };
  if (min === null || max === null) {
    db.prepare('UPDATE state SET last_seq = ?, acked_through = ? WHERE id = 1').run(seq, seq);
    return;
  }
  const offset = seq + 1 - min;
  // Through negative numbers: shifting in place could collide with a row not yet moved.
  db.prepare('UPDATE items SET seq = -seq').run();
  db.prepare('UPDATE items SET seq = -seq + ?').run(offset);
  db.prepare('UPDATE state SET last_seq = ?, acked_through = ? WHERE id = 1').run(max + offset, seq);
}
