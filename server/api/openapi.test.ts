import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { route } from './route.js';

interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string; required?: boolean }[];
        requestBody?: { content: Record<string, { schema: { required?: string[]; properties: Record<string, { enum?: string[] }> } }> };
      }
    >
  >;
}

describe('GET /api/openapi.json', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  it('describes the ticket routes from the same schemas the server checks requests with', async () => {
    const { status, body } = await h.api<OpenApiDoc>('/api/openapi.json');
    assert.equal(status, 200);
    assert.match(body.openapi, /^3\./);
    const list = body.paths['/api/tickets']?.get;
    assert.deepEqual(list?.parameters?.map((p) => `${p.in}:${p.name}`).sort(), [
      'query:before',
      'query:device',
      'query:limit',
      'query:q',
      'query:status',
    ]);
    const note = body.paths['/api/tickets/{id}/notes']?.post;
    assert.deepEqual(
      note?.parameters?.map((p) => `${p.in}:${p.name}:${p.required}`),
      ['path:id:true'],
    );
    const schema = note?.requestBody?.content['application/json']?.schema;
    assert.deepEqual(schema?.required, ['text', 'visibility']);
    assert.deepEqual(schema?.properties.visibility?.enum, ['customer', 'internal']);
    assert.deepEqual(body.paths['/api/tickets/{id}']?.patch?.requestBody?.content['application/json']?.schema.properties.status?.enum, [
      'new',
      'open',
      'pending',
      'resolved',
      'closed',
    ]);
  });

  it('needs the admin token or a session, like the rest of the API', async () => {
    const { status, body } = await h.api('/api/openapi.json', { token: null });
    assert.equal(status, 401);
    assert.equal(body.error.code, 'E_UNAUTHORIZED');
  });

  it('leaves request checking to the zod schemas: same 400 shape and message as before', async () => {
    const { status, body } = await h.api('/api/tickets?limit=0');
    assert.equal(status, 400);
    assert.equal(body.error.code, 'E_BAD_REQUEST');
    assert.match(body.error.message, /^Bad query parameter limit: /);
    const patch = await h.api('/api/tickets/1', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'gone' }),
    });
    assert.equal(patch.status, 400);
    assert.equal(patch.body.error.message, 'Bad body field status: must be one of new, open, pending, resolved, closed.');
  });
});

// Compile-time checks (tsc runs over this file in `npm run build`): a handler must answer what the
// shared map says its route answers. Never called.
export function typedRoutes(): void {
  const app = Fastify();
  route(app, 'GET /api/health', {}, async () => ({ ok: true as const, version: '1' }));
  // @ts-expect-error the map says GET /api/health answers { ok: true; version: string }
  route(app, 'GET /api/health', {}, async () => ({ ok: 'yes' }));
  // @ts-expect-error no such route in the map
  route(app, 'GET /api/nothing', {}, async () => ({}));
}
