// One bounded step of cleaning up software generations that are no longer live (see migration 11
// and server/ingest/plan-parts.ts). After a swap, the software changes the new generation's parts
// made join the history first, one part a step (copying them all in the swap's batch would cost
// O(snapshot)); then the old generation's rows are deleted, at most `limit` rows a step; the old items
// the new generation does not have are recorded as the snapshot's removed software. (The fleet counts
// moved with the swap itself, fleet-counts.ts: rows of a generation no longer live count for nothing.)
// Each step is its own short transaction, so the cleanup of a 50,000-package snapshot never holds
// the event loop for long.
import type Database from 'better-sqlite3';
import { compareStrings } from '../../../shared/normalise.js';
import { toSoftware } from './batch.js';
import { ROW_SELECT, type KeyedSoftwareRow } from './software-rows.js';
import { compareSection, type RestStep } from '../rest-sweep.js';
import { createSectionStatements } from './sections.js';
import { createTicketLedger } from './ticket-ledger.js';
import type { SectionChange } from '../../../shared/delta-apply.js';
import type { NewDeskJob } from '../desk-records.js';
import type { FollowSweep } from '../store.js';

/** A generation left for the sweeper, as either engine returns it. */
export interface GarbageRow {
  device_id: string;
  gen: number;
  replaced_by: number | null;
  seq: number | null;
  at: string | null;
  trigger: string | null;
  /** The last section of the other sections compared ('' none yet); null: all compared, or none to compare. */
  rest_from: string | null;
  /** The sections after `rest_from` a batch compared already (comma-separated; ../rest-sweep.ts). */
  rest_ahead?: string | null;
}

/**
 * Text one deleting step reads at most (past its first row), beside its row limit: the removed
 * packages are recorded as JSON, and 500 packages with every field at its 1,024-character limit are
 * 3 MB, which held the event loop for 70-100 ms a step. About what one batch at the budget carries.
 */
export const SWEEP_STEP_CHARS = 1024 * 1024;

type OldRow = KeyedSoftwareRow;

/** The rows up to SWEEP_STEP_CHARS of text; `more` when it stopped before the statement's end. */
function firstRows(all: IterableIterator<OldRow>): { rows: OldRow[]; more: boolean } {
  const rows: OldRow[] = [];
  let chars = 0;
  for (const r of all) {
    // Leaving the loop ends the statement (for...of calls the iterator's return).
    if (rows.length > 0 && chars >= SWEEP_STEP_CHARS) return { rows, more: true };
    rows.push(r);
    chars += textChars(r);
  }
  return { rows, more: false };
}

function textChars(r: OldRow): number {
  let n = r.item_key.length;
  for (const v of [r.name, r.version, r.publisher, r.arch, r.user_name, r.install_date]) n += v?.length ?? 0;
  return n;
}

const ROWS = 'device_software r JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id';
const DEVICE = 'r.device_num = (SELECT num FROM software_devices WHERE device_id = ?) AND r.gen = ?';

/** Rows handled by one step (0 when there is nothing left to do) and the desk jobs it enqueued. */
export type SweepStep = (limit: number, receivedAt: number, follow?: FollowSweep) => { handled: number; enqueued: number };

