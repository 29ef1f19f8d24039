// The SQLite side of snapshots received in parts (see server/ingest/plan-parts.ts): the staging row,
// the software changes each part makes and the generations left for the sweeper (the staged software
// rows themselves: software-rows.ts). All of it is written in the batch's transaction, so an acknowledged part survives a crash of either side.
import type Database from 'better-sqlite3';
import type { SectionChange } from '../../../shared/delta-apply.js';
import { decodeDigests, encodeDigests } from '../../../shared/digest.js';
import { TriggerSchema } from '../../../shared/protocol.js';
import type { Software } from '../../../shared/inventory.js';
import { withPage } from '../../../shared/inventory-parts.js';
import type { Garbage, StagedKeys, StagedPage, StagingState, StoredInventory } from '../store.js';

/** The staging row as either engine returns it. */
export interface StagingRow {
  first_seq: number;
  part_count: number;
  digest: string;
  trigger: string;
  received: string;
  software_sum: string;
  software_count: number;
  rest_digests: string | null;
  rest_keys: string | null;
}

export function createStagingStatements(db: Database.Database) {
  const readRow = db.prepare<[string], StagingRow>('SELECT * FROM snapshot_staging WHERE device_id = ?');
  const upsert = db.prepare(`
    INSERT OR REPLACE INTO snapshot_staging
      (device_id, first_seq, part_count, digest, trigger, received, software_sum, software_count, rest_digests, rest_keys)
    VALUES (@deviceId, @first, @count, @digest, @trigger, @received, @sum, @softwareCount, @restDigests, @restKeys)`);
  const remove = db.prepare('DELETE FROM snapshot_staging WHERE device_id = ?');
  const readRest = db.prepare<[string, number], { rest: string }>(
    'SELECT rest FROM snapshot_staging_rest WHERE device_id = ? AND first_seq = ?',
  );
  const writeRest = db.prepare('INSERT OR REPLACE INTO snapshot_staging_rest (device_id, first_seq, rest) VALUES (?, ?, ?)');
  const removeRest = db.prepare('DELETE FROM snapshot_staging_rest WHERE device_id = ?');
  const readPages = db.prepare<[string, number], { page: string }>(
    'SELECT page FROM snapshot_staging_pages WHERE device_id = ? AND first_seq = ? ORDER BY ord',
  );
  const writePage = db.prepare('INSERT OR REPLACE INTO snapshot_staging_pages (device_id, first_seq, ord, page) VALUES (?, ?, ?, ?)');
  const removePages = db.prepare('DELETE FROM snapshot_staging_pages WHERE device_id = ?');
  const insertChanges = db.prepare('INSERT OR REPLACE INTO staged_changes (device_id, gen, part, added, changed) VALUES (?, ?, ?, ?, ?)');
  const garbage = db.prepare(`
    INSERT OR REPLACE INTO software_garbage (device_id, gen, replaced_by, seq, at, trigger, mark_from)
    VALUES (@deviceId, @gen, @replacedBy, @seq, @at, @trigger, @markFrom)`);

  return {
    read(deviceId: string): StagingState | null {
      const r = readRow.get(deviceId);
      if (!r) return null;
      // `rest` (part 0's and every page since) is read only at the swap: any other part costs
      // O(the part), whatever the size of the other sections.
      let rest: StoredInventory | null | undefined;
      const first = r.first_seq;
      return {
        first: r.first_seq,
        count: r.part_count,
        digest: r.digest,
        trigger: TriggerSchema.parse(r.trigger),
        received: JSON.parse(r.received) as number[],
        get rest(): StoredInventory | null {
          if (rest === undefined) {
            const row = readRest.get(deviceId, first);
            rest = row ? withStoredPages(JSON.parse(row.rest) as StoredInventory, readPages.all(deviceId, first)) : null;
          }
          return rest;
        },
        set rest(value: StoredInventory | null) {
          rest = value;
        },
        softwareSum: BigInt(`0x${r.software_sum}`),
        softwareCount: r.software_count,
        restDigests: decodeDigests(r.rest_digests),
        restKeys: decodeKeys(r.rest_keys),
      };
    },
    write(deviceId: string, s: StagingState | null): void {
      if (s === null) {
        remove.run(deviceId);
        removeRest.run(deviceId);
        removePages.run(deviceId);
        return;
      }
      upsert.run({
        deviceId,
        first: s.first,
        count: s.count,
        digest: s.digest,
        trigger: s.trigger,
        received: JSON.stringify(s.received),
        sum: s.softwareSum.toString(16),
        softwareCount: s.softwareCount,
        restDigests: s.restDigests ? encodeDigests(s.restDigests) : null,
        restKeys: s.restKeys ? JSON.stringify(s.restKeys) : null,
      });
      if (s.restChanged) {
        // Part 0 of a sequence: the pages of any sequence before it go.
        removePages.run(deviceId);
        if (s.rest === null) removeRest.run(deviceId);
        else writeRest.run(deviceId, s.first, JSON.stringify(s.rest));
      }
      for (const p of s.restPages ?? []) writePage.run(deviceId, s.first, p.ord, JSON.stringify(p.more));
    },
    writeChanges(deviceId: string, gen: number, c: { index: number; added: Software[]; changed: SectionChange['changed'] }): void {
      insertChanges.run(deviceId, gen, c.index, JSON.stringify(c.added), JSON.stringify(c.changed));
    },
    addGarbage(deviceId: string, g: Garbage): void {
      const r = g.replacedBy;
      garbage.run({
        deviceId,
        gen: g.gen,
        replacedBy: r?.gen ?? null,
        seq: r?.seq ?? null,
        at: r?.at ?? null,
        trigger: r?.trigger ?? null,
        // Names of the new generation are marked for recounting from the first key on.
        markFrom: r ? '' : null,
      });
    },
  };
}

/** Part 0's sections with the stored pages appended, in arrival order. */
export function withStoredPages(rest: StoredInventory, pages: readonly { page: string }[]): StoredInventory {
  return pages.reduce((r, p) => withPage(r, JSON.parse(p.page) as StagedPage['more']), rest);
}

export function decodeKeys(text: string | null): StagedKeys | null {
  return text === null ? null : (JSON.parse(text) as StagedKeys);
}
