// Every ServiceDesk Plus operation against the contract server built from ManageEngine's
// documented samples, on-premises and cloud, on a build with the per-product asset APIs and on
// one before 15100. Each test ends by asserting the server saw no off-contract call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { integrationLevel } from '../../../server/desk/connector.js';
import { addNoteOnce, addWorklogOnce, createTicketOnce } from '../../../server/desk/once.js';
import { SdpConnector } from '../../../server/desk/sdp/connector.js';
import { cursorFrom, type NewDeskTicket } from '../../../server/desk/types.js';
import { SdpContractServer } from './contract-server.js';

const API = { id: '9001', name: 'Outpost API', email_id: 'outpost@example.com' };
const TOM = { id: '9002', name: 'Tom Tech', email_id: 'tom@example.com' };
const PAT = { id: '9003', name: 'Pat Person', email_id: 'pat@example.com' };

function clock(start = Date.parse('2025-03-01T09:00:00Z')) {
  let now = start;
  return { now: () => now, tick: (ms = 1000) => (now += ms) };
}

const ticket = (key: string, extra: Partial<NewDeskTicket> = {}): NewDeskTicket => ({
  idempotencyKey: key,
  requesterEmail: 'alice@example.com',
  requesterName: 'Alice Example',
  subject: 'Printer on fire',
  description: 'It burns <brightly> & loudly.\nDevice: ws-42',
  priority: 'high',
  ...extra,
});

