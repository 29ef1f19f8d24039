// Working from a device through the API, over a real server, a protocol-speaking agent and the fake
// desk: its tickets (open first, desk numbers), a ticket raised for it (desk job, asset, queue, the
// endpoint's list) and its logbook (every kind of entry, paged without gaps or repeats).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeskAssetTicketJson, DeviceTicketJson, LogbookEntryJson } from '../../shared/console-api.js';
import { FakeDesk } from '../../test/fakes/desk-connector.js';
import { deltaItem, fullItem, hintsFor, machine, pkg } from '../../test/support/server/fixtures.js';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { TestAgent } from '../../test/support/server/test-agent.js';
import { createItem } from '../../test/support/server/ticket-fixtures.js';
import { deskKey } from '../desk/sync/keys.js';
import { parseDeskSettings } from '../desk/sync/settings.js';
import { deadline } from '../../test/support/deadline.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 5_000): Promise<T> {
  const giveUpAt = Date.now() + deadline(ms);
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > giveUpAt) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a device's tickets, a ticket raised for it, its logbook", () => {
  let h: Harness;
  let agent: TestAgent;
  let deviceId: string;
  const desk = new FakeDesk();

  before(async () => {
    const settings = parseDeskSettings({
      kind: 'rt',
      url: 'http://rt.invalid',
      user: 'outpost',
      secret: 'x',
      requesterDomain: 'example.com',
    });
    h = await startHarness({ desk: settings, deskConnector: desk });
    agent = await TestAgent.connect(h.wsUrl);
    const snapshot = { ...machine({ hostname: 'work-pc', serial: 'SN-WORK' }), users: [{ name: 'bob' }] };
    ({ deviceId } = await agent.enrol(await h.server.createEnrolmentToken(), hintsFor(snapshot, 'inst-work-pc')));
    // A first inventory records no software in the history; the install after it does.
    const installed = { ...snapshot, software: [...snapshot.software, pkg('htop', '3.3')] };
    agent.sendItems([fullItem(1, snapshot), createItem(2, 'ref-from-tray-1'), deltaItem(3, snapshot, installed)]);
    await agent.next('ack');
    await waitFor(() => (desk.tickets.size === 1 ? true : undefined));
  });
  after(async () => {
    await agent.close();
    await h.close();
  });

  const tickets = async () => (await h.api<{ items: DeviceTicketJson[] }>(`/api/devices/${deviceId}/tickets`)).body.items;

  it('lists the tray ticket with the desk number the desk gave it', async () => {
    const [t] = await waitFor(async () => {
      const list = await tickets();
      return list[0]?.deskNumber ? list : undefined;
    });
    assert.equal(t!.subject, 'Printer on floor 2 jams');
    assert.equal(t!.deskNumber, [...desk.tickets.keys()][0]);
    assert.equal(t!.label, `#${t!.deskNumber}`, "the number people quote is the desk's");
    assert.equal(t!.raisedBy, null);
    assert.equal((await h.api('/api/devices/nope/tickets')).status, 404);
  });

  it("lists the desk's other tickets on the device's asset, open first, and its own tickets when the desk does not answer", async () => {
    await waitFor(async () => ((await tickets())[0]?.deskNumber ? true : undefined));
    const tray = [...desk.tickets.values()][0]!;
    const onAsset = { ...tray, idempotencyKey: 'by-phone', requesterEmail: 'carol@example.com' };
    desk.tickets.set('phone-1', { ...onAsset, subject: 'Called: fan is loud', status: 'resolved' });
    desk.tickets.set('phone-2', { ...onAsset, subject: 'Called: screen flickers', status: 'open' });
    desk.tickets.set('elsewhere', { ...onAsset, subject: 'Another asset', status: 'new', assetId: 'another-asset' });
    type Answer = { items: DeviceTicketJson[]; desk: { tickets: DeskAssetTicketJson[]; error: string | null } | null };
    const { body } = await h.api<Answer>(`/api/devices/${deviceId}/tickets`);
    assert.deepEqual(
      body.desk?.tickets.map((t) => [t.deskNumber, t.subject, t.status]),
      [
        ['phone-2', 'Called: screen flickers', 'open'],
        ['phone-1', 'Called: fan is loud', 'resolved'],
      ],
      "the tray ticket, which Outpost lists itself, is not listed twice; another asset's is not listed",
    );
    assert.equal(body.desk?.error, null);

    desk.failNextCall('assetTickets', 'E_DESK_UNREACHABLE');
    const down = await h.api<Answer>(`/api/devices/${deviceId}/tickets`);
    assert.equal(down.status, 200);
    assert.equal(down.body.items.length, body.items.length);
    assert.deepEqual(down.body.desk?.tickets, []);
    assert.match(down.body.desk?.error ?? '', /^E_DESK_UNREACHABLE: /);
    for (const id of ['phone-1', 'phone-2', 'elsewhere']) desk.tickets.delete(id);
  });

  it('raises a ticket for the device in the chosen queue: the desk gets it on the asset, the endpoint in its list', async () => {
    agent.discard('tickets');
    const res = await h.api<DeviceTicketJson>(`/api/devices/${deviceId}/tickets`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ subject: 'Replace the battery', description: 'It lasts 40 minutes.', priority: 'high', queue: 'Hardware' }),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(
      [res.body.subject, res.body.status, res.body.queue, res.body.raisedBy],
      ['Replace the battery', 'new', 'Hardware', 'admin-token'],
    );
    const pushed = await agent.next('tickets');
    assert.ok(
      pushed.tickets.some((t) => t.ref === res.body.ref && t.subject === 'Replace the battery'),
      'the endpoint has the ticket',
    );
    const inDesk = await waitFor(() => [...desk.tickets.values()].find((t) => t.subject === 'Replace the battery'));
    const trayTicket = [...desk.tickets.values()].find((t) => t.subject === 'Printer on floor 2 jams')!;
    assert.equal(inDesk.queue, 'Hardware');
    assert.equal(inDesk.priority, 'high');
    assert.equal(inDesk.assetId, trayTicket.assetId, 'linked to the same asset as a tray ticket');
    assert.equal(desk.assets.get(inDesk.assetId!)?.serviceTag, 'SN-WORK');
    assert.equal(inDesk.requesterEmail, 'bob@example.com', "the device's logged-on user is the requester");
    assert.match(inDesk.description, /Name: work-pc/);
    // The tray path's key: a retry after an unknown outcome finds this ticket instead of doubling it.
    assert.equal(inDesk.idempotencyKey, deskKey('ticket', deviceId, res.body.ref));
  });

  it('refuses a queue the desk does not have, a blank subject and an unknown device, changing nothing', async () => {
    const before = (await tickets()).length;
    const post = (path: string, body: unknown) => h.api(path, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
    const badQueue = await post(`/api/devices/${deviceId}/tickets`, { subject: 's', description: 'd', queue: 'Nowhere' });
    assert.deepEqual([badQueue.status, badQueue.body.error.code], [400, 'E_BAD_REQUEST']);
    assert.match(badQueue.body.error.message, /no queue named Nowhere/);
    const blank = await post(`/api/devices/${deviceId}/tickets`, { subject: '  ', description: 'd' });
    assert.deepEqual([blank.status, blank.body.error.code], [400, 'E_BAD_REQUEST']);
    const unknown = await post('/api/devices/nope/tickets', { subject: 's', description: 'd' });
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'E_NOT_FOUND']);
    assert.equal((await tickets()).length, before);
  });

  it("lists the desk's queues with the configured default", async () => {
    const { body } = await h.api<{ configured: boolean; names: string[]; default: string }>('/api/desk/queues');
    assert.deepEqual(body, { configured: true, names: ['General', 'Hardware', 'Network'], default: 'General' });
  });

  it('lists open tickets before resolved ones', async () => {
    const list = await tickets();
    const tray = list.find((t) => t.subject === 'Printer on floor 2 jams')!;
    await h.api(`/api/tickets/${tray.id}`, { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ status: 'resolved' }) });
    const after = await tickets();
    assert.deepEqual(
      after.map((t) => [t.subject, t.status]),
      [
        ['Replace the battery', 'new'],
        ['Printer on floor 2 jams', 'resolved'],
      ],
    );
  });

  it('keeps one logbook of inventory, tickets, notes, status changes and desk events, newest first, paged', async () => {
    const tray = (await tickets()).find((t) => t.subject === 'Printer on floor 2 jams')!;
    await h.api(`/api/tickets/${tray.id}/notes`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ text: 'Roller replaced.', visibility: 'internal' }),
    });
    type Page = { items: LogbookEntryJson[]; nextBefore: string | null };
    const whole = await waitFor(async () => {
      const { body } = await h.api<Page>(`/api/devices/${deviceId}/logbook?limit=200`);
      return body.items.some((e) => e.kind === 'desk' && e.detail.job === 'ticket.note') ? body : undefined;
    });
    const kinds = new Set(whole.items.map((e) => e.kind));
    for (const k of ['inventory', 'ticket', 'note', 'status', 'desk'] as const) assert.ok(kinds.has(k), `a ${k} entry`);
    const status = whole.items.find((e) => e.kind === 'status')!;
    assert.deepEqual([status.ticketId, status.detail.from, status.detail.to], [tray.id, 'new', 'resolved']);
    assert.equal(status.ticketLabel, tray.label, 'the ticket named as the ticket list names it');
    const inventory = whole.items.find((e) => e.kind === 'inventory' && e.detail.section === 'software')!;
    assert.deepEqual((inventory.detail.added as { count: number; names: string[] }).names, ['htop 3.3']);
    const times = whole.items.map((e) => Date.parse(e.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
    assert.equal(whole.nextBefore, null);

    const paged: LogbookEntryJson[] = [];
    let before: string | null = '';
    while (before !== null) {
      const { status: code, body }: { status: number; body: Page } = await h.api<Page>(
        `/api/devices/${deviceId}/logbook?limit=2${before ? `&before=${before}` : ''}`,
      );
      assert.equal(code, 200);
      paged.push(...body.items);
      before = body.nextBefore;
    }
    assert.deepEqual(
      paged.map((e) => `${e.kind}:${e.id}`),
      whole.items.map((e) => `${e.kind}:${e.id}`),
      'pages of 2 add up to the whole, in order',
    );
    const bad = await h.api(`/api/devices/${deviceId}/logbook?before=1.drop.2`);
    assert.deepEqual([bad.status, bad.body.error.code], [400, 'E_BAD_REQUEST']);
  });
});
