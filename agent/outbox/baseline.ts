// The inventory baseline: the last recorded snapshot, which the next one is diffed against, with
// its digest and when and why it was recorded. One row, written in the same transaction as the
// items that lead to it.
import type { Logger } from '../../shared/log.js';
import { SnapshotSchema, type Snapshot } from '../../shared/inventory.js';
import { TriggerSchema, type Trigger } from '../../shared/protocol.js';
import type { Db } from './database.js';

export interface Baseline {
  snapshot: Snapshot;
  digest: string;
}

export interface LoadedBaseline extends Baseline {
  at: string;
  trigger: Trigger;
}

interface BaselineRow {
  snapshot: string;
  digest: string;
  at: string;
  trigger: string;
}

export function writeBaseline(db: Db, snapshotJson: string, digest: string, at: string, trigger: Trigger): void {
  db.prepare(
    `INSERT INTO baseline (id, snapshot, digest, at, trigger) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot, digest = excluded.digest, at = excluded.at, trigger = excluded.trigger`,
  ).run(snapshotJson, digest, at, trigger);
}

/** The stored baseline, or null when there is none or it no longer reads (then it is deleted). */
export function readBaseline(db: Db, log: Logger): LoadedBaseline | null {
  const row = db.prepare('SELECT snapshot, digest, at, trigger FROM baseline WHERE id = 1').get() as BaselineRow | undefined;
  if (!row) return null;
  try {
    const snapshot = SnapshotSchema.parse(JSON.parse(row.snapshot));
    return { snapshot, digest: row.digest, at: row.at, trigger: TriggerSchema.parse(row.trigger) };
  } catch {
    // Without a readable baseline nothing can be diffed: forget it, the next snapshot goes whole.
    log.error({ code: 'E_OUTBOX_CORRUPT' }, 'the stored inventory baseline is unreadable; the next snapshot will be sent whole');
    db.prepare('DELETE FROM baseline WHERE id = 1').run();
    return null;
  }
}