describe('ServiceDesk Plus connector (on-premises) against the contract server', () => {
  const time = clock();
  const server = new SdpContractServer({ flavour: 'onprem', token: 'tech-key-1', technicians: [API, TOM], now: time.now });
  let desk: SdpConnector;

  before(async () => {
    const url = await server.start();
    desk = new SdpConnector(
      { url, flavour: 'onprem', token: 'tech-key-1', technician: API.name, requestKeyField: 'udf_sline_301', closureCode: 'success' },
      silentLogger,
    );
  });
  after(() => server.stop());

  it('is a two-way integration, with ticket keys only when a key field is set', () => {
    assert.equal(integrationLevel(desk.capabilities), 'two-way');
    assert.equal(desk.capabilities.ticketKeys, true);
    const keyless = new SdpConnector({ url: 'http://127.0.0.1:1', flavour: 'onprem', token: 't', technician: API.name }, silentLogger);
    assert.equal(keyless.capabilities.ticketKeys, false);
  });

  it('answers a health check and finds or creates a requester by email', async () => {
    await desk.checkHealth();
    const made = await desk.findOrCreateUser('bob@example.com', 'Bob Example');
    const found = await desk.findOrCreateUser('bob@example.com');
    assert.deepEqual([found.id, found.email, found.name], [made.id, 'bob@example.com', 'Bob Example']);
    assert.deepEqual(server.violations, []);
  });

  it('saves a workstation and finds it by service tag, MAC and name', async () => {
    const ws = await desk.saveAsset({
      name: 'ws-42',
      serviceTag: 'SN-42',
      macs: ['AA:BB:CC:00:00:01'],
      os: 'Windows 11',
      manufacturer: 'Dell',
      model: 'Latitude 7440',
      loggedOnUser: 'alice',
    });
    assert.deepEqual(
      [ws.serviceTag, ws.macs, ws.model, ws.manufacturer, ws.os],
      ['SN-42', ['aa:bb:cc:00:00:01'], 'Latitude 7440', 'Dell', 'Windows 11'],
    );
    assert.deepEqual(
      (await desk.findAssets({ by: 'serviceTag', value: 'SN-42' })).map((a) => a.id),
      [ws.id],
    );
    assert.deepEqual(
      (await desk.findAssets({ by: 'mac', values: ['aa:bb:cc:00:00:01'] })).map((a) => a.id),
      [ws.id],
    );
    assert.deepEqual(
      (await desk.findAssets({ by: 'name', value: 'ws-42' })).map((a) => a.id),
      [ws.id],
    );
    const renamed = await desk.saveAsset({ name: 'ws-42b', serviceTag: 'SN-42', macs: [] }, ws.id);
    assert.equal(renamed.id, ws.id);
    assert.deepEqual(await desk.findAssets({ by: 'name', value: 'ws-42' }), []);
    assert.deepEqual(server.violations, []);
  });

  it('creates a request with requester, priority, asset and key, finds it by the key and fetches it', async () => {
    const [ws] = await desk.findAssets({ by: 'serviceTag', value: 'SN-42' });
    const id = await desk.createTicket(ticket('key-create-0001', { assetId: ws!.id, category: 'Hardware' }));
    assert.match(id, /^\d{15,}$/, 'SDP ids are long digit strings');
    assert.equal(await desk.findTicketByKey('key-create-0001'), id);
    assert.equal(await desk.findTicketByKey('key-unknown-0001'), null);
    const t = await desk.fetchTicket(id);
    assert.deepEqual(
      [t.subject, t.status, t.deskStatus, t.priority, t.idempotencyKey],
      ['Printer on fire', 'open', 'Open', 'high', 'key-create-0001'],
    );
    assert.deepEqual([t.requesters, t.assetIds], [['alice@example.com'], [ws!.id]]);
    assert.equal(server.state.requests.get(id)?.description, 'It burns &lt;brightly&gt; &amp; loudly.<br>Device: ws-42');
    assert.deepEqual(server.violations, []);
  });

  it("files a request from a ticket template under the template's request template, category and subcategory", async () => {
    const classification = { sdp: { template: 'Printer Request', category: 'Printers', subcategory: 'Laser' }, rt: { queue: 'Ignored' } };
    const id = await desk.createTicket(ticket('key-tmpl-00001', { category: 'Hardware', classification }));
    const made = server.state.requests.get(id);
    assert.deepEqual([made?.template, made?.category, made?.subcategory], ['Printer Request', 'Printers', 'Laser']);
    // A queue IT chose in the console wins; the template's subcategory then no longer belongs to it.
    const chosen = await desk.createTicket(ticket('key-tmpl-00002', { queue: 'Network', classification }));
    const other = server.state.requests.get(chosen);
    assert.deepEqual([other?.template, other?.category, other?.subcategory], ['Printer Request', 'Network', undefined]);
    assert.deepEqual(server.violations, []);
  });

  it("adds notes shown to the requester or not and reads them back, telling its own from a person's", async () => {
    const id = await desk.createTicket(ticket('key-notes-0001'));
    time.tick();
    await desk.addNote({ ticketId: id, visibility: 'public', text: 'On our way.', idempotencyKey: 'note-key-0001' });
    time.tick();
    await desk.addNote({ ticketId: id, visibility: 'internal', text: 'Bring the extinguisher.', idempotencyKey: 'note-key-0002' });
    time.tick();
    server.personAddsNote(id, 'Fixed it.', true, TOM);
    time.tick();
    // A person typing in SDP as Outpost's technician: no key marker, so a person's note.
    server.personAddsNote(id, 'Typed as the API technician.', true, API);
    const notes = await desk.fetchNotes(id);
    assert.deepEqual(
      notes.map((n) => [n.visibility, n.text, n.own, n.author]),
      [
        ['public', 'On our way.', true, API.name],
        ['internal', 'Bring the extinguisher.', true, API.name],
        ['public', 'Fixed it.', false, TOM.name],
        ['public', 'Typed as the API technician.', false, API.name],
      ],
    );
    assert.deepEqual(server.violations, []);
  });

  it('marks a suspected clone in the workstation description', async () => {
    const ws = await desk.saveAsset({ name: 'ws-43', macs: [], description: 'Suspected clone of ws-42 (Outpost device d1)' });
    assert.equal(server.state.workstations.get(ws.id)?.description, 'Suspected clone of ws-42 (Outpost device d1)');
    assert.equal((await desk.findAssets({ by: 'name', value: 'ws-43' }))[0]?.description, 'Suspected clone of ws-42 (Outpost device d1)');
    assert.deepEqual(server.violations, []);
  });

  it("reads the site from a ticket's workstation and files the request under it", async () => {
    const ws = await desk.saveAsset({ name: 'ws-44', macs: [] });
    assert.equal(await desk.readAssetField(ws.id, 'site'), null);
    server.state.workstations.get(ws.id)!.site = 'Leeds office';
    await desk.saveAsset({ name: 'ws-44', macs: [], os: 'Windows 11' }, ws.id); // Outpost's update keeps the site a person set
    const site = await desk.readAssetField(ws.id, 'site');
    assert.equal(site, 'Leeds office');
    const id = await desk.createTicket(ticket('key-site-00001', { assetId: ws.id, account: { field: 'site', value: site } }));
    assert.equal(server.state.requests.get(id)?.site, 'Leeds office');
    const udf = await desk.createTicket(ticket('key-site-00002', { account: { field: 'udf_sline_302', value: 'C-1042' } }));
    assert.deepEqual(server.state.requests.get(udf)?.udf, { udf_sline_302: 'C-1042', udf_sline_301: 'key-site-00002' });
    await assert.rejects(desk.readAssetField(ws.id, 'owner'), /site or a udf_ field/);
    assert.deepEqual(server.violations, []);
  });

  it('uses the per-product asset API, asked for once, with the model in computer_system and the configured product', async () => {
    const ws = await desk.saveAsset({ name: 'ws-50', serviceTag: 'SN-50', macs: [], model: 'OptiPlex 7010' });
    assert.equal(server.calls.filter((c) => c.endsWith('/_metainfo')).length, 1);
    assert.ok(server.calls.includes('POST /api/v3/asset_workstations'));
    assert.ok(!server.calls.some((c) => c.includes('/api/v3/workstations')), 'the temporarily supported API is not used');
    const stored = server.state.workstations.get(ws.id)!;
    assert.deepEqual([stored.product, stored.model, ws.model], ['Workstation', 'OptiPlex 7010', 'OptiPlex 7010']);
    server.personSetsWorkstationField(ws.id, 'udf_sline_9', 'C-2001');
    assert.equal(await desk.readAssetField(ws.id, 'udf_sline_9'), 'C-2001');
    assert.deepEqual(server.violations, []);
  });

  it('keeps no software catalog: no documented call writes one', async () => {
    assert.equal(desk.capabilities.softwareCatalog, false);
    await assert.rejects(
      (desk.findSoftware as (name: string) => Promise<string | null>)('Firefox'),
      /no call that writes a software catalog/,
    );
  });

  it('uploads each file of a ticket and a note with the documented upload call', async () => {
    const files = [
      { name: 'printer.log', type: 'text/plain', contentBase64: Buffer.from('E42 paper jam').toString('base64') },
      { name: 'photo.png', type: 'image/png', contentBase64: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]).toString('base64') },
    ];
    const id = await desk.createTicket(ticket('key-files-0001', { attachments: files }));
    await desk.addNote({
      ticketId: id,
      visibility: 'public',
      text: 'Log again.',
      idempotencyKey: 'note-files-01',
      attachments: [files[0]!],
    });
    const stored = server.state.requests.get(id)!.attachments;
    assert.deepEqual(
      stored.map((a) => [a.name, a.content.toString('base64')]),
      [...files, files[0]!].map((f) => [f.name, f.contentBase64]),
    );
    assert.equal(server.calls.filter((c) => c === `PUT /api/v3/requests/${id}/upload`).length, 3, 'one file per call');
    assert.deepEqual(server.violations, []);
  });

  it('closes through the close call with the closure code, once', async () => {
    const id = await desk.createTicket(ticket('key-close-0001'));
    await desk.updateTicket(id, { status: 'closed' });
    await desk.updateTicket(id, { status: 'closed' });
    const r = server.state.requests.get(id)!;
    assert.deepEqual([r.status, r.closureCode], ['Closed', 'success']);
    assert.equal(server.calls.filter((c) => c === `PUT /api/v3/requests/${id}/close`).length, 1);
    assert.deepEqual(server.violations, []);
  });

  it('records a worklog with owner, start, end and the time spent', async () => {
    const id = await desk.createTicket(ticket('key-worklog-01'));
    const start = '2025-03-01T10:00:00.000Z';
    await desk.addWorklog({
      ticketId: id,
      technician: TOM.name,
      start,
      end: '2025-03-01T11:45:00.000Z',
      minutes: 105,
      description: 'New fuser.',
      idempotencyKey: 'wl-key-00001',
    });
    const [w] = server.state.requests.get(id)!.worklogs;
    assert.deepEqual([w?.owner.name, w?.minutes, w?.start], [TOM.name, 105, Date.parse(start)]);
    assert.deepEqual(server.violations, []);
  });

  it('never doubles a ticket, note or worklog on retry', async () => {
    const first = await createTicketOnce(desk, ticket('key-once-00001'));
    const again = await createTicketOnce(desk, ticket('key-once-00001'));
    assert.deepEqual([first.created, again.created, again.id], [true, false, first.id]);
    const note = { ticketId: first.id, visibility: 'public' as const, text: 'Once.', idempotencyKey: 'note-once-001' };
    assert.deepEqual([(await addNoteOnce(desk, note)).created, (await addNoteOnce(desk, note)).created], [true, false]);
    const wl = {
      ticketId: first.id,
      technician: TOM.email_id,
      start: '2025-03-01T10:00:00Z',
      end: '2025-03-01T10:30:00Z',
      minutes: 30,
      description: '',
      idempotencyKey: 'wl-once-0001',
    };
    assert.deepEqual([(await addWorklogOnce(desk, wl)).created, (await addWorklogOnce(desk, wl)).created], [true, false]);
    const r = server.state.requests.get(first.id)!;
    assert.deepEqual([r.notes.length, r.worklogs.length], [1, 1]);
    assert.equal([...server.state.requests.values()].filter((x) => x.udf.udf_sline_301 === 'key-once-00001').length, 1);
    assert.deepEqual(server.violations, []);
  });

  it('sets a status, and lists requests a person changed since a time without its own echoes', async () => {
    time.tick(60_000);
    const start = cursorFrom(new Date(time.now()));
    const mine = await desk.createTicket(ticket('key-poll-00001'));
    const theirs = await desk.createTicket(ticket('key-poll-00002'));
    time.tick();
    await desk.updateTicket(mine, { status: 'pending' });
    assert.equal((await desk.fetchTicket(mine)).deskStatus, 'On Hold');
    const quiet = await desk.listChangedSince(start);
    assert.deepEqual(quiet.changes, [], 'only the connector touched them');

    time.tick();
    server.personSetsStatus(theirs, 'Resolved', PAT);
    time.tick();
    server.personAddsNote(theirs, 'Resolved: paper jam.', true, PAT);
    const polled = await desk.listChangedSince(quiet.cursor);
    assert.deepEqual(
      polled.changes.map((c) => [c.ticket.id, c.ticket.status]),
      [[theirs, 'resolved']],
    );
    assert.deepEqual(
      polled.changes[0]!.events.map((e) => [e.kind, e.by]),
      [
        ['note', PAT.name],
        ['updated', PAT.name],
      ],
    );
    const again = await desk.listChangedSince(polled.cursor);
    assert.deepEqual(again.changes, [], 'reported once');
    assert.deepEqual(server.violations, []);
  });
});

