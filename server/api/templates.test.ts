import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { after, before, it } from 'node:test';
import { TEMPLATE_LIMITS, type TicketTemplate } from '../../shared/templates.js';
import { testFleet, type TestFleet } from '../../test/support/server/fleet.js';
import { describeStores } from '../../test/support/stores.js';
import { templateRoutes } from './templates.js';

type Body<T> = T & { error?: { code: string; message: string } };

const printer = {
  name: 'Printer problem',
  hint: 'Nothing prints, paper jams',
  fields: [
    { type: 'text', key: 'printer', label: 'Which printer', required: true, maxChars: 60 },
    { type: 'choice', key: 'floor', label: 'Floor', choices: ['Ground', 'First'] },
    { type: 'yesno', key: 'others', label: 'Others affected' },
  ],
  desk: { rt: { queue: 'Printers', customFields: { Category: 'Printing' } }, autotask: { issueType: 'Hardware', subIssueType: 'Printer' } },
};

describeStores('ticket templates in the HTTP API', (engine) => {
  let fleet: TestFleet;
  let app: FastifyInstance;
  let changes = 0;
  const call = async <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.json<Body<T>>() };
  };

  before(async () => {
    fleet = await testFleet(engine);
    app = Fastify({ logger: false });
    templateRoutes(app, { store: fleet.store, now: () => Date.parse('2026-12-07T12:00:00Z'), templatesChanged: () => changes++ });
  });
  after(async () => {
    await app.close();
    await fleet.close();
  });

  it('adds a template with its typed fields and desk categorisation, lists it by name and tells the agents', async () => {
    const added = await call<TicketTemplate>('POST', '/api/templates', printer);
    assert.equal(added.status, 201);
    assert.deepEqual(added.body.fields[0], {
      type: 'text',
      key: 'printer',
      label: 'Which printer',
      required: true,
      maxChars: 60,
      multiline: false,
    });
    assert.deepEqual(added.body.desk, printer.desk);
    assert.equal(changes, 1);
    await call('POST', '/api/templates', { name: 'Access request', fields: [{ type: 'text', key: 'system', label: 'System' }] });
    const list = await call<{ items: TicketTemplate[] }>('GET', '/api/templates');
    assert.deepEqual(
      list.body.items.map((t) => t.name),
      ['Access request', 'Printer problem'],
    );
  });

  it('refuses a second template of the same name in any case, and a bad definition, changing nothing', async () => {
    const before = changes;
    const dup = await call('POST', '/api/templates', { ...printer, name: 'PRINTER PROBLEM' });
    assert.deepEqual([dup.status, dup.body.error?.code], [409, 'E_CONFLICT']);
    const bad = await call('POST', '/api/templates', { name: 'X', fields: [{ type: 'choice', key: 'c', label: 'C', choices: [] }] });
    assert.deepEqual([bad.status, bad.body.error?.code], [400, 'E_BAD_REQUEST']);
    assert.match(bad.body.error!.message, /choice/);
    const unknownType = await call('POST', '/api/templates', { name: 'X', fields: [{ type: 'date', key: 'c', label: 'C' }] });
    assert.equal(unknownType.status, 400);
    assert.equal(changes, before);
    assert.equal((await call<{ items: unknown[] }>('GET', '/api/templates')).body.items.length, 2);
  });

  it('replaces and removes a template; an unknown id is 404', async () => {
    const list = await call<{ items: TicketTemplate[] }>('GET', '/api/templates');
    const access = list.body.items.find((t) => t.name === 'Access request')!;
    const put = await call<TicketTemplate>('PUT', `/api/templates/${access.id}`, {
      name: 'Access request',
      fields: [{ type: 'yesno', key: 'manager_ok', label: 'Manager agreed', required: true }],
    });
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.fields, [{ type: 'yesno', key: 'manager_ok', label: 'Manager agreed', required: true }]);
    const clash = await call('PUT', `/api/templates/${access.id}`, { name: 'printer problem' });
    assert.equal(clash.status, 409);
    assert.equal((await call('DELETE', `/api/templates/${access.id}`)).status, 200);
    assert.equal((await call('DELETE', `/api/templates/${access.id}`)).status, 404);
    assert.equal((await call('PUT', '/api/templates/999', { name: 'Y' })).status, 404);
    assert.equal((await call('PUT', '/api/templates/abc', { name: 'Y' })).status, 400);
  });

  it(`keeps at most ${TEMPLATE_LIMITS.templates} templates`, async () => {
    const have = (await call<{ items: unknown[] }>('GET', '/api/templates')).body.items.length;
    for (let i = have; i < TEMPLATE_LIMITS.templates; i++)
      assert.equal((await call('POST', '/api/templates', { name: `T${i}` })).status, 201);
    const over = await call('POST', '/api/templates', { name: 'One too many' });
    assert.deepEqual([over.status, over.body.error?.code], [409, 'E_CONFLICT']);
  });
});
