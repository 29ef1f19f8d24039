// The ticket templates IT offers, as the server last sent them (a `templates` message after every
// welcome and after each change). Kept in a file beside the outbox so that the tray's ticket form
// offers them while the machine is offline or before the first connection of this run.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { OutpostError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import type { ServerMessageMap } from '../../shared/protocol.js';
import {
  fillTemplate,
  TEMPLATE_LIMITS,
  TicketTemplateSchema,
  type FilledTemplate,
  type TemplateAnswers,
  type TicketTemplate,
} from '../../shared/templates.js';

const CacheFileSchema = z.object({
  receivedAt: z.string(),
  templates: z.array(TicketTemplateSchema).max(TEMPLATE_LIMITS.templates),
});
type CacheFile = z.infer<typeof CacheFileSchema>;

export interface TemplateCacheOptions {
  /** The cache file, e.g. <stateDir>/templates.json. */
  path: string;
  log: Logger;
  now?: () => Date;
}

export class TemplateCache {
  private state: CacheFile | null = null;

  constructor(private readonly opts: TemplateCacheOptions) {}

  /** Reads what an earlier run kept; an unreadable file is as good as none (the server sends them again). */
  start(): void {
    let text: string;
    try {
      text = readFileSync(this.opts.path, 'utf8');
    } catch {
      return;
    }
    try {
      this.state = CacheFileSchema.parse(JSON.parse(text));
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message.slice(0, 200) }, 'ticket templates file unreadable; waiting for the server');
    }
  }

  list(): { items: TicketTemplate[]; receivedAt: string | null } {
    return { items: this.state?.templates ?? [], receivedAt: this.state?.receivedAt ?? null };
  }

  /** The server's list replaces ours; written to a new file and renamed over, so a crash keeps one whole list. */
  apply(msg: ServerMessageMap['templates']): void {
    const next: CacheFile = { receivedAt: (this.opts.now ?? (() => new Date()))().toISOString(), templates: msg.templates };
    const tmp = `${this.opts.path}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify(next), { mode: 0o600 });
    renameSync(tmp, this.opts.path);
    this.state = next;
    this.opts.log.info({ templates: msg.templates.length }, 'ticket templates updated');
  }

  /** The person's answers checked against the template as this machine knows it. */
  fill(id: number, answers: TemplateAnswers): FilledTemplate {
    const template = this.state?.templates.find((t) => t.id === id);
    if (!template) {
      throw new OutpostError('E_BAD_REQUEST', 'IT no longer offers this ticket template; pick another one.', { field: 'template' });
    }
    return fillTemplate(template, answers);
  }
}
