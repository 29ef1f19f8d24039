import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import type { HttpRoute } from '../../shared/http-api.js';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { requireDeclaredRoutes, route } from './route.js';

type Operation = OpenApiDoc['paths'][string][string];

interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<
      string,
      {
        summary?: string;
        parameters?: { name: string; in: string; required?: boolean }[];
        requestBody?: { content: Record<string, { schema: { required?: string[]; properties: Record<string, { enum?: string[] }> } }> };
      }
    >
  >;
}

/**
 * Every route of the shared map (the compiler refuses this table if one is missing or extra), with
 * the path and query parameters and body fields the reference must show for it.
 */
const DOCUMENTED: Record<HttpRoute, string[]> = {
  'GET /api/health': [],
  'GET /api/openapi.json': [],
  'GET /api/session': [],
  'POST /api/session': ['body:password', 'body:username'],
  'DELETE /api/session': [],
  'GET /api/events': [],
  'GET /api/devices': [
    'query:encryption',
    'query:firewall',
    'query:limit',
    'query:lowDisk',
    'query:offset',
    'query:online',
    'query:order',
    'query:os',
    'query:q',
    'query:rebootRequired',
    'query:seenAfter',
    'query:seenBefore',
    'query:sort',
  ],
  'GET /api/devices/:id': ['path:id'],
  'GET /api/devices/:id/software': ['path:id', 'query:q'],
  'GET /api/devices/:id/changes': ['path:id', 'query:before', 'query:limit'],
  'POST /api/devices/:id/scan': ['path:id'],
  'GET /api/devices/:id/identity': ['path:id'],
  'POST /api/devices/:id/merge': ['body:into', 'path:id'],
  'GET /api/software': ['query:limit', 'query:offset', 'query:prohibited', 'query:q'],
  'GET /api/software/detail': ['query:limit', 'query:name', 'query:offset'],
  'GET /api/prohibited': [],
  'POST /api/prohibited': ['body:pattern'],
  'DELETE /api/prohibited': ['query:pattern'],
  'GET /api/prohibited/exemptions': [],
  'DELETE /api/prohibited/exemptions': ['query:deviceId', 'query:name'],
  'GET /api/templates': [],
  'POST /api/templates': ['body:desk', 'body:fields', 'body:hint', 'body:name'],
  'PUT /api/templates/:id': ['body:desk', 'body:fields', 'body:hint', 'body:name', 'path:id'],
  'DELETE /api/templates/:id': ['path:id'],
  'GET /api/tokens': [],
  'POST /api/tokens': ['body:caPem', 'body:expiresInHours', 'body:label', 'body:uses'],
  'DELETE /api/tokens/:id': ['path:id'],
  'GET /api/tickets': ['query:before', 'query:device', 'query:limit', 'query:q', 'query:status'],
  'GET /api/tickets/:id': ['path:id'],
  'GET /api/tickets/:id/attachments/:attachmentId': ['path:attachmentId', 'path:id'],
  'PATCH /api/tickets/:id': ['body:status', 'path:id'],
  'POST /api/tickets/:id/notes': ['body:author', 'body:text', 'body:visibility', 'path:id'],
  'GET /api/desk/status': [],
  'POST /api/desk/jobs/:id/retry': ['path:id'],
  'POST /api/desk/preflight': [],
  'POST /api/desk/catalog/sync': [],
  'POST /api/desk/packages/sync': [],
  'GET /api/desk/queues': [],
  'GET /api/devices/:id/tickets': ['path:id'],
  'POST /api/devices/:id/tickets': ['body:description', 'body:priority', 'body:queue', 'body:requester', 'body:subject', 'path:id'],
  'GET /api/devices/:id/logbook': ['path:id', 'query:before', 'query:limit'],
  'GET /api/packages': [],
  'POST /api/packages/files': ['query:name', 'query:sha256'],
  'POST /api/packages': [
    'body:args',
    'body:detection',
    'body:installer',
    'body:managerPackage',
    'body:name',
    'body:platforms',
    'body:retries',
    'body:selfService',
    'body:sha256',
    'body:timeoutSeconds',
    'body:version',
  ],
  'GET /api/packages/:id': ['path:id'],
  'DELETE /api/packages/:id': ['path:id'],
  'GET /api/deployments': ['query:deviceId', 'query:limit', 'query:packageId'],
  'POST /api/deployments': ['body:notAfter', 'body:notBefore', 'body:packageId', 'body:targets', 'body:ticketId'],
  'GET /api/deployments/:id': ['path:id'],
  'GET /api/users': [],
  'POST /api/users': ['body:role', 'body:username'],
  'PATCH /api/users/:username': ['body:role', 'path:username'],
  'DELETE /api/users/:username': ['path:username'],
  'PUT /api/users/settings': ['body:deskSignIn', 'body:seats', 'body:technicianRole'],
};

function documentedInputs(op: Operation): string[] {
  const params = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
  const body = Object.keys(op.requestBody?.content['application/json']?.schema.properties ?? {}).map((name) => `body:${name}`);
  return [...params, ...body].sort();
}

describe('GET /api/openapi.json', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  it('documents every route of the API, with a summary and its path, query and body inputs', async () => {
    const { status, body } = await h.api<OpenApiDoc>('/api/openapi.json');
    assert.equal(status, 200);
    const documented = Object.entries(body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    assert.deepEqual(documented.sort(), Object.keys(DOCUMENTED).sort(), 'the reference holds exactly the routes of the shared map');
    for (const [name, inputs] of Object.entries(DOCUMENTED)) {
      const [method, path] = name.split(' ') as [string, string];
      const op = body.paths[path.replace(/:(\w+)/g, '{$1}')]![method.toLowerCase()]!;
      assert.ok(op.summary, `${name} has a summary`);
      assert.deepEqual(documentedInputs(op), inputs, `${name} documents its inputs`);
    }
  });

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

describe('requireDeclaredRoutes', () => {
  it('refuses to start an API with an /api route that is not in the shared map', async () => {
    const app = Fastify();
    requireDeclaredRoutes(app);
    route(app, 'GET /api/health', { summary: 'fine' }, async () => ({ ok: true as const, version: '1' }));
    app.get('/not-api', async () => 'fine: outside /api');
    app.post('/api/backdoor', async () => ({}));
    await assert.rejects(async () => app.ready(), /POST \/api\/backdoor/);
    await app.close().catch(() => undefined);
  });
});

// Compile-time checks (tsc runs over this file in `npm run build`): a handler must answer what the
// shared map says its route answers. Never called.
export function typedRoutes(): void {
  const app = Fastify();
  const doc = { summary: 'compile-time check' };
  route(app, 'GET /api/health', doc, async () => ({ ok: true as const, version: '1' }));
  // @ts-expect-error the map says GET /api/health answers { ok: true; version: string }
  route(app, 'GET /api/health', doc, async () => ({ ok: 'yes' }));
  // @ts-expect-error no such route in the map
  route(app, 'GET /api/nothing', doc, async () => ({}));
  // @ts-expect-error a 201 answer is checked against the map too
  route(app, 'POST /api/prohibited', doc, async ({ send }) => send(201, { pattern: 'x' }));
  // @ts-expect-error a route that answers a stream or a file has no JSON body to return
  route(app, 'GET /api/events', doc, async () => ({}));
}
