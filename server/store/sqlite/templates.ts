// Ticket templates in SQLite: one row per template, its definition as JSON (read back through the
// shared schema, so a row written by an older server is checked like any input).
import type Database from 'better-sqlite3';
import { TEMPLATE_LIMITS, TicketTemplateSchema } from '../../../shared/templates.js';
import type { TemplateDefinition, TemplateStore, TemplateWrite, TicketTemplate } from '../template-records.js';

export interface TemplateRow {
  id: number;
  name: string;
  definition: string;
  updated_at: number;
}

export function toTemplate(row: TemplateRow): TicketTemplate {
  const def = JSON.parse(row.definition) as Omit<TemplateDefinition, 'name'>;
  return TicketTemplateSchema.parse({
    id: row.id,
    name: row.name,
    hint: def.hint,
    fields: def.fields,
    desk: def.desk,
    updatedAt: new Date(row.updated_at).toISOString(),
  });
}

export const definitionJson = (d: TemplateDefinition) => JSON.stringify({ hint: d.hint, fields: d.fields, desk: d.desk });

export class SqliteTemplateStore implements TemplateStore {
  constructor(private readonly db: Database.Database) {}

  async list(): Promise<TicketTemplate[]> {
    return this.db.prepare<[], TemplateRow>('SELECT * FROM ticket_templates ORDER BY name COLLATE NOCASE, id').all().map(toTemplate);
  }

  async get(id: number): Promise<TicketTemplate | null> {
    const row = this.db.prepare<[number], TemplateRow>('SELECT * FROM ticket_templates WHERE id = ?').get(id);
    return row ? toTemplate(row) : null;
  }

  async create(d: TemplateDefinition, at: number): Promise<TemplateWrite> {
    return this.db
      .transaction((): TemplateWrite => {
        const count = this.db.prepare('SELECT COUNT(*) FROM ticket_templates').pluck().get() as number;
        if (count >= TEMPLATE_LIMITS.templates) return { ok: false, reason: 'full' };
        if (this.nameTaken(d.name, null)) return { ok: false, reason: 'duplicate-name' };
        const { lastInsertRowid } = this.db
          .prepare('INSERT INTO ticket_templates (name, definition, created_at, updated_at) VALUES (?, ?, ?, ?)')
          .run(d.name, definitionJson(d), at, at);
        return { ok: true, template: this.read(Number(lastInsertRowid)) };
      })
      .immediate();
  }

  async update(id: number, d: TemplateDefinition, at: number): Promise<TemplateWrite> {
    return this.db
      .transaction((): TemplateWrite => {
        if (!this.db.prepare('SELECT 1 FROM ticket_templates WHERE id = ?').get(id)) return { ok: false, reason: 'not-found' };
        if (this.nameTaken(d.name, id)) return { ok: false, reason: 'duplicate-name' };
        this.db
          .prepare('UPDATE ticket_templates SET name = ?, definition = ?, updated_at = ? WHERE id = ?')
          .run(d.name, definitionJson(d), at, id);
        return { ok: true, template: this.read(id) };
      })
      .immediate();
  }

  async remove(id: number): Promise<boolean> {
    return this.db.prepare('DELETE FROM ticket_templates WHERE id = ?').run(id).changes === 1;
  }

  private nameTaken(name: string, except: number | null): boolean {
    return this.db.prepare('SELECT 1 FROM ticket_templates WHERE name = ? AND id IS NOT ?').get(name, except) !== undefined;
  }

  private read(id: number): TicketTemplate {
    return toTemplate(this.db.prepare<[number], TemplateRow>('SELECT * FROM ticket_templates WHERE id = ?').get(id)!);
  }
}