describe('ServiceDesk Plus connector (cloud) against the contract server', () => {
  const server = new SdpContractServer({ flavour: 'cloud', token: 'zoho-token-1', portal: 'itdesk', technicians: [API, TOM] });
  let desk: SdpConnector;

  before(async () => {
    const url = await server.start();
    desk = new SdpConnector(
      { url, portal: 'itdesk', flavour: 'cloud', token: 'zoho-token-1', technician: API.email_id, requestKeyField: 'udf_sline_7' },
      silentLogger,
    );
  });
  after(() => server.stop());

  it('sends requests, request_note and request_worklog with the Zoho OAuth header under the portal path', async () => {
    const id = await desk.createTicket(ticket('key-cloud-0001'));
    await desk.addNote({ ticketId: id, visibility: 'internal', text: 'Cloud note.', idempotencyKey: 'note-cloud-01' });
    await desk.addWorklog({
      ticketId: id,
      technician: TOM.name,
      start: '2025-03-01T10:00:00Z',
      end: '2025-03-01T10:45:00Z',
      minutes: 45,
      description: 'Remote session.',
      idempotencyKey: 'wl-cloud-0001',
    });
    assert.equal(server.state.requests.get(id)?.worklogs[0]?.minutes, 45);
    assert.deepEqual(
      (await desk.fetchNotes(id)).map((n) => [n.visibility, n.text, n.own]),
      [['internal', 'Cloud note.', true]],
    );
    assert.ok(server.calls.includes(`POST /app/itdesk/api/v3/requests/${id}/worklogs`));
    assert.deepEqual(server.violations, []);
  });
});

