// One bounded step of cleaning up software generations that are no longer live, in the caller's
// transaction (what each step does: ../sqlite/software-sweep.ts). The garbage row is taken with
// SKIP LOCKED: several server processes sweep different generations at once, never the same one.
import { compareStrings } from '../../../shared/normalise.js';
import { toSoftware } from '../sqlite/batch.js';
import { ROW_SELECT, type KeyedSoftwareRow } from '../sqlite/software-rows.js';
import { stagedSoftwareChange, SWEEP_STEP_CHARS, type GarbageRow } from '../sqlite/software-sweep.js';
import type { SectionChange } from '../../../shared/delta-apply.js';
import { exemptionName } from '../software-request-records.js';
import type { FollowSweep } from '../store.js';
import type { PgDeskStore } from './desk-store.js';
import type { SectionPage } from '../../../shared/stored-sections.js';
import { compareSection, nextSection, type RestStep } from '../rest-sweep.js';
import { hasSections, readSectionPages, removeSections } from './sections.js';
import type { Queryable } from './tx.js';

/** What the step recorded in the history, told to the desk's rules (null: nobody listens). */
type Recorded = ((g: GarbageRow, changes: SectionChange[], first?: boolean) => Promise<void>) | null;

/** One step; the desk jobs `follow` names for what it recorded are enqueued in the same transaction. */
export async function sweepPgSoftware(
  db: Queryable,
  desk: PgDeskStore,
  limit: number,
  receivedAt: number,
  follow?: FollowSweep,
): Promise<{ handled: number; enqueued: number }> {
  let enqueued = 0;
  const recorded: Recorded = follow
    ? async (g, changes, first = false) => {
        if (changes.length === 0) return;
        const device = await db.query<{ hostname: string }>('SELECT hostname FROM devices WHERE id = $1', [g.device_id]);
        const exempt = await db.query<{ name: string }>('SELECT name FROM prohibited_exemptions WHERE device_id = $1', [g.device_id]);
        const names = exempt.rows.map((r) => exemptionName(r.name));
        const hostname = device.rows[0]?.hostname ?? '';
        const jobs = follow({ deviceId: g.device_id, hostname, first, changes, exemptions: () => names });
        for (const job of jobs) await desk.enqueueIn(db, job, receivedAt);
        enqueued += jobs.length;
      }
    : null;
  const handled = await sweepStep(db, limit, receivedAt, recorded);
  return { handled, enqueued };
}

async function sweepStep(db: Queryable, limit: number, receivedAt: number, recorded: Recorded): Promise<number> {
  const g = (await db.query<GarbageRow>('SELECT * FROM software_garbage LIMIT 1 FOR UPDATE SKIP LOCKED')).rows[0];
  if (!g) return 0;
  const inUse = await db.query(
    `SELECT 1 FROM snapshots WHERE device_id = $1 AND software_gen = $2
     UNION ALL SELECT 1 FROM snapshot_staging WHERE device_id = $1 AND first_seq = $2`,
    [g.device_id, g.gen],
  );
  if ((inUse.rowCount ?? 0) > 0) {
    // Live or being staged again: not garbage after all.
    await done(db, g, false);
    return 1;
  }
  if (g.replaced_by !== null) {
    const part = await db.query<{ part: number }>(
      'SELECT part FROM staged_changes WHERE device_id = $1 AND gen = $2 ORDER BY part LIMIT 1',
      [g.device_id, g.replaced_by],
    );
    if (part.rows[0]) {
      await publishPart(db, g, part.rows[0].part, receivedAt, recorded);
      return 1;
    }
    if (g.rest_from !== null) {
      await compareRestSection(db, g as GarbageRow & RestStep, receivedAt, recorded);
      return 1;
    }
  }
  return deleteOldRows(db, g, limit, receivedAt, recorded);
}

async function publishPart(db: Queryable, g: GarbageRow, part: number, receivedAt: number, recorded: Recorded): Promise<void> {
  if (recorded) {
    const staged = await db.query<{ added: string; changed: string }>(
      'SELECT added, changed FROM staged_changes WHERE device_id = $1 AND gen = $2 AND part = $3',
      [g.device_id, g.replaced_by, part],
    );
    if (staged.rows[0]) await recorded(g, [stagedSoftwareChange(staged.rows[0])]);
  }
  await db.query(
    `INSERT INTO changes (device_id, at, received_at, trigger, seq, section, added, removed, changed)
     SELECT device_id, $4, $5, $6, $7, 'software', added, '[]', changed FROM staged_changes WHERE device_id = $1 AND gen = $2 AND part = $3`,
    [g.device_id, g.replaced_by, part, g.at, receivedAt, g.trigger, g.seq],
  );
  await db.query('DELETE FROM staged_changes WHERE device_id = $1 AND gen = $2 AND part = $3', [g.device_id, g.replaced_by, part]);
}

