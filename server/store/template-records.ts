// Ticket templates as the store keeps them (shared/templates.ts has the shapes and the checks).
import type { TemplateInput, TicketTemplate } from '../../shared/templates.js';
import type { z } from 'zod';
import type { TemplateInputSchema } from '../../shared/templates.js';

/** A template definition after validation and defaults. */
export type TemplateDefinition = z.output<typeof TemplateInputSchema>;
export type { TemplateInput, TicketTemplate };

export type TemplateWrite = { ok: true; template: TicketTemplate } | { ok: false; reason: 'duplicate-name' | 'not-found' | 'full' };

export interface TemplateStore {
  /** By name, case-insensitively. */
  list(): Promise<TicketTemplate[]>;
  get(id: number): Promise<TicketTemplate | null>;
  /** Refused when another template has the name (any case) or the store holds the most it may. */
  create(definition: TemplateDefinition, at: number): Promise<TemplateWrite>;
  update(id: number, definition: TemplateDefinition, at: number): Promise<TemplateWrite>;
  /** False when there was no such template. Tickets raised with it keep their filled fields. */
  remove(id: number): Promise<boolean>;
}
