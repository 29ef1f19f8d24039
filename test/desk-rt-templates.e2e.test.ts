// Ticket templates end to end: a real server with a real RT 5 (test/support/rt.ts), a real agent and
// its local API as the tray calls it. IT adds a template with RT categorisation through the API; the
// agent receives it, keeps it for offline use, checks the person's answers, and the ticket reaches
// RT in the template's queue, with its custom field set and the filled fields in the description.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callLocalAgent } from '../agent/local-api/client.js';
import { isOutpostError } from '../shared/errors.js';
import type { TicketTemplate } from '../shared/templates.js';
import { deskKey } from '../server/desk/sync/keys.js';
import {
  createToken,
  run,
  startAgent,
  tempDir,
  waitFor,
  waitForDevice,
  waitForOutput,
  type AgentProc,
  type Proc,
} from './support/outpost.js';
import { rtRest, rtSkip, startRt, type RtInstance } from './support/rt.js';
import { deadline } from './support/deadline.js';

const ADMIN_TOKEN = 'e2e-admin-token-templates-0123456789';
/** What an RT admin set up for printer tickets: a queue and a ticket custom field. */
const RT_SETUP = `@Queues = ({ Name => 'Printers', Description => 'Printer problems' });
@CustomFields = ({ Name => 'Category', Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket' });
1;
`;

