// Ticket templates in PostgreSQL (see ../sqlite/templates.ts): one row per template, its definition
// as JSON read back through the shared schema. Writes take one advisory lock so that the count limit
// and the name check hold when several server processes write at once.
import type pg from 'pg';
import { TEMPLATE_LIMITS } from '../../../shared/templates.js';
import { definitionJson, toTemplate, type TemplateRow } from '../sqlite/templates.js';
import type { TemplateDefinition, TemplateStore, TemplateWrite, TicketTemplate } from '../template-records.js';
import { inTransaction, type Queryable } from './tx.js';

/** Any one number, distinct from the other advisory locks (migrations, fleet-wide parts). */
const TEMPLATE_LOCK = 0x6f707474;

export class PgTemplateStore implements TemplateStore {
  constructor(private readonly pool: pg.Pool) {}

  async list(): Promise<TicketTemplate[]> {
    const r = await this.pool.query<TemplateRow>('SELECT * FROM ticket_templates ORDER BY lower(name), id');
    return r.rows.map(toTemplate);
  }

  async get(id: number): Promise<TicketTemplate | null> {
    return read(this.pool, id);
  }

  create(d: TemplateDefinition, at: number): Promise<TemplateWrite> {
    return inTransaction(this.pool, async (client): Promise<TemplateWrite> => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [TEMPLATE_LOCK]);
      const count = (await client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM ticket_templates')).rows[0]!.n;
      if (count >= TEMPLATE_LIMITS.templates) return { ok: false, reason: 'full' };
      if (await nameTaken(client, d.name, null)) return { ok: false, reason: 'duplicate-name' };
      const r = await client.query<{ id: number }>(
        'INSERT INTO ticket_templates (name, definition, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id',
        [d.name, definitionJson(d), at],
      );
      return { ok: true, template: (await read(client, r.rows[0]!.id))! };
    });
  }

  update(id: number, d: TemplateDefinition, at: number): Promise<TemplateWrite> {
    return inTransaction(this.pool, async (client): Promise<TemplateWrite> => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [TEMPLATE_LOCK]);
      const found = await client.query('SELECT 1 FROM ticket_templates WHERE id = $1', [id]);
      if (found.rowCount === 0) return { ok: false, reason: 'not-found' };
      if (await nameTaken(client, d.name, id)) return { ok: false, reason: 'duplicate-name' };
      await client.query('UPDATE ticket_templates SET name = $1, definition = $2, updated_at = $3 WHERE id = $4', [
        d.name,
        definitionJson(d),
        at,
        id,
      ]);
      return { ok: true, template: (await read(client, id))! };
    });
  }

  async remove(id: number): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM ticket_templates WHERE id = $1', [id])).rowCount ?? 0) === 1;
  }
}

async function read(db: Queryable, id: number): Promise<TicketTemplate | null> {
  const row = (await db.query<TemplateRow>('SELECT * FROM ticket_templates WHERE id = $1', [id])).rows[0];
  return row ? toTemplate(row) : null;
}

async function nameTaken(db: Queryable, name: string, except: number | null): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM ticket_templates WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2', [name, except]);
  return (r.rowCount ?? 0) > 0;
}