/** `enqueue` writes one desk job inside the step's transaction. */
export function createSoftwareSweep(db: Database.Database, enqueue: (job: NewDeskJob, at: number) => void): SweepStep {
  const next = db.prepare<[], GarbageRow>('SELECT * FROM software_garbage LIMIT 1');
  const inUse = db.prepare<[string, number, string, number], { n: number }>(`
    SELECT (SELECT COUNT(*) FROM snapshots WHERE device_id = ? AND software_gen = ?)
         + (SELECT COUNT(*) FROM snapshot_staging WHERE device_id = ? AND first_seq = ?) AS n`);
  const oldRows = db.prepare<[string, number, number], OldRow>(
    `SELECT ${ROW_SELECT} FROM ${ROWS} WHERE ${DEVICE} ORDER BY r.key_id LIMIT ?`,
  );
  const exists = db.prepare<[string, number, number], { one: number }>(
    'SELECT 1 AS one FROM device_software WHERE device_num = (SELECT num FROM software_devices WHERE device_id = ?) AND gen = ? AND key_id = ?',
  );
  const deleteRow = db.prepare(
    'DELETE FROM device_software WHERE device_num = (SELECT num FROM software_devices WHERE device_id = ?) AND gen = ? AND key_id = ?',
  );
  const recordRemoved = db.prepare(`
    INSERT INTO changes (device_id, at, received_at, trigger, seq, section, added, removed, changed)
    VALUES (?, ?, ?, ?, ?, 'software', '[]', ?, '[]')`);
  const done = db.prepare('DELETE FROM software_garbage WHERE device_id = ? AND gen = ?');
  const nextPart = db.prepare<[string, number], { part: number }>(
    'SELECT part FROM staged_changes WHERE device_id = ? AND gen = ? ORDER BY part LIMIT 1',
  );
  const publishPart = db.prepare(`
    INSERT INTO changes (device_id, at, received_at, trigger, seq, section, added, removed, changed)
    SELECT device_id, @at, @receivedAt, @trigger, @seq, 'software', added, '[]', changed
    FROM staged_changes WHERE device_id = @deviceId AND gen = @gen AND part = @part`);
  const dropPart = db.prepare('DELETE FROM staged_changes WHERE device_id = ? AND gen = ? AND part = ?');
  const dropChanges = db.prepare('DELETE FROM staged_changes WHERE device_id = ? AND gen = ?');
  const sections = createSectionStatements(db);
  const recordChange = db.prepare(`
    INSERT INTO changes (device_id, at, received_at, trigger, seq, section, added, removed, changed)
    VALUES (@deviceId, @at, @receivedAt, @trigger, @seq, @section, @added, @removed, @changed)`);
  const setRestFrom = db.prepare('UPDATE software_garbage SET rest_from = ? WHERE device_id = ? AND gen = ?');

  const stagedPart = db.prepare<[string, number, number], { added: string; changed: string }>(
    'SELECT added, changed FROM staged_changes WHERE device_id = ? AND gen = ? AND part = ?',
  );
  const hostname = db.prepare<[string], { hostname: string }>('SELECT hostname FROM devices WHERE id = ?');
  const ledgerFor = createTicketLedger(db);

  /** The desk jobs the step's recorded changes raise, enqueued with them. */
  const raise = (follow: FollowSweep | undefined, g: GarbageRow, receivedAt: number, changes: SectionChange[], first = false) => {
    if (!follow || changes.length === 0) return 0;
    const deviceId = g.device_id;
    const name = hostname.get(deviceId)?.hostname ?? '';
    const jobs = follow({ deviceId, hostname: name, first, changes, exemptions: () => ledgerFor(deviceId).prohibitedExemptions() });
    for (const job of jobs) enqueue(job, receivedAt);
    return jobs.length;
  };

  const step = (limit: number, receivedAt: number, follow?: FollowSweep): { handled: number; enqueued: number } => {
    let enqueued = 0;
    const handled = stepOnce(
      limit,
      receivedAt,
      (g, changes, first) => (enqueued += raise(follow, g, receivedAt, changes, first)),
      !!follow,
    );
    return { handled, enqueued };
  };

  /** `recorded` is told what the step wrote into the history; `wanted`: whether anyone listens. */
  const stepOnce = (
    limit: number,
    receivedAt: number,
    recorded: (g: GarbageRow, changes: SectionChange[], first?: boolean) => void,
    wanted: boolean,
  ): number => {
    const g = next.get();
    if (!g) return 0;
    if (inUse.get(g.device_id, g.gen, g.device_id, g.gen)!.n > 0) {
      // Live or being staged again: not garbage after all.
      done.run(g.device_id, g.gen);
      return 1;
    }
    const part = g.replaced_by === null ? undefined : nextPart.get(g.device_id, g.replaced_by);
    if (part && g.replaced_by !== null) {
      if (wanted) {
        const staged = stagedPart.get(g.device_id, g.replaced_by, part.part);
        if (staged) recorded(g, [stagedSoftwareChange(staged)]);
      }
      publishPart.run({ deviceId: g.device_id, gen: g.replaced_by, part: part.part, at: g.at, receivedAt, trigger: g.trigger, seq: g.seq });
      dropPart.run(g.device_id, g.replaced_by, part.part);
      return 1;
    }
    if (g.replaced_by !== null && g.rest_from !== null) {
      // One section of the other sections compared a step: O(that section), whatever the rest hold.
      const hadBefore = sections.hasGen(g.device_id, g.gen);
      const step = compareSection(g as RestStep, (gen, section) => sections.pages(g.device_id, gen, section), hadBefore);
      if (step.change) recordChange.run({ deviceId: g.device_id, at: g.at, receivedAt, trigger: g.trigger, seq: g.seq, ...step.change });
      if (step.recorded) recorded(g, [step.recorded], !hadBefore);
      setRestFrom.run(step.next, g.device_id, g.gen);
      return 1;
    }
    const { rows, more } = firstRows(oldRows.iterate(g.device_id, g.gen, limit));
    const removed = [];
    for (const r of rows) {
      if (g.replaced_by !== null && !exists.get(g.device_id, g.replaced_by, r.key_id)) removed.push(r);
      deleteRow.run(g.device_id, g.gen, r.key_id);
    }
    // Key order within a step, as the rows were read before they were normalised.
    removed.sort((a, b) => compareStrings(a.item_key, b.item_key));
    if (removed.length && g.replaced_by !== null) {
      const items = removed.map(toSoftware);
      recordRemoved.run(g.device_id, g.at, receivedAt, g.trigger, g.seq, JSON.stringify(items));
      recorded(g, [{ section: 'software', added: [], removed: items, changed: [] }]);
    }
    if (!more && rows.length < limit) {
      done.run(g.device_id, g.gen);
      sections.removeGen(g.device_id, g.gen);
      dropChanges.run(g.device_id, g.gen);
    }
    return Math.max(rows.length, 1);
  };
  return db.transaction(step);
}

/** A staged part's software changes as the history records them. */
export function stagedSoftwareChange(staged: { added: string; changed: string }): SectionChange {
  return { section: 'software', added: JSON.parse(staged.added) as never[], removed: [], changed: JSON.parse(staged.changed) as never[] };
}
