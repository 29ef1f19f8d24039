// PostgreSQL's side of ../sqlite/ahead-of-sweep.ts: before a batch rewrites sections or software
// rows of the live generation while the sweeper has still to retire the one a swap replaced, the
// swap's changes of what it rewrites are settled from the rows as the swap left them, so that the
// sweeper does not record the batch's change a second time. O(what the batch rewrites).
import type { RestSection, SectionPage } from '../../../shared/stored-sections.js';
import type { Trigger } from '../../../shared/protocol.js';
import { compareAhead, stillToCompare, withAhead } from '../rest-sweep.js';
import { toSoftware } from '../sqlite/batch.js';
import { ROW_SELECT, type KeyedSoftwareRow } from '../sqlite/software-rows.js';
import type { ChangeRecord } from '../store.js';
import { hasSections, readSectionPages } from './sections.js';
import { deleteSoftwareRows } from './staging.js';
import type { Queryable } from './tx.js';

interface Pending {
  gen: number;
  replaced_by: number;
  seq: number;
  at: string;
  trigger: Trigger;
  rest_from: string | null;
  rest_ahead: string | null;
}

async function pending(db: Queryable, deviceId: string, gen: number): Promise<Pending[]> {
  const r = await db.query<Pending>(
    'SELECT gen, replaced_by, seq, at, trigger, rest_from, rest_ahead FROM software_garbage WHERE device_id = $1 AND replaced_by = $2',
    [deviceId, gen],
  );
  return r.rows.map((g) => ({ ...g, gen: Number(g.gen), replaced_by: Number(g.replaced_by), seq: Number(g.seq) }));
}

const origin = (g: Pending) => ({ at: g.at, trigger: g.trigger, seq: g.seq });

/** The swap's changes of the sections about to be rewritten in `gen`, compared before they are. */
export async function sectionsAheadOfSweep(
  db: Queryable,
  deviceId: string,
  gen: number,
  rewritten: readonly RestSection[],
): Promise<ChangeRecord[]> {
  if (rewritten.length === 0) return [];
  const out: ChangeRecord[] = [];
  for (const g of await pending(db, deviceId, gen)) {
    let ahead = g;
    for (const section of rewritten) {
      if (!stillToCompare(ahead, section)) continue;
      const pages = new Map<number, SectionPage[]>();
      const hadBefore = await hasSections(db, deviceId, g.gen);
      pages.set(g.gen, await readSectionPages(db, deviceId, g.gen, section));
      pages.set(gen, await readSectionPages(db, deviceId, gen, section));
      const change = compareAhead({ ...ahead, rest_from: ahead.rest_from ?? '' }, section, (at) => pages.get(at) ?? [], hadBefore);
      if (change) out.push({ ...origin(g), ...change });
      ahead = { ...ahead, rest_ahead: withAhead(ahead, section) };
    }
    if (ahead !== g) {
      await db.query('UPDATE software_garbage SET rest_ahead = $1 WHERE device_id = $2 AND gen = $3', [ahead.rest_ahead, deviceId, g.gen]);
    }
  }
  return out;
}

/** What the swap removed of the software keys about to be written or removed in `gen`. */
export async function softwareAheadOfSweep(db: Queryable, deviceId: string, gen: number, keys: readonly string[]): Promise<ChangeRecord[]> {
  if (keys.length === 0) return [];
  const out: ChangeRecord[] = [];
  const rowsOf = async (g: number) =>
    (
      await db.query<KeyedSoftwareRow>(
        `SELECT ${ROW_SELECT} FROM device_software r JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id
         WHERE r.device_num = (SELECT num FROM software_devices WHERE device_id = $1) AND r.gen = $2 AND k.item_key = ANY($3::text[])
         ORDER BY k.item_key`,
        [deviceId, g, keys],
      )
    ).rows;
  for (const g of await pending(db, deviceId, gen)) {
    const old = await rowsOf(g.gen);
    if (old.length === 0) continue;
    const live = new Set((await rowsOf(gen)).map((r) => r.item_key));
    const removed = old.filter((r) => !live.has(r.item_key)).map(toSoftware);
    await deleteSoftwareRows(
      db,
      deviceId,
      g.gen,
      old.map((r) => r.item_key),
    );
    if (removed.length) out.push({ ...origin(g), section: 'software', added: [], removed, changed: [] });
  }
  return out;
}
