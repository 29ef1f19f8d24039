// A batch that rewrites the live generation while the sweeper has still to finish retiring the one a
// swap replaced (software-sweep.ts) first settles, for what it rewrites, what the sweeper would have
// worked out later from the rewritten rows: the swap's change of each section it rewrites (compared
// now, marked in `rest_ahead` so the sweeper skips it) and whether each software key it touches was
// removed by the swap (the old row goes, so the sweeper does not compare it with the batch's result).
// Without this, a delta between a swap and the sweeper's comparison was recorded twice. O(what the
// batch rewrites).
import type Database from 'better-sqlite3';
import { compareAhead, stillToCompare, withAhead } from '../rest-sweep.js';
import type { RestSection } from '../../../shared/stored-sections.js';
import type { Software } from '../../../shared/inventory.js';
import type { ChangeRecord } from '../store.js';
import type { Trigger } from '../../../shared/protocol.js';
import { toSoftware } from './batch.js';
import type { createSectionStatements } from './sections.js';
import type { createSoftwareRows } from './software-rows.js';

interface Pending {
  gen: number;
  replaced_by: number;
  seq: number;
  at: string;
  trigger: Trigger;
  rest_from: string | null;
  rest_ahead: string | null;
}

export function createAheadOfSweep(
  db: Database.Database,
  sections: ReturnType<typeof createSectionStatements>,
  rows: ReturnType<typeof createSoftwareRows>,
) {
  const pending = db.prepare<[string, number], Pending>(
    'SELECT gen, replaced_by, seq, at, trigger, rest_from, rest_ahead FROM software_garbage WHERE device_id = ? AND replaced_by = ?',
  );
  const setAhead = db.prepare('UPDATE software_garbage SET rest_ahead = ? WHERE device_id = ? AND gen = ?');
  const record = (g: Pending): Pick<ChangeRecord, 'at' | 'trigger' | 'seq'> => ({ at: g.at, trigger: g.trigger, seq: g.seq });

  return {
    /** The swap's changes of the sections about to be rewritten in `gen`, compared before they are. */
    sections(deviceId: string, gen: number, rewritten: readonly RestSection[]): ChangeRecord[] {
      if (rewritten.length === 0) return [];
      const out: ChangeRecord[] = [];
      for (const g of pending.all(deviceId, gen)) {
        let ahead = g;
        for (const section of rewritten) {
          if (!stillToCompare(ahead, section)) continue;
          const rest = { ...ahead, rest_from: ahead.rest_from ?? '' };
          const change = compareAhead(rest, section, (gen, s) => sections.pages(deviceId, gen, s), sections.hasGen(deviceId, g.gen));
          if (change) out.push({ ...record(g), ...change });
          ahead = { ...ahead, rest_ahead: withAhead(ahead, section) };
        }
        if (ahead !== g) setAhead.run(ahead.rest_ahead, deviceId, g.gen);
      }
      return out;
    },
    /** What the swap removed of the software keys about to be written or removed in `gen`. */
    software(deviceId: string, gen: number, keys: readonly string[]): ChangeRecord[] {
      if (keys.length === 0) return [];
      const out: ChangeRecord[] = [];
      for (const g of pending.all(deviceId, gen)) {
        const removed: Software[] = [];
        for (const key of keys) {
          const old = rows.byKey(deviceId, g.gen, key);
          if (!old) continue;
          if (!rows.byKey(deviceId, gen, key)) removed.push(toSoftware(old));
          rows.remove(deviceId, g.gen, key);
        }
        if (removed.length) out.push({ ...record(g), section: 'software', added: [], removed, changed: [] });
      }
      return out;
    },
  };
}
