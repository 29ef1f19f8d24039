// A snapshot's sections other than software as rows per generation on PostgreSQL (what and why:
// ../sqlite/sections.ts, shared/stored-sections.ts). Pages go in one statement (arrays unnested).
import { REST_SECTIONS, sectionBody, type RestSection, type SectionPage } from '../../../shared/stored-sections.js';
import type { StagedPage, StoredInventory } from '../store.js';
import { prepared, type Queryable } from './tx.js';

export async function readSectionPages(db: Queryable, deviceId: string, gen: number, section: RestSection): Promise<SectionPage[]> {
  const r = await db.query<{ ord: number; body: string }>(
    'SELECT ord, body FROM snapshot_sections WHERE device_id = $1 AND gen = $2 AND section = $3',
    [deviceId, gen, section],
  );
  return r.rows.map((row) => ({ ord: row.ord, body: JSON.parse(row.body) as unknown }));
}

export async function hasSections(db: Queryable, deviceId: string, gen: number): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM snapshot_sections WHERE device_id = $1 AND gen = $2 LIMIT 1', [deviceId, gen]);
  return (r.rowCount ?? 0) > 0;
}

/** Staged pages: each section a page carries is a row of its own. */
export async function writeSectionPages(db: Queryable, deviceId: string, pages: readonly StagedPage[]): Promise<void> {
  const rows: { gen: number; section: string; ord: number; body: string }[] = [];
  for (const page of pages) {
    for (const section of REST_SECTIONS) {
      const body = (page.more as Record<string, unknown>)[section];
      if (body !== undefined) rows.push({ gen: page.gen, section, ord: page.ord, body: JSON.stringify(body) });
    }
  }
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO snapshot_sections (device_id, gen, section, ord, body)
     SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::integer[], $5::text[])
     ON CONFLICT (device_id, gen, section, ord) DO UPDATE SET body = excluded.body`,
    [deviceId, rows.map((r) => r.gen), rows.map((r) => r.section), rows.map((r) => r.ord), rows.map((r) => r.body)],
  );
}

/**
 * Replaces the rows of each of `sections` with its value (none when absent), in one statement: the
 * rows no longer there go, each present section's one row is written over or made (disjoint rows,
 * so one statement may do both). Was a DELETE and an INSERT per section.
 */
export async function writeSections(
  db: Queryable,
  deviceId: string,
  gen: number,
  sections: readonly RestSection[],
  rest: Partial<StoredInventory>,
): Promise<void> {
  if (sections.length === 0) return;
  const present: { section: RestSection; body: string }[] = [];
  for (const section of sections) {
    const body = sectionBody(rest, section);
    if (body !== undefined) present.push({ section, body: JSON.stringify(body) });
  }
  await db.query(
    prepared(
      `WITH gone AS (DELETE FROM snapshot_sections WHERE device_id = $1 AND gen = $2 AND section = ANY($3::text[])
         AND NOT (ord = 0 AND section = ANY($4::text[])))
       INSERT INTO snapshot_sections (device_id, gen, section, ord, body) SELECT $1, $2, t.section, 0, t.body FROM unnest($4::text[], $5::text[]) AS t(section, body)
       ON CONFLICT (device_id, gen, section, ord) DO UPDATE SET body = excluded.body`,
      [deviceId, gen, sections, present.map((p) => p.section), present.map((p) => p.body)],
    ),
  );
}

export async function removeSections(db: Queryable, deviceId: string, gen: number): Promise<void> {
  await db.query('DELETE FROM snapshot_sections WHERE device_id = $1 AND gen = $2', [deviceId, gen]);
}
