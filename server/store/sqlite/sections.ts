// A snapshot's sections other than software as rows per generation (migration 17,
// shared/stored-sections.ts): read one section at a time, written one page or one section at a time.
import type Database from 'better-sqlite3';
import { lazyRest, REST_SECTIONS, sectionBody, type RestSection, type SectionPage } from '../../../shared/stored-sections.js';
import type { StagedPage, StoredInventory } from '../store.js';
import { displayColumns, postureColumns } from './rows.js';

export function createSectionStatements(db: Database.Database) {
  const read = db.prepare<[string, number, string], { ord: number; body: string }>(
    'SELECT ord, body FROM snapshot_sections WHERE device_id = ? AND gen = ? AND section = ?',
  );
  const insert = db.prepare('INSERT OR REPLACE INTO snapshot_sections (device_id, gen, section, ord, body) VALUES (?, ?, ?, ?, ?)');
  const removeSection = db.prepare('DELETE FROM snapshot_sections WHERE device_id = ? AND gen = ? AND section = ?');
  const removeGen = db.prepare('DELETE FROM snapshot_sections WHERE device_id = ? AND gen = ?');
  const hasGen = db.prepare<[string, number], { one: number }>(
    'SELECT 1 AS one FROM snapshot_sections WHERE device_id = ? AND gen = ? LIMIT 1',
  );
  const writeDisplay = db.prepare(`
    UPDATE devices SET digest = @digest, hostname = @hostname, manufacturer = @manufacturer, model = @model, os = @os, ip = @ip,
      users = @users
    WHERE id = @id`);
  const writePosture = db.prepare(`
    UPDATE devices SET min_free_percent = @minFreePercent, disk_encryption = @diskEncryption, firewall = @firewall,
      reboot_required = @rebootRequired
    WHERE id = @id`);

  const pages = (deviceId: string, gen: number, section: RestSection): SectionPage[] =>
    read.all(deviceId, gen, section).map((r) => ({ ord: r.ord, body: JSON.parse(r.body) as unknown }));

  return {
    pages,
    /** The sections of a generation, each read when first asked for. */
    rest: (deviceId: string, gen: number): StoredInventory => lazyRest((section) => pages(deviceId, gen, section)),
    hasGen: (deviceId: string, gen: number): boolean => hasGen.get(deviceId, gen) !== undefined,
    /** A staged page: each section it carries is a row of its own. */
    writePage(deviceId: string, page: StagedPage): void {
      for (const section of REST_SECTIONS) {
        const body = (page.more as Record<string, unknown>)[section];
        if (body !== undefined) insert.run(deviceId, page.gen, section, page.ord, JSON.stringify(body));
      }
    },
    /** Replaces a section's rows with its value (none when absent). */
    writeSection(deviceId: string, gen: number, section: RestSection, rest: Partial<StoredInventory>): void {
      removeSection.run(deviceId, gen, section);
      const body = sectionBody(rest, section);
      if (body !== undefined) insert.run(deviceId, gen, section, 0, JSON.stringify(body));
    },
    removeGen: (deviceId: string, gen: number) => removeGen.run(deviceId, gen),
    /** The device row's columns that come from the sections, those the batch touched (section-columns.ts). */
    writeColumns(deviceId: string, digest: string, rest: StoredInventory, which: { display: boolean; posture: boolean }): void {
      if (which.display) writeDisplay.run({ id: deviceId, digest, ...displayColumns(rest) });
      if (which.posture) {
        const p = postureColumns(rest);
        writePosture.run({ id: deviceId, ...p, rebootRequired: p.rebootRequired === null ? null : Number(p.rebootRequired) });
      }
    },
  };
}
