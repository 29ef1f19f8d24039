// The ticket templates IT offers, as the server last sent them (a `templates` message after every
// welcome and after each change), kept for offline use (../cached-list.ts).
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
import { CachedList } from '../cached-list.js';

export interface TemplateCacheOptions {
  /** The cache file, e.g. <stateDir>/templates.json. */
  path: string;
  log: Logger;
  now?: () => Date;
}

export class TemplateCache {
  private readonly kept: CachedList<TicketTemplate>;

  constructor(private readonly opts: TemplateCacheOptions) {
    this.kept = new CachedList({ ...opts, item: TicketTemplateSchema, max: TEMPLATE_LIMITS.templates });
  }

  start(): void {
    this.kept.start();
  }

  list(): { items: TicketTemplate[]; receivedAt: string | null } {
    return this.kept.list();
  }

  /** The server's list replaces ours. */
  apply(msg: ServerMessageMap['templates']): void {
    this.kept.replace(msg.templates);
    this.opts.log.info({ templates: msg.templates.length }, 'ticket templates updated');
  }

  /** The person's answers checked against the template as this machine knows it. */
  fill(id: number, answers: TemplateAnswers): FilledTemplate {
    const template = this.kept.list().items.find((t) => t.id === id);
    if (!template) {
      throw new OutpostError('E_BAD_REQUEST', 'IT no longer offers this ticket template; pick another one.', { field: 'template' });
    }
    return fillTemplate(template, answers);
  }
}