describe('ServiceDesk Plus connector on a build before 15100', () => {
  const server = new SdpContractServer({
    flavour: 'onprem',
    token: 'tech-key-1',
    technicians: [API],
    assetApi: 'old-only',
    closureCodeRequired: true,
  });
  let desk: SdpConnector;

  before(async () => {
    const url = await server.start();
    desk = new SdpConnector({ url, flavour: 'onprem', token: 'tech-key-1', technician: API.name, closureCode: 'Canceled' }, silentLogger);
  });
  after(() => server.stop());

  it('falls back to /api/v3/workstations and reads additional fields from workstation_udf_fields', async () => {
    const ws = await desk.saveAsset({ name: 'ws-60', serviceTag: 'SN-60', macs: ['aa:bb:cc:00:00:60'] });
    assert.ok(server.calls.includes('POST /api/v3/workstations'));
    server.personSetsWorkstationField(ws.id, 'udf_sline_9', 'C-3003');
    assert.equal(await desk.readAssetField(ws.id, 'udf_sline_9'), 'C-3003');
    assert.deepEqual(
      (await desk.findAssets({ by: 'mac', values: ['AA:BB:CC:00:00:60'] })).map((a) => a.id),
      [ws.id],
    );
    assert.deepEqual(server.violations, []);
  });

  it('sends the configured closure code where the closure rules require one', async () => {
    const id = await desk.createTicket(ticket('key-close-0002'));
    await desk.updateTicket(id, { status: 'closed' });
    assert.equal(server.state.requests.get(id)?.closureCode, 'Canceled');
    assert.deepEqual(server.violations, []);
  });
});
