// A snapshot's sections other than software as rows per generation on PostgreSQL (what and why:
// ../sqlite/sections.ts, shared/stored-sections.ts). Pages go in one statement (arrays unnested).
import { REST_SECTIONS, sectionBody, type RestSection, type SectionPage } from '../../../shared/stored-sections.js';
import { displayColumns, postureColumns } from '../sqlite/rows.js';
import type { StagedPage, StoredInventory } from '../store.js';
import type { Queryable } from './tx.js';

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

/** Replaces a section's rows with its value (none when absent). */
export async function writeSection(
  db: Queryable,
  deviceId: string,
  gen: number,
  section: RestSection,
  rest: Partial<StoredInventory>,
): Promise<void> {
  await db.query('DELETE FROM snapshot_sections WHERE device_id = $1 AND gen = $2 AND section = $3', [deviceId, gen, section]);
  const body = sectionBody(rest, section);
  if (body === undefined) return;
  await db.query('INSERT INTO snapshot_sections (device_id, gen, section, ord, body) VALUES ($1, $2, $3, 0, $4)', [
    deviceId,
    gen,
    section,
    JSON.stringify(body),
  ]);
}

export async function removeSections(db: Queryable, deviceId: string, gen: number): Promise<void> {
  await db.query('DELETE FROM snapshot_sections WHERE device_id = $1 AND gen = $2', [deviceId, gen]);
}

/** The device row's columns that come from the sections, those the batch touched (../section-columns.ts). */
export async function writeSectionColumns(
  db: Queryable,
  deviceId: string,
  digest: string,
  rest: StoredInventory,
  which: { display: boolean; posture: boolean },
): Promise<void> {
  if (which.display) {
    const d = displayColumns(rest);
    await db.query(
      'UPDATE devices SET digest = $1, hostname = $2, manufacturer = $3, model = $4, os = $5, ip = $6, users = $7 WHERE id = $8',
      [digest, d.hostname, d.manufacturer, d.model, d.os, d.ip, d.users, deviceId],
    );
  }
  if (which.posture) {
    const p = postureColumns(rest);
    await db.query('UPDATE devices SET min_free_percent = $1, disk_encryption = $2, firewall = $3, reboot_required = $4 WHERE id = $5', [
      p.minFreePercent,
      p.diskEncryption,
      p.firewall,
      p.rebootRequired,
      deviceId,
    ]);
  }
}
