// Desk ticket numbers and requesters against a real RT 5 (test/support/rt.ts): RT's numbers are
// made to differ from Outpost's before anything else (tickets raised in RT first), then a real
// server with --desk rt, a real agent and the `outpost` CLI as a technician would use them. The
// fallback requester runs through the store and sync engine in this process against the same RT.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../shared/log.js';
import type { EndpointWorklog } from '../shared/tickets.js';
import type { TicketDetailJson, TicketSummaryJson } from '../shared/http-api.js';
import { RtConnector } from '../server/desk/rt/connector.js';
import { DeskSyncEngine } from '../server/desk/sync/engine.js';
import { deskKey } from '../server/desk/sync/keys.js';
import { followBatch } from '../server/ingest/apply-tickets.js';
import { openDatabase } from '../server/store/sqlite/open.js';
import { SqliteStore } from '../server/store/sqlite/sqlite-store.js';
import type { TicketItem } from '../server/store/ticket-records.js';
import {
  createToken,
  run,
  runToEnd,
  startAgent,
  tempDir,
  waitFor,
  waitForDevice,
  waitForOutput,
  type AgentProc,
  type Proc,
} from './support/outpost.js';
import { rtRest, rtSkip, startRt, type RtInstance } from './support/rt.js';
import { createItem, deviceDetails } from './support/server/ticket-fixtures.js';

const ADMIN_TOKEN = 'e2e-admin-token-numbers-0123456789';
/** Tickets raised in RT before Outpost starts: RT's numbers run ahead of Outpost's. */
const RAISED_IN_RT_FIRST = 5;

