// The Autotask connector against the contract server built from Datto's documentation. Each test
// ends by asserting that the server saw no off-contract call.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { AutotaskConnector } from '../../../server/desk/autotask/connector.js';
import { integrationLevel } from '../../../server/desk/connector.js';
import { isDeskError } from '../../../server/desk/errors.js';
import { addNoteOnce, addWorklogOnce, createTicketOnce } from '../../../server/desk/once.js';
import { cursorFrom, type NewDeskTicket } from '../../../server/desk/types.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { AutotaskContractServer } from './contract-server.js';

const CREDS = { integrationCode: 'TRACKINGID0123456789ABCDEFG', user: 'outpost-api@example.com', secret: 's3cret-autotask' };
let clock = Date.parse('2026-03-01T09:00:00Z');
const now = () => clock;

const ticket = (key: string, extra: Partial<NewDeskTicket> = {}): NewDeskTicket => ({
  idempotencyKey: key,
  requesterEmail: 'alice@example.com',
  requesterName: 'Alice Example',
  subject: 'Printer on fire',
  description: 'It burns.\nDevice: ws-42',
  priority: 'high',
  ...extra,
});

describe('Autotask connector against the documented contract', () => {
  const server = new AutotaskContractServer({ ...CREDS, now });
  const log = new RecordingLogger();
  let url = '';
  let desk: AutotaskConnector;
  const tom = server.addResource('Tom', 'Tech', 'tom@example.com');

  before(async () => {
    url = await server.start();
    desk = new AutotaskConnector({ ...CREDS, discoveryUrl: url, ticketKeyUdf: 'Outpost Key', companyId: 0 }, log, undefined, now);
  });
  after(() => server.stop());
  beforeEach(() => {
    clock += 60_000;
  });

  it('is two-way, finds its zone through ZoneInformation and answers a health check', async () => {
    assert.equal(integrationLevel(desk.capabilities), 'two-way');
    assert.deepEqual([desk.capabilities.attachments, desk.capabilities.softwareCatalog], [false, false]);
    await desk.checkHealth();
    assert.deepEqual(server.calls.slice(0, 2), [
      'GET /atservicesrest/v1.0/zoneInformation',
      'GET /ATServicesRest/v1.0/ThresholdInformation',
    ]);
    assert.deepEqual(server.violations, []);
  });

  it('names wrong credentials as a non-retryable auth error', async () => {
    const wrong = new AutotaskConnector({ ...CREDS, secret: 'nope', discoveryUrl: url }, silentLogger);
    await assert.rejects(wrong.checkHealth(), (e) => isDeskError(e) && e.code === 'E_DESK_AUTH' && !e.retryable);
    server.violations.length = 0;
  });

  it("creates a ticket on the device's company with its configuration item, contact, status New and the key", async () => {
    const ci = server.addDevice({ referenceTitle: 'ws-42', serialNumber: 'SN-42', companyID: 174 });
    const [found] = await desk.findAssets({ by: 'serviceTag', value: 'SN-42' });
    assert.equal(found?.id, String(ci.id));
    assert.equal(await desk.readAssetField(found.id, 'companyID'), '174');
    const { id, created } = await createTicketOnce(desk, ticket('key-at-create-01', { assetId: found.id }));
    assert.equal(created, true);
    const raw = server.state.get('Tickets', Number(id));
    assert.deepEqual([raw.companyID, raw.configurationItemID, raw.status, raw.priority, raw.title], [174, ci.id, 1, 1, 'Printer on fire']);
    const contact = server.state.get('Contacts', raw.contactID as number);
    assert.deepEqual(
      [contact.emailAddress, contact.firstName, contact.lastName, contact.companyID],
      ['alice@example.com', 'Alice', 'Example', 174],
    );
    const t = await desk.fetchTicket(id);
    assert.deepEqual(
      [t.status, t.deskStatus, t.priority, t.idempotencyKey, t.requesters, t.assetIds],
      ['new', 'New', 'high', 'key-at-create-01', ['alice@example.com'], [String(ci.id)]],
    );
    const again = await createTicketOnce(desk, ticket('key-at-create-01', { assetId: found.id }));
    assert.deepEqual([again.created, again.id], [false, id], 'a retry finds the first ticket by its key');
    assert.deepEqual(server.violations, []);
  });

  it("files a ticket from a ticket template under the template's issue type and the sub-issue type of that issue type", async () => {
    const { id } = await createTicketOnce(
      desk,
      ticket('key-at-tmpl-0001', { classification: { autotask: { issueType: 'Software', subIssueType: 'other' } } }),
    );
    const raw = server.state.get('Tickets', Number(id));
    assert.deepEqual([raw.issueType, raw.subIssueType], [11, 204], 'the "Other" under Software, not the one under Hardware');
    await assert.rejects(
      desk.createTicket(ticket('key-at-tmpl-0002', { classification: { autotask: { issueType: 'Software', subIssueType: 'Printer' } } })),
      (e) => isDeskError(e) && e.code === 'E_DESK_REJECTED' && /subIssueType has no value labelled "Printer"/.test(e.message),
    );
    assert.deepEqual(server.violations, []);
  });

  it('adds customer-facing and internal notes by publish level, once each, and reads them back as its own', async () => {
    const id = await desk.createTicket(ticket('key-at-notes-01'));
    const note = { ticketId: id, visibility: 'public' as const, text: 'We are on our way.', idempotencyKey: 'key-at-note-0001' };
    const first = await addNoteOnce(desk, note);
    const retry = await addNoteOnce(desk, note);
    assert.deepEqual([first.created, retry.created, retry.id], [true, false, first.id]);
    await desk.addNote({ ticketId: id, visibility: 'internal', text: 'Bring the extinguisher.', idempotencyKey: 'key-at-note-0002' });
    const notes = await desk.fetchNotes(id);
    assert.deepEqual(
      notes.map((n) => [n.visibility, n.text, n.own]),
      [
        ['public', 'We are on our way.', true],
        ['internal', 'Bring the extinguisher.', true],
      ],
    );
    assert.deepEqual(
      [...server.state.rows.TicketNotes.values()].filter((n) => n.ticketID === Number(id)).map((n) => n.publish),
      [1, 2],
    );
    assert.deepEqual(server.violations, []);
  });

  it('books a 45-minute worklog as a time entry of 0.75 hours for the technician, once', async () => {
    const id = await desk.createTicket(ticket('key-at-work-01'));
    const w = {
      ticketId: id,
      technician: 'tom@example.com',
      start: '2026-03-01T08:00:00Z',
      end: '2026-03-01T08:45:00Z',
      minutes: 45,
      description: 'Replaced the fuser.',
      idempotencyKey: 'key-at-wl-000001',
    };
    const first = await addWorklogOnce(desk, w);
    const retry = await addWorklogOnce(desk, w);
    assert.deepEqual([first.created, retry.created], [true, false]);
    const entry = server.state.get('TimeEntries', Number(first.id));
    assert.deepEqual(
      [entry.hoursWorked, entry.resourceID, entry.summaryNotes, entry.ticketID],
      [0.75, tom.id, 'Replaced the fuser.', Number(id)],
    );
    await assert.rejects(
      desk.addWorklog({ ...w, minutes: 0, idempotencyKey: 'key-at-wl-000002' }),
      (e) => isDeskError(e) && e.code === 'E_DESK_REJECTED',
    );
    assert.deepEqual(server.violations, []);
  });

  it('reports what a person did, by label, and leaves out its own echoes', async () => {
    const start = cursorFrom(new Date(clock));
    clock += 1000;
    const id = await desk.createTicket(ticket('key-at-poll-01'));
    await desk.addNote({ ticketId: id, visibility: 'public', text: 'Looking into it.', idempotencyKey: 'key-at-note-0003' });
    await desk.updateTicket(id, { status: 'pending' });
    const echoes = await desk.listChangedSince(start);
    assert.equal(
      echoes.changes.find((c) => c.ticket.id === id),
      undefined,
      'only the connector touched it',
    );
    clock += 1000;
    server.personAddsNote(id, 'Done: new fuser.', 'All Autotask Users', tom);
    server.personAddsNote(id, 'Billed to facilities.', 'Internal Only', tom);
    server.personSetsStatus(id, 'Complete', tom);
    const polled = await desk.listChangedSince(echoes.cursor);
    const change = polled.changes.find((c) => c.ticket.id === id);
    assert.ok(change);
    assert.deepEqual([change.ticket.status, change.ticket.deskStatus], ['closed', 'Complete']);
    assert.deepEqual(
      change.events.map((e) => (e.kind === 'note' ? `${e.note.visibility}:${e.note.text}` : e.kind)),
      ['public:Done: new fuser.', 'internal:Billed to facilities.', 'updated'],
    );
    clock += 1000;
    const again = await desk.listChangedSince(polled.cursor);
    assert.equal(
      again.changes.find((c) => c.ticket.id === id),
      undefined,
      'reported once',
    );
    assert.deepEqual(server.violations, []);
  });

  it("waits (retryable) near the database's hourly threshold and over its own share", async () => {
    const busy = new AutotaskContractServer({ ...CREDS, threshold: 5, now });
    const busyUrl = await busy.start();
    try {
      const d = new AutotaskConnector({ ...CREDS, discoveryUrl: busyUrl }, silentLogger, undefined, now);
      for (let i = 0; i < 4; i++)
        await d
          .fetchTicket(String(busy.state.add('Tickets', { title: 'x', status: 1, priority: 2, companyID: 0 }).id))
          .catch(() => undefined);
      await assert.rejects(
        d.listChangedSince(cursorFrom(new Date(clock))),
        (e) => isDeskError(e) && e.code === 'E_DESK_RATE_LIMITED' && e.retryable && (e.retryAfterMs ?? 0) > 0,
      );
    } finally {
      await busy.stop();
    }
    const strict = new AutotaskContractServer({ ...CREDS, threshold: 3, now });
    const strictUrl = await strict.start();
    try {
      // Over the threshold between two threshold checks: Autotask refuses, the connector waits.
      const d = new AutotaskConnector({ ...CREDS, discoveryUrl: strictUrl }, silentLogger, undefined, now);
      const id = String(strict.state.add('Tickets', { title: 'x', status: 1, priority: 2, companyID: 0 }).id);
      await assert.rejects(
        async () => {
          for (let i = 0; i < 6; i++) await d.fetchTicket(id);
        },
        (e) => isDeskError(e) && e.code === 'E_DESK_RATE_LIMITED' && e.retryable && e.status === 429 && e.retryAfterMs === 60_000,
      );
    } finally {
      await strict.stop();
    }
    const frugal = new AutotaskConnector({ ...CREDS, discoveryUrl: url, maxRequestsPerHour: 10 }, silentLogger, undefined, now);
    await assert.rejects(
      async () => {
        for (let i = 0; i < 12; i++) await frugal.checkHealth();
      },
      (e) => isDeskError(e) && e.code === 'E_DESK_RATE_LIMITED' && e.retryable,
    );
  });

  it('never logs the secret', () => {
    assert.ok(log.entries.some((e) => e.msg === 'desk request'));
    assert.doesNotMatch(log.text(), new RegExp(CREDS.secret));
  });
});

