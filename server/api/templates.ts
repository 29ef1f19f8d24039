// /api/templates: the ticket templates IT offers in the tray. Admins manage them; every connected
// agent is sent the whole list after each change (and each agent at its next welcome).
import type { FastifyInstance } from 'fastify';
import { TEMPLATE_LIMITS } from '../../shared/templates.js';
import { TemplateBody, TemplateParams } from '../../shared/http-schemas.js';
import type { TemplateWrite } from '../store/template-records.js';
import type { Store } from '../store/store.js';
import { sendError } from './errors.js';
import { route } from './route.js';
import type { FastifyReply } from 'fastify';

export interface TemplateRoutesContext {
  store: Store;
  now(): number;
  /** The list changed: connected agents get it now. */
  templatesChanged(): void;
}

function refused(reply: FastifyReply, name: string, w: Extract<TemplateWrite, { ok: false }>): FastifyReply {
  switch (w.reason) {
    case 'duplicate-name':
      return sendError(reply, 409, 'E_CONFLICT', `A template named ${JSON.stringify(name)} already exists.`);
    case 'full':
      return sendError(reply, 409, 'E_CONFLICT', `Outpost keeps at most ${TEMPLATE_LIMITS.templates} ticket templates; remove one first.`);
    case 'not-found':
      return sendError(reply, 404, 'E_NOT_FOUND', 'No such ticket template.');
  }
}

export function templateRoutes(app: FastifyInstance, ctx: TemplateRoutesContext): void {
  route(app, 'GET /api/templates', { summary: 'Ticket templates offered in the tray' }, async () => ({
    items: await ctx.store.templates.list(),
  }));

  route(app, 'POST /api/templates', { body: TemplateBody, summary: 'Add a ticket template (admin)' }, async ({ body, reply, send }) => {
    const written = await ctx.store.templates.create(body, ctx.now());
    if (!written.ok) return refused(reply, body.name, written);
    ctx.templatesChanged();
    return send(201, written.template);
  });

  route(
    app,
    'PUT /api/templates/:id',
    { params: TemplateParams, body: TemplateBody, summary: 'Replace a ticket template (admin)' },
    async ({ params, body, reply }) => {
      const written = await ctx.store.templates.update(params.id, body, ctx.now());
      if (!written.ok) return refused(reply, body.name, written);
      ctx.templatesChanged();
      return written.template;
    },
  );

  route(
    app,
    'DELETE /api/templates/:id',
    { params: TemplateParams, summary: 'Remove a ticket template; tickets raised with it keep their fields (admin)' },
    async ({ params, reply }) => {
      if (!(await ctx.store.templates.remove(params.id))) return sendError(reply, 404, 'E_NOT_FOUND', 'No such ticket template.');
      ctx.templatesChanged();
      return { ok: true };
    },
  );
}