describe('desk ticket numbers and requesters with a real Request Tracker', { skip: rtSkip() }, () => {
  const dir = tempDir();
  const stateDir = join(dir, 'agent');
  let rt: RtInstance;
  let desk: RtConnector;
  let server: Proc & { url: string };
  let agent: AgentProc;
  let deviceId: string;
  const earlier: string[] = [];

  async function asAdmin<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await rtRest<T>(rt, method, path, body)).body;
  }
  /** A ticket a person raises in RT itself (a phone call): Outpost never sees it being made. */
  const raiseInRt = async (subject: string) =>
    String(
      (
        await asAdmin<{ id: number | string }>('POST', '/ticket', {
          Queue: 'General',
          Subject: subject,
          Content: 'Called in.',
          ContentType: 'text/plain',
          Requestor: 'caller@example.com',
        })
      ).id,
    );
  const api = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as T;
  const cliJson = async <T>(...args: string[]): Promise<T> => {
    const r = await runToEnd([...args, '--state', stateDir, '--json']);
    assert.equal(r.code, 0, r.output);
    return JSON.parse(r.stdout) as T;
  };
  const worked = async (id: string) => (await desk.fetchTicket(id)).timeWorkedMinutes ?? 0;
  const worklog = (ticket: string, minutes: number) =>
    cliJson<EndpointWorklog>(
      'worklog',
      'add',
      '--ticket',
      ticket,
      '--start',
      '2026-03-01T09:00:00Z',
      '--end',
      new Date(Date.parse('2026-03-01T09:00:00Z') + minutes * 60_000).toISOString(),
      '--technician',
      'Tom Tech',
    );
  const worklogState = (ref: string) =>
    waitFor(
      async () => {
        const list = await cliJson<{ items: EndpointWorklog[] }>('worklog', 'list');
        const w = list.items.find((x) => x.ref === ref);
        return w && w.state !== 'queued' ? w : undefined;
      },
      30_000,
      `worklog ${ref} answered by the server`,
    );

  before(async () => {
    rt = await startRt();
    desk = new RtConnector({ url: rt.url, user: rt.user, auth: { kind: 'token', token: rt.token } }, silentLogger);
    for (let i = 0; i < RAISED_IN_RT_FIRST; i++) earlier.push(await raiseInRt(`Raised in RT first ${i}`));
    const secretFile = join(dir, 'rt-token');
    writeFileSync(secretFile, rt.token, { mode: 0o600 });
    // No --desk-requester-domain: requesters are found by email, login name or the fallback.
    server = run(
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
        '--desk-poll',
        '2',
      ],
      { OUTPOST_ADMIN_TOKEN: ADMIN_TOKEN },
    ) as Proc & { url: string };
    const [, url] = await waitForOutput(server, /listening on (http:\/\/\S+)/);
    server.url = url!;
    agent = startAgent(server.url, stateDir, await createToken(join(dir, 'server')));
    deviceId = (
      await waitForDevice({
        ...server,
        adminToken: ADMIN_TOKEN,
        api: async <T>(path: string) => ({ status: 200, body: await api<T>(path) }),
      })
    ).id;
  });

  after(async () => {
    await agent?.kill();
    await server?.kill();
    await rt?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows RT's number for a tray ticket, and a worklog against that number adds TimeWorked to it and to no other", async () => {
    const { ref } = await cliJson<{ ref: string }>('ticket', 'create', '--subject', 'Numbers differ', '--description', 'From the tray.');
    const key = deskKey('ticket', deviceId, ref);
    const rtId = await waitFor(
      async () => {
        const found = await asAdmin<{ items: { id: string }[] }>(
          'GET',
          `/tickets?query=${encodeURIComponent(`'CF.{Outpost Key}' = '${key}'`)}`,
        );
        return found.items[0]?.id;
      },
      30_000,
      'the RT ticket',
    );
    const outpost = await waitFor(
      async () => (await api<{ items: TicketSummaryJson[] }>('/api/tickets?q=Numbers%20differ')).items.find((t) => t.deskNumber !== null),
      30_000,
      "the ticket's link to RT",
    );
    assert.notEqual(String(outpost.id), rtId, "RT's numbers run ahead of Outpost's");
    assert.ok(earlier.includes(String(outpost.id)), `RT has a ticket #${outpost.id} of its own: the number that would collide`);
    assert.deepEqual([outpost.deskNumber, outpost.label], [rtId, `#${rtId}`]);

    // The tray and the CLI show RT's number; `ticket show` finds the ticket by it.
    const shown = await waitFor(
      async () => {
        const list = await runToEnd(['ticket', 'list', '--state', stateDir]);
        return list.stdout.includes(`#${rtId}`) ? list.stdout : undefined;
      },
      30_000,
      "RT's number in `outpost ticket list`",
    );
    assert.match(shown, new RegExp(`^#${rtId} +\\w+ +Numbers differ`, 'm'));
    assert.equal((await cliJson<{ ref: string }>('ticket', 'show', `#${rtId}`)).ref, ref);

    const before = await Promise.all([rtId, ...earlier].map(worked));
    const w = await worklog(rtId, 45);
    assert.equal((await worklogState(w.ref)).state, 'recorded');
    const moved = await waitFor(
      async () => ((await worked(rtId)) !== before[0] ? worked(rtId) : undefined),
      30_000,
      'TimeWorked on the RT ticket',
    );
    assert.equal(moved - before[0]!, 45);
    assert.deepEqual(await Promise.all(earlier.map(worked)), before.slice(1), 'no other RT ticket got the time');
    const detail = await api<TicketDetailJson>(`/api/tickets/${outpost.id}`);
    assert.deepEqual(
      detail.worklogs.map((x) => x.minutes),
      [45],
    );
    // root has no email here and is RT's user root: the login-name rule, shown with the ticket.
    assert.deepEqual(detail.deskRequester, { rule: 'login', requester: 'root' });
    assert.equal((await desk.fetchTicket(rtId)).requesters.length, 1, 'RT has the requester');
  });

  it('records a worklog against a ticket raised directly in RT, in RT and in Outpost; a number neither has is refused', async () => {
    const phoned = await raiseInRt('Called in: VPN down');
    const w = await worklog(`#${phoned}`, 30);
    assert.equal((await worklogState(w.ref)).state, 'recorded');
    assert.equal(await waitFor(async () => ((await worked(phoned)) > 0 ? worked(phoned) : undefined), 30_000, 'TimeWorked'), 30);
    const [kept] = (await api<{ items: TicketSummaryJson[] }>(`/api/tickets?q=%23${phoned}`)).items.filter((t) => t.deskNumber === phoned);
    assert.ok(kept, 'Outpost keeps the ticket raised in RT');
    assert.equal(kept.subject, 'Called in: VPN down');
    assert.equal(kept.label, `#${phoned}`);
    assert.equal(kept.deviceId, null);
    assert.deepEqual(
      (await api<TicketDetailJson>(`/api/tickets/${kept.id}`)).worklogs.map((x) => [x.minutes, x.technician]),
      [[30, 'Tom Tech']],
    );

    const nowhere = await worklog('999999', 15);
    const refused = await worklogState(nowhere.ref);
    assert.deepEqual([refused.state, refused.error?.code], ['rejected', 'E_UNKNOWN_TICKET']);
  });

  it('raises a ticket in RT for an account with no email and no RT user: the fallback requester, the account named in it', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'outpost-desk-numbers-'));
    const db = openDatabase(storeDir);
    db.prepare(
      `INSERT INTO devices (id, install_id, hostname, serial, macs, secret_hash, first_seen, last_seen) VALUES ('dev-fallback', 'inst', 'pc-fallback', NULL, '[]', x'00', 0, 0)`,
    ).run();
    const store = new SqliteStore(db);
    const engine = new DeskSyncEngine({
      desk,
      store,
      log: silentLogger,
      pollMs: 3_600_000,
      deskUser: rt.user,
      ticketChanged: () => undefined,
    });
    try {
      engine.start();
      const requester = { account: `nobody${Date.now().toString(36)}`, domain: 'CORP' };
      const item = createItem(1, 'ref-fallback-1', { requester, device: deviceDetails('pc-fallback') }) as TicketItem;
      const at = Date.now();
      const plan = () => ({ lastSeq: 1, needsFull: false, changes: [], ticketItems: [item] });
      await store.applyBatch('dev-fallback', at, plan, followBatch(at, undefined, engine.jobs));
      await engine.whenIdle();
      const ticketId = (await store.desk.ticketIdByRef('dev-fallback', 'ref-fallback-1'))!;
      const rtId = await store.desk.deskIdFor('ticket', String(ticketId));
      assert.ok(rtId, `the ticket reached RT (${JSON.stringify((await engine.status()).jobs)})`);
      const inRt = await desk.fetchTicket(rtId);
      assert.equal(inRt.requesters.length, 1);
      const texts = (
        await asAdmin<{ items: { Content: string }[] }>('GET', `/ticket/${rtId}/attachments?fields=Content&per_page=100`)
      ).items.map((a) => a.Content);
      assert.ok(
        texts.some((t) => t.includes(`Raised by CORP\\${requester.account}`)),
        texts.join('\n'),
      );
      assert.deepEqual((await store.getTicket(ticketId))?.deskRequester, { rule: 'fallback', requester: rt.user });
    } finally {
      await engine.stop();
      await store.close();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
