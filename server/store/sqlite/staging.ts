// The SQLite side of snapshots received in parts (see server/ingest/plan-parts.ts): the staging row,
// the software changes each part makes and the generations left for the sweeper (the staged software
// rows themselves: software-rows.ts). All of it is written in the batch's transaction, so an acknowledged part survives a crash of either side.
import type Database from 'better-sqlite3';
import type { SectionChange } from '../../../shared/delta-apply.js';
import { decodeDigests, encodeDigests } from '../../../shared/digest.js';
import { TriggerSchema } from '../../../shared/protocol.js';
import type { Software } from '../../../shared/inventory.js';
import type { Garbage, StagedKeys, StagingState } from '../store.js';

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
  const insertChanges = db.prepare('INSERT OR REPLACE INTO staged_changes (device_id, gen, part, added, changed) VALUES (?, ?, ?, ?, ?)');
  const garbage = db.prepare(`
    INSERT OR REPLACE INTO software_garbage (device_id, gen, replaced_by, seq, at, trigger, rest_from)
    VALUES (@deviceId, @gen, @replacedBy, @seq, @at, @trigger, @restFrom)`);

  return {
    read(deviceId: string): StagingState | null {
      const r = readRow.get(deviceId);
      if (!r) return null;
      // Part 0's sections are rows of the staged generation (sections.ts), read by the swap a
      // section at a time, never here.
      return {
        first: r.first_seq,
        count: r.part_count,
        digest: r.digest,
        trigger: TriggerSchema.parse(r.trigger),
        received: JSON.parse(r.received) as number[],
        rest: null,
        softwareSum: BigInt(`0x${r.software_sum}`),
        softwareCount: r.software_count,
        restDigests: decodeDigests(r.rest_digests),
        restKeys: decodeKeys(r.rest_keys),
      };
    },
    write(deviceId: string, s: StagingState | null): void {
      if (s === null) {
        remove.run(deviceId);
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
        // The other sections of the two generations are compared from the first section on.
        restFrom: r ? '' : null,
      });
    },
  };
}

export function decodeKeys(text: string | null): StagedKeys | null {
  return text === null ? null : (JSON.parse(text) as StagedKeys);
}