describe('ticket templates from the console to a real RT', { skip: rtSkip() }, () => {
  const dir = tempDir();
  const stateDir = join(dir, 'agent');
  let rt: RtInstance;
  let server: Proc & { url: string; api<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> };
  let agent: AgentProc;
  let deviceId: string;
  let template: TicketTemplate;

  const local = <M extends Parameters<typeof callLocalAgent>[1]>(method: M, params: Parameters<typeof callLocalAgent<M>>[2]) =>
    callLocalAgent(stateDir, method, params, { timeoutMs: deadline(10_000) });

  before(async () => {
    rt = await startRt({ extraData: RT_SETUP });
    const secretFile = join(dir, 'rt-token');
    writeFileSync(secretFile, rt.token, { mode: 0o600 });
    const p = run(
      [
        'server',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--data',
        join(dir, 'server'),
        '--desk',
        'rt',
        '--desk-url',
        rt.url,
        '--desk-user',
        rt.user,
        '--desk-secret-file',
        secretFile,
        '--desk-requester-domain',
        'example.com',
      ],
      { OUTPOST_ADMIN_TOKEN: ADMIN_TOKEN },
    );
    const [, url] = await waitForOutput(p, /listening on (http:\/\/\S+)/);
    server = {
      ...p,
      url: url!,
      api: async <T>(path: string, init: RequestInit = {}) => {
        const res = await fetch(`${url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
        });
        return { status: res.status, body: (await res.json()) as T };
      },
    };
    const added = await server.api<TicketTemplate>('/api/templates', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Printer problem',
        hint: 'Nothing prints, paper jams, bad quality',
        fields: [
          { type: 'text', key: 'printer', label: 'Which printer', required: true, maxChars: 80 },
          { type: 'choice', key: 'floor', label: 'Floor', choices: ['Ground', 'First', 'Second'] },
          { type: 'yesno', key: 'others', label: 'Others affected', required: true },
        ],
        desk: { rt: { queue: 'Printers', customFields: { Category: 'Printing' } } },
      }),
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    template = added.body;
    agent = startAgent(server.url, stateDir, await createToken(join(dir, 'server')));
    deviceId = (await waitForDevice({ ...server, adminToken: ADMIN_TOKEN })).id;
  });

  after(async () => {
    await agent?.kill();
    await server?.kill();
    await rt?.stop();
  });

  it("offers IT's templates through the agent's local API", async () => {
    const list = await waitFor(
      async () => {
        const r = await local('templates.list', {});
        return r.items.length ? r : undefined;
      },
      20_000,
      'the templates to reach the agent',
    );
    assert.deepEqual(list.items, [template]);
    assert.ok(list.receivedAt);
  });

  it('refuses answers that do not fit the template, naming the field, and queues nothing', async () => {
    const before = (await local('ticket.list', {})).items.length;
    await assert.rejects(
      local('ticket.create', { subject: 'Printer', description: 'It jams', template: { id: template.id, answers: { others: true } } }),
      (e) => isOutpostError(e) && e.code === 'E_BAD_REQUEST' && /Which printer is required/.test(e.message),
    );
    await assert.rejects(
      local('ticket.create', {
        subject: 'Printer',
        description: 'It jams',
        template: { id: template.id, answers: { printer: 'HP', others: true, floor: 'Roof' } },
      }),
      (e) => isOutpostError(e) && /Floor must be one of/.test(e.message),
    );
    assert.equal((await local('ticket.list', {})).items.length, before);
  });

  it("creates the RT ticket in the template's queue, with its custom field and the filled fields in the description", async () => {
    const { ref } = await local('ticket.create', {
      subject: 'Printer on floor 1 prints blank pages',
      description: 'Since the toner change every page comes out blank.',
      template: { id: template.id, answers: { printer: 'HP LaserJet M404 (PRN-1F)', floor: 'First', others: true } },
    });
    const key = deskKey('ticket', deviceId, ref);
    const query = encodeURIComponent(`'CF.{Outpost Key}' = '${key}'`);
    const id = await waitFor(
      async () => (await rtRest<{ items: { id: string }[] }>(rt, 'GET', `/tickets?query=${query}`)).body.items[0]?.id,
      30_000,
      'the RT ticket',
    );
    const ticket = (await rtRest<{ Queue: { id: string }; CustomFields: { name: string; values: string[] }[] }>(rt, 'GET', `/ticket/${id}`))
      .body;
    const queue = (await rtRest<{ Name: string }>(rt, 'GET', `/queue/${ticket.Queue.id}`)).body;
    assert.equal(queue.Name, 'Printers');
    assert.deepEqual(ticket.CustomFields.find((f) => f.name === 'Category')?.values, ['Printing']);
    const attachments = await rtRest<{ items: { Content?: string; ContentType?: string }[] }>(
      rt,
      'GET',
      `/ticket/${id}/attachments?fields=Content,ContentType`,
    );
    const text = attachments.body.items
      .filter((a) => a.ContentType === 'text/plain' && a.Content)
      .map((a) => a.Content!)
      .join('\n');
    assert.match(
      text,
      /Since the toner change every page comes out blank\.\n\n--- Printer problem ---\nWhich printer: HP LaserJet M404 \(PRN-1F\)\nFloor: First\nOthers affected: Yes\n/,
    );
    const stored = await server.api<{ items: { id: number; ref: string }[] }>(`/api/tickets?device=${deviceId}`);
    const outpostId = stored.body.items.find((t) => t.ref === ref)!.id;
    const detail = await server.api<{ template: { name: string; fields: { key: string; value: unknown }[] } }>(`/api/tickets/${outpostId}`);
    assert.equal(detail.body.template.name, 'Printer problem');
    assert.deepEqual(
      detail.body.template.fields.map((f) => [f.key, f.value]),
      [
        ['printer', 'HP LaserJet M404 (PRN-1F)'],
        ['floor', 'First'],
        ['others', true],
      ],
    );
  });

  it('keeps offering the templates and takes a ticket with one after a restart while the server is away', async () => {
    await server.kill();
    await agent.kill();
    agent = startAgent(server.url, stateDir);
    const offline = await waitFor(() => local('templates.list', {}).catch(() => undefined), 20_000, 'the restarted agent');
    assert.deepEqual(
      offline.items.map((t) => t.name),
      ['Printer problem'],
    );
    const { ref } = await local('ticket.create', {
      subject: 'Printer offline test',
      description: 'Raised while the server is away.',
      template: { id: template.id, answers: { printer: 'PRN-2F', others: false } },
    });
    assert.ok(ref);
  });
});
