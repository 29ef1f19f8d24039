// The Request Tracker connector against a real RT 5 started for this file (test/support/rt.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../shared/log.js';
import { RecordingLogger } from './fakes/recording-logger.js';
import { isDeskError } from '../server/desk/errors.js';
import { addNoteOnce, createTicketOnce } from '../server/desk/once.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RtConnector } from '../server/desk/rt/connector.js';
import { pushCatalog } from '../server/desk/sync/catalog.js';
import { mapNewTicket } from '../server/desk/sync/mapping.js';
import { createConnector, parseDeskSettings } from '../server/desk/sync/settings.js';
import { openDatabase } from '../server/store/sqlite/open.js';
import { SqliteStore } from '../server/store/sqlite/sqlite-store.js';
import { cursorFrom, type DeskCursor, type NewDeskTicket } from '../server/desk/types.js';
import { rtRest, rtSkip, startRt, type RtInstance } from './support/rt.js';
import { insertSoftwareRow } from './support/server/fixtures.js';

const tag = () => randomBytes(4).toString('hex');
const key = () => `test-${randomBytes(8).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function timed<T>(into: number[], f: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const out = await f();
  into.push(performance.now() - t);
  return out;
}

describe('Request Tracker connector against a real RT 5', { skip: rtSkip() }, () => {
  let rt: RtInstance;
  let desk: RtConnector;
  const log = new RecordingLogger();
  const latency: Record<string, number[]> = { rtCreate: [], create: [], worklog: [], note: [], fetch: [], poll: [] };

  /** RT's REST API as a person (root), not as the connector. */
  const asAdmin = <T = unknown>(method: string, path: string, body?: unknown) => rtRest<T>(rt, method, path, body);

  const newTicket = (extra: Partial<NewDeskTicket> = {}): NewDeskTicket => ({
    idempotencyKey: key(),
    requesterEmail: `req-${tag()}@example.com`,
    subject: `Printer on fire ${tag()}`,
    description: 'The printer in room 4 is on fire.\n\nDevice: ws-42 (Debian 12)',
    priority: 'high',
    ...extra,
  });

  before(async () => {
    rt = await startRt();
    desk = new RtConnector({ url: rt.url, user: rt.user, auth: { kind: 'basic', password: rt.password } }, log);
  });

  after(async () => {
    await rt?.stop();
    if (!rt) return;
    const ms = Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, v.length ? Math.round(median(v)) : null]));
    console.log(`RT startup ${JSON.stringify(rt.timings)}; median ms ${JSON.stringify(ms)}`);
  });

  it('answers a health check with password and with token auth, and names bad credentials', async () => {
    await desk.checkHealth();
    const byToken = new RtConnector({ url: rt.url, user: rt.user, auth: { kind: 'token', token: rt.token } }, log);
    await byToken.checkHealth();
    const wrong = new RtConnector({ url: rt.url, user: rt.user, auth: { kind: 'basic', password: 'wrong' } }, silentLogger);
    await assert.rejects(wrong.checkHealth(), (e) => isDeskError(e) && e.code === 'E_DESK_AUTH' && !e.retryable);
  });

  it('finds or creates a requester by email', async () => {
    const email = `alice-${tag()}@example.com`;
    const made = await desk.findOrCreateUser(email, 'Alice Example');
    assert.equal(made.email, email);
    const again = await desk.findOrCreateUser(email);
    assert.equal(again.id, made.id);
    const { body } = await asAdmin<{ EmailAddress: string; RealName: string }>('GET', `/user/${encodeURIComponent(made.id)}`);
    assert.equal(body.EmailAddress, email);
    assert.equal(body.RealName, 'Alice Example');
  });

  it('saves an asset with service tag and MACs and finds it by each, and by a digits-only name', async () => {
    const serial = `SN-${tag()}`;
    const macs = [`02:00:00:${tag().slice(0, 2)}:00:01`, `02:00:00:${tag().slice(0, 2)}:00:02`];
    const asset = await desk.saveAsset({
      name: `ws-${tag()}`,
      serviceTag: serial,
      macs,
      os: 'Debian 12',
      manufacturer: 'Dell',
      model: 'Latitude 7440',
    });
    const [stored, ...others] = await desk.findAssets({ by: 'serviceTag', value: serial });
    assert.deepEqual(others, []);
    assert.equal(stored?.id, asset.id);
    assert.deepEqual([...stored.macs].sort(), [...macs].sort());
    assert.deepEqual([stored.name, stored.os, stored.model], [asset.name, 'Debian 12', 'Dell Latitude 7440']);
    assert.deepEqual(
      (await desk.findAssets({ by: 'mac', values: [macs[1]!.toUpperCase()] })).map((a) => a.id),
      [asset.id],
    );
    assert.deepEqual(
      (await desk.findAssets({ by: 'name', value: asset.name })).map((a) => a.id),
      [asset.id],
    );

    await desk.saveAsset({ name: asset.name, serviceTag: serial, macs: [macs[1]!] }, asset.id);
    const [moved] = await desk.findAssets({ by: 'serviceTag', value: serial });
    assert.deepEqual(moved?.macs, [macs[1]]);
    assert.equal(moved.os, undefined, 'a field Outpost no longer reports is cleared');
    assert.deepEqual(await desk.findAssets({ by: 'mac', values: [macs[0]!] }), []);

    const clone = await desk.saveAsset({ name: `ws-${tag()}`, macs: [], description: 'Suspected clone of acct-pc7' });
    assert.equal((await desk.findAssets({ by: 'name', value: clone.name }))[0]?.description, 'Suspected clone of acct-pc7');

    const digits = String(Date.now() % 1e9);
    const numeric = await desk.saveAsset({ name: digits, macs: [] });
    assert.equal(numeric.name, `host-${digits}`);
    assert.deepEqual(
      (await desk.findAssets({ by: 'name', value: digits })).map((a) => a.id),
      [numeric.id],
    );
  });

  it('creates a ticket with requester, subject, description, priority, the asset link and an attachment', async () => {
    const asset = await desk.saveAsset({ name: `ws-${tag()}`, serviceTag: `SN-${tag()}`, macs: ['02:00:00:aa:bb:cc'] });
    const input = newTicket({
      assetId: asset.id,
      category: 'Hardware', // no queue configured for it: the default queue
      attachments: [{ name: 'dmesg.txt', type: 'text/plain', contentBase64: Buffer.from('usb 1-1: device on fire').toString('base64') }],
    });
    const id = await timed(latency.create!, () => desk.createTicket(input));
    const ticket = await timed(latency.fetch!, () => desk.fetchTicket(id));
    assert.equal(ticket.subject, input.subject);
    assert.equal(ticket.priority, 'high');
    assert.equal(ticket.status, 'new');
    assert.deepEqual(ticket.requesters, [input.requesterEmail]);
    assert.deepEqual(ticket.assetIds, [asset.id]);
    assert.equal(ticket.idempotencyKey, input.idempotencyKey);

    const raw = await asAdmin<{ Priority: string; Requestor: { id: string }[]; Queue: { id: string } }>('GET', `/ticket/${id}`);
    assert.equal(raw.body.Priority, '75');
    assert.equal(raw.body.Queue.id, '1', 'the General queue');
    const files = await asAdmin<{ items: { Filename: string; Content: string; ContentType: string }[] }>(
      'GET',
      `/ticket/${id}/attachments?fields=Filename,Content,ContentType&per_page=100`,
    );
    const texts = files.body.items.map((a) => `${a.Filename}|${a.Content}`);
    assert.ok(texts.includes('|The printer in room 4 is on fire.\n\nDevice: ws-42 (Debian 12)'), texts.join('\n'));
    assert.ok(texts.includes('dmesg.txt|usb 1-1: device on fire'), texts.join('\n'));
    const user = await asAdmin<{ EmailAddress: string }>('GET', `/user/${encodeURIComponent(raw.body.Requestor[0]!.id)}`);
    assert.equal(user.body.EmailAddress, input.requesterEmail);
  });

  it('records a 45-minute worklog that raises TimeWorked by exactly 45', async () => {
    const id = await desk.createTicket(newTicket());
    const before = (await desk.fetchTicket(id)).timeWorkedMinutes ?? 0;
    const start = new Date(Date.now() - 45 * 60_000).toISOString();
    await timed(latency.worklog!, () =>
      desk.addWorklog({
        ticketId: id,
        technician: 'Tom Tech',
        start,
        end: new Date().toISOString(),
        minutes: 45,
        description: 'Replaced the fuser.',
        idempotencyKey: key(),
      }),
    );
    assert.equal((await desk.fetchTicket(id)).timeWorkedMinutes, before + 45);
    const raw = await asAdmin<{ TimeWorked: string }>('GET', `/ticket/${id}`);
    assert.equal(Number(raw.body.TimeWorked), before + 45);
  });

  it("tells customer-facing replies from internal comments, and its own from a person's", async () => {
    const id = await desk.createTicket(newTicket());
    await timed(latency.note!, () =>
      desk.addNote({ ticketId: id, visibility: 'public', text: 'We are on our way.', idempotencyKey: key() }),
    );
    await desk.addNote({ ticketId: id, visibility: 'internal', text: 'Bring the extinguisher.', idempotencyKey: key() });
    await asAdmin('POST', `/ticket/${id}/correspond`, { Content: 'Fixed, please confirm.', ContentType: 'text/plain' });
    const notes = await desk.fetchNotes(id);
    assert.deepEqual(
      notes.map((n) => [n.visibility, n.text, n.own, n.author]),
      [
        ['public', 'We are on our way.', true, rt.user],
        ['internal', 'Bring the extinguisher.', true, rt.user],
        ['public', 'Fixed, please confirm.', false, rt.admin.user],
      ],
    );
  });

  it('reports a status change and notes made in RT by a person, and skips its own echoes', async () => {
    const start: DeskCursor = cursorFrom(new Date());
    const id = await desk.createTicket(newTicket());
    await desk.addNote({ ticketId: id, visibility: 'public', text: 'Looking into it.', idempotencyKey: key() });
    await desk.updateTicket(id, { status: 'pending' });
    const echoes = await timed(latency.poll!, () => desk.listChangedSince(start));
    assert.equal(
      echoes.changes.find((c) => c.ticket.id === id),
      undefined,
      'only the connector touched it',
    );

    // Stalled is an active status in RT's default lifecycle: a reply does not reopen it.
    await asAdmin('POST', `/ticket/${id}/correspond`, { Content: 'Done: new fuser.', ContentType: 'text/plain' });
    await asAdmin('POST', `/ticket/${id}/comment`, { Content: 'Billed to facilities.', ContentType: 'text/plain' });
    const put = await asAdmin('PUT', `/ticket/${id}`, { Status: 'resolved' });
    assert.equal(put.status, 200);
    await sleep(1100); // RT stamps seconds: let this one pass so the next poll can mark it seen
    const polled = await desk.listChangedSince(echoes.cursor);
    const change = polled.changes.find((c) => c.ticket.id === id);
    assert.ok(change, 'the change made in RT is reported');
    assert.equal(change.ticket.status, 'resolved');
    const summary = change.events.map((e) =>
      e.kind === 'note' ? `note:${e.note.visibility}:${e.note.text}` : e.kind === 'status' ? `status:${e.from}->${e.status}` : e.kind,
    );
    assert.deepEqual(summary, ['note:public:Done: new fuser.', 'note:internal:Billed to facilities.', 'status:stalled->resolved']);
    assert.ok(change.events.every((e) => e.by === rt.admin.user));

    const again = await desk.listChangedSince(polled.cursor);
    assert.equal(
      again.changes.find((c) => c.ticket.id === id),
      undefined,
      'reported once',
    );
    await desk.addNote({ ticketId: id, visibility: 'internal', text: 'Closing our side.', idempotencyKey: key() });
    await sleep(1100);
    const echo = await desk.listChangedSince(again.cursor);
    assert.equal(
      echo.changes.find((c) => c.ticket.id === id),
      undefined,
      'its own comment is an echo',
    );
  });

  it('finds a ticket and a note by idempotency key, so a retry creates no second one', async () => {
    const input = newTicket();
    assert.equal(await desk.findTicketByKey(input.idempotencyKey), null);
    const first = await createTicketOnce(desk, input);
    const retry = await createTicketOnce(desk, input);
    assert.deepEqual([first.created, retry.created, retry.id], [true, false, first.id]);
    const search = await asAdmin<{ total: number }>(
      'GET',
      `/tickets?query=${encodeURIComponent(`'CF.{Outpost Key}' = '${input.idempotencyKey}'`)}`,
    );
    assert.equal(search.body.total, 1);

    const note = { ticketId: first.id, visibility: 'public' as const, text: 'Once only.', idempotencyKey: key() };
    const n1 = await addNoteOnce(desk, note);
    const n2 = await addNoteOnce(desk, note);
    assert.deepEqual([n1.created, n2.created, n2.id], [true, false, n1.id]);
    assert.equal((await desk.fetchNotes(first.id)).filter((n) => n.text === 'Once only.').length, 1);
  });

  it('refuses a status RT does not know, and reports an unreachable RT as retryable', async () => {
    const id = await desk.createTicket(newTicket());
    const odd = new RtConnector(
      { url: rt.url, user: rt.user, auth: { kind: 'basic', password: rt.password }, statuses: { toDesk: { pending: 'on-hold' } } },
      silentLogger,
    );
    await assert.rejects(
      odd.updateTicket(id, { status: 'pending' }),
      (e) => isDeskError(e) && e.code === 'E_DESK_REJECTED' && !e.retryable,
    );
    assert.equal((await desk.fetchTicket(id)).deskStatus, 'new');

    const gone = new RtConnector({ url: 'http://127.0.0.1:9', user: rt.user, auth: { kind: 'basic', password: 'x' } }, silentLogger);
    await assert.rejects(gone.fetchTicket(id), (e) => isDeskError(e) && e.code === 'E_DESK_UNREACHABLE' && e.retryable);
  });

  it("creates the same ticket through RT's bare REST API and through the connector, both in RT (times printed at the end)", async () => {
    const asApiUser = {
      Authorization: `Basic ${Buffer.from(`${rt.user}:${rt.password}`).toString('base64')}`,
      'Content-Type': 'application/json',
    };
    for (let i = 0; i < 3; i++) {
      const t = newTicket();
      // The body the connector sends, posted directly: the difference is the connector's cost.
      const body = {
        Queue: 'General',
        Subject: t.subject,
        Content: t.description,
        ContentType: 'text/plain',
        Requestor: t.requesterEmail,
        Priority: 75,
        CustomFields: { 'Outpost Key': t.idempotencyKey },
      };
      const res = await timed(latency.rtCreate!, () =>
        fetch(`${rt.url}/REST/2.0/ticket`, { method: 'POST', headers: asApiUser, body: JSON.stringify(body) }),
      );
      assert.equal(res.status, 201);
      await res.arrayBuffer();
      const mine = newTicket();
      const id = await timed(latency.create!, () => desk.createTicket(mine));
      assert.equal((await desk.fetchTicket(id)).subject, mine.subject);
    }
  });

  it('pushes the software catalog as RT assets, once per package however often it runs', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'outpost-rt-catalog-')), mkdtempSync(join(tmpdir(), 'outpost-rt-catalog-'))];
    const pkgName = `outpost-e2e-${tag()}`;
    // Two servers' stores over the same fleet: the second knows no links and must find, not create.
    const stores = dirs.map((dir) => {
      const db = openDatabase(dir);
      for (const [id, version] of [
        ['d1', '1.0'],
        ['d2', '1.0'],
        ['d3', '2.0'],
      ] as const) {
        db.prepare(
          `INSERT INTO devices (id, install_id, hostname, macs, secret_hash, first_seen, last_seen) VALUES (?, ?, ?, '[]', x'00', 0, 0)`,
        ).run(id, `i-${id}`, `pc-${id}`);
        insertSoftwareRow(db, id, { key: `k-${id}`, name: pkgName, version, publisher: 'Example Ltd' });
      }
      return new SqliteStore(db);
    });
    try {
      const runs = [];
      for (const store of [stores[0]!, stores[0]!, stores[1]!]) runs.push(await pushCatalog({ desk, store }));
      assert.deepEqual(
        runs.map((r) => [r?.created, r?.updated, r?.unchanged]),
        [
          [1, 0, 0],
          [0, 0, 1],
          [0, 1, 0],
        ],
      );
      const query = encodeURIComponent(`Catalog = 'Outpost software' AND Name = '${pkgName}'`);
      const found = await asAdmin<{ items: { id: string }[] }>('GET', `/assets?query=${query}`);
      assert.equal(found.body.items.length, 1, 'one RT asset for the package');
      const asset = await asAdmin<{ CustomFields: { name: string; values: string[] }[] }>('GET', `/asset/${found.body.items[0]!.id}`);
      const cf = (name: string) => asset.body.CustomFields.find((f) => f.name === name)?.values;
      assert.deepEqual(
        [cf('Publisher'), cf('Installations'), cf('Versions')?.sort()],
        [['Example Ltd'], ['3'], ['1.0 (2 devices)', '2.0 (1 device)']],
      );
    } finally {
      for (const store of stores) await store.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('honours the field mapping: the starting status and a status value map', async () => {
    const settings = parseDeskSettings({
      kind: 'rt',
      url: rt.url,
      user: rt.user,
      secret: rt.password,
      auth: 'basic',
      mapping: { newTicketStatus: 'open', statuses: { fromDesk: { rejected: 'resolved' } } },
    });
    const mapped = createConnector(settings, silentLogger);
    const id = await mapped.createTicket(mapNewTicket(newTicket(), settings.mapping, null));
    const raw = await asAdmin<{ Status: string }>('GET', `/ticket/${id}`);
    assert.equal(raw.body.Status, 'open', 'RT would start it as new');
    await asAdmin('PUT', `/ticket/${id}`, { Status: 'rejected' });
    const t = await mapped.fetchTicket(id);
    assert.deepEqual([t.deskStatus, t.status], ['rejected', 'resolved']);
    assert.equal((await desk.fetchTicket(id)).status, 'closed', 'the default map reads rejected as closed');
  });

  it('logs its requests but never the password or the token', () => {
    assert.ok(log.entries.some((e) => e.msg === 'desk request'));
    assert.doesNotMatch(
      log.text(),
      new RegExp(`${rt.password}|${rt.token}|${Buffer.from(`${rt.user}:${rt.password}`).toString('base64')}`),
    );
  });
});