const DEVICE = 'r.device_num = (SELECT num FROM software_devices WHERE device_id = $1) AND r.gen = $2';
const TEXT_CHARS = `(length(k.item_key) + length(k.name) + length(p.version) + length(p.publisher)
  + COALESCE(length(k.arch), 0) + COALESCE(length(k.user_name), 0) + COALESCE(length(r.install_date), 0))`;

/** Deletes `limit` rows of the old generation, recording what the new one no longer has. */
async function deleteOldRows(db: Queryable, g: GarbageRow, limit: number, receivedAt: number, recorded: Recorded): Promise<number> {
  // At most `limit` rows and about SWEEP_STEP_CHARS of text (the first row always), as SQLite's step.
  const rows = await db.query<KeyedSoftwareRow & { window_rows: number }>(
    `SELECT * FROM (
       SELECT ${ROW_SELECT}, COUNT(*) OVER () AS window_rows, SUM(${TEXT_CHARS}) OVER (ORDER BY r.key_id) - ${TEXT_CHARS} AS chars_before
       FROM (SELECT * FROM device_software r WHERE ${DEVICE} ORDER BY r.key_id LIMIT $3) r
       JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id) w
     WHERE chars_before < $4 ORDER BY key_id`,
    [g.device_id, g.gen, limit, SWEEP_STEP_CHARS],
  );
  const more = rows.rows.length > 0 && rows.rows.length < Number(rows.rows[0]!.window_rows);
  const ids = rows.rows.map((r) => r.key_id);
  if (ids.length > 0) {
    const removed: KeyedSoftwareRow[] = [];
    if (g.replaced_by !== null) {
      const kept = await db.query<{ key_id: string }>(
        `SELECT r.key_id FROM device_software r WHERE ${DEVICE} AND r.key_id = ANY($3::bigint[])`,
        [g.device_id, g.replaced_by, ids],
      );
      const still = new Set(kept.rows.map((r) => String(r.key_id)));
      for (const r of rows.rows) if (!still.has(String(r.key_id))) removed.push(r);
    }
    await db.query(`DELETE FROM device_software r WHERE ${DEVICE} AND r.key_id = ANY($3::bigint[])`, [g.device_id, g.gen, ids]);
    if (removed.length > 0) {
      // Key order, as the rows were read before they were normalised.
      removed.sort((a, b) => compareStrings(a.item_key, b.item_key));
      const items = removed.map(toSoftware);
      await db.query(
        `INSERT INTO changes (device_id, at, received_at, trigger, seq, section, added, removed, changed)
         VALUES ($1, $2, $3, $4, $5, 'software', '[]', $6, '[]')`,
        [g.device_id, g.at, receivedAt, g.trigger, g.seq, JSON.stringify(items)],
      );
      await recorded?.(g, [{ section: 'software', added: [], removed: items, changed: [] }]);
    }
  }
  if (!more && ids.length < limit) await done(db, g, true);
  return Math.max(ids.length, 1);
}

async function done(db: Queryable, g: GarbageRow, retired: boolean): Promise<void> {
  await db.query('DELETE FROM software_garbage WHERE device_id = $1 AND gen = $2', [g.device_id, g.gen]);
  if (!retired) return;
  await db.query('DELETE FROM staged_changes WHERE device_id = $1 AND gen = $2', [g.device_id, g.gen]);
  await removeSections(db, g.device_id, g.gen);
}

/** One section of the other sections of the two generations compared (../rest-sweep.ts). */
async function compareRestSection(db: Queryable, g: GarbageRow & RestStep, receivedAt: number, recorded: Recorded): Promise<void> {
  const section = nextSection(g.rest_from);
  const pages = new Map<number, SectionPage[]>();
  const hadBefore = await hasSections(db, g.device_id, g.gen);
  if (section) {
    pages.set(g.gen, await readSectionPages(db, g.device_id, g.gen, section));
    pages.set(g.replaced_by, await readSectionPages(db, g.device_id, g.replaced_by, section));
  }
  const step = compareSection(g, (gen) => pages.get(gen) ?? [], hadBefore);
  if (step.change) {
    const c = step.change;
    await db.query(
      `INSERT INTO changes (device_id, at, received_at, trigger, seq, section, added, removed, changed)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [g.device_id, g.at, receivedAt, g.trigger, g.seq, c.section, c.added, c.removed, c.changed],
    );
  }
  if (step.recorded) await recorded?.(g, [step.recorded], !hadBefore);
  await db.query('UPDATE software_garbage SET rest_from = $1 WHERE device_id = $2 AND gen = $3', [step.next, g.device_id, g.gen]);
}