describe('the Autotask contract server refuses off-contract calls', () => {
  const server = new AutotaskContractServer(CREDS);
  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    server.violations.length = 0;
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${server.restUrl}${path}`, {
      method,
      headers: {
        ApiIntegrationCode: CREDS.integrationCode,
        UserName: CREDS.user,
        Secret: CREDS.secret,
        'Content-Type': 'application/json',
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as { errors?: string[] } };
  }

  const cases: [string, string, string, unknown, RegExp][] = [
    [
      'a field the Tickets page does not list',
      'POST',
      '/Tickets',
      { companyID: 0, title: 't', status: 1, priority: 2, urgency: 'now' },
      /no field\(s\) urgency/,
    ],
    ['a ticket without its required fields', 'POST', '/Tickets', { title: 't' }, /requires companyID, status, priority/],
    ['a status the picklist does not have', 'POST', '/Tickets', { companyID: 0, title: 't', status: 99, priority: 2 }, /picklist/],
    [
      'a filter operator the documentation does not list',
      'POST',
      '/Tickets/query',
      { filter: [{ op: 'like', field: 'title', value: 'x' }] },
      /unknown filter operator/,
    ],
    [
      'a user-defined field queried without udf: true',
      'POST',
      '/Tickets/query',
      { filter: [{ op: 'eq', field: 'Outpost Key', value: 'x' }] },
      /udf/,
    ],
    ['MaxRecords over 500', 'POST', '/Tickets/query', { MaxRecords: 501, filter: [{ op: 'exist', field: 'id' }] }, /MaxRecords/],
    ['a ticket note created outside its parent ticket', 'POST', '/TicketNotes', { ticketID: 1 }, /child entity/],
  ];

  for (const [what, method, path, body, message] of cases) {
    it(`refuses ${what}`, async () => {
      const res = await call(method, path, body);
      assert.ok(res.status >= 400);
      assert.match(res.body.errors?.[0] ?? '', message);
      assert.equal(server.violations.length, 1);
    });
  }

  it('refuses a call without the integration code', async () => {
    const res = await fetch(`${server.restUrl}/ThresholdInformation`, { headers: { UserName: CREDS.user, Secret: CREDS.secret } });
    assert.equal(res.status, 401);
    assert.equal(server.violations.length, 1);
  });
});
