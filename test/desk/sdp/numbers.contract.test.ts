// ServiceDesk Plus request ids as the numbers people quote, and requesters without an email,
// against the contract server built from the documented samples: the connector's look-ups, then
// the store and sync engine as the server runs them. Each part ends with no off-contract call.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import type { Requester } from '../../../shared/tickets.js';
import { SdpConnector } from '../../../server/desk/sdp/connector.js';
import { DeskSyncEngine } from '../../../server/desk/sync/engine.js';
import { followBatch } from '../../../server/ingest/apply-tickets.js';
import { openDatabase } from '../../../server/store/sqlite/open.js';
import { SqliteStore } from '../../../server/store/sqlite/sqlite-store.js';
import type { TicketItem } from '../../../server/store/ticket-records.js';
import { createItem, worklogItem } from '../../support/server/ticket-fixtures.js';
import { SdpContractServer } from './contract-server.js';

const API = { id: '9001', name: 'Outpost API', email_id: 'outpost@example.com' };
const TOM = { id: '9002', name: 'Tom Tech', email_id: 'tom@example.com' };
const DEVICE = 'dev-sdp-numbers';

describe('ServiceDesk Plus request ids and requesters (contract server)', () => {
  const server = new SdpContractServer({ flavour: 'onprem', token: 'tech-key-1', technicians: [API, TOM] });
  let desk: SdpConnector;

  before(async () => {
    const url = await server.start();
    desk = new SdpConnector(
      { url, flavour: 'onprem', token: 'tech-key-1', technician: API.name, requestKeyField: 'udf_sline_301' },
      silentLogger,
    );
  });
  after(() => server.stop());

  it('finds a requester by login name (none without one), and a request raised in SDP by its id (none for an unknown id)', async () => {
    const jo = server.state.addRequester('Jo Local', 'jlocal');
    const found = await desk.findUserByLogin('jlocal');
    assert.deepEqual([found?.id, found?.login, found?.email], [jo.id, 'jlocal', '']);
    assert.equal(await desk.findUserByLogin('nobody-here'), null);

    const phoned = server.personRaisesRequest('Called in: no VPN', jo, TOM);
    const request = await desk.findTicketByNumber(phoned);
    assert.deepEqual([request?.id, request?.subject], [phoned, 'Called in: no VPN']);
    assert.equal(await desk.findTicketByNumber('424242424242'), null);
    assert.equal(await desk.findTicketByNumber('not-a-number'), null);
    assert.deepEqual(server.violations, []);
  });

  describe('through the store and the sync engine', () => {
    let dir: string;
    let store: SqliteStore;
    let engine: DeskSyncEngine;
    let seq = 0;

    const deliver = async (...items: ((s: number) => unknown)[]) => {
      const made = items.map((m) => m(++seq)) as TicketItem[];
      // As the agent session does: desk numbers the worklogs name are looked up first.
      await engine.importNamedTickets(made.flatMap((i) => (i.kind === 'worklog' ? [i.body.entry.ticketId] : [])));
      const at = Date.now();
      const plan = () => ({ lastSeq: seq, needsFull: false, changes: [], ticketItems: made });
      const applied = await store.applyBatch(DEVICE, at, plan, followBatch(at, undefined, engine.jobs));
      await engine.whenIdle();
      return applied!.tickets;
    };
    const raised = async (ref: string, requester: Requester) => {
      await deliver((s) => createItem(s, ref, { requester }));
      const id = (await store.desk.ticketIdByRef(DEVICE, ref))!;
      return { id, ticket: (await store.getTicket(id))!, request: server.request((await store.desk.deskIdFor('ticket', String(id)))!) };
    };

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'outpost-sdp-numbers-'));
      const db = openDatabase(dir);
      db.prepare(
        `INSERT INTO devices (id, install_id, hostname, serial, macs, secret_hash, first_seen, last_seen) VALUES (?, 'inst', 'pc-sdp', NULL, '[]', x'00', 0, 0)`,
      ).run(DEVICE);
      store = new SqliteStore(db);
      engine = new DeskSyncEngine({
        desk,
        store,
        log: silentLogger,
        pollMs: 3_600_000,
        deskUser: API.name,
        fallbackRequester: 'helpdesk@example.com',
        ticketChanged: () => undefined,
      });
      engine.start();
    });
    afterEach(async () => {
      await engine.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("labels a ticket with SDP's request id, and a worklog against that id lands on that request only", async () => {
      const other = server.personRaisesRequest('Someone else', server.state.addRequester('Sam Other', 'sother'), TOM);
      const { id, request } = await raised('ref-sdp-n1', { account: 'alice', email: 'alice@example.com' });
      const [summary] = await store.listTickets({ query: `#${request.id}`, limit: 5 });
      assert.deepEqual([summary?.id, summary?.deskNumber, summary?.label], [id, request.id, `#${request.id}`]);
      const results = await deliver((s) =>
        worklogItem(s, 'wl-sdp-n1', request.id, '2026-03-01T09:00:00Z', '2026-03-01T09:40:00Z', { technician: TOM.name }),
      );
      assert.deepEqual(
        results.map((r) => (r.type === 'worklog' ? r.state : r.type)),
        ['recorded'],
      );
      assert.deepEqual(
        server.request(request.id).worklogs.map((w) => w.minutes),
        [40],
      );
      assert.deepEqual(server.request(other).worklogs, []);
      // Outpost's own number still works, in its own form.
      await deliver((s) =>
        worklogItem(s, 'wl-sdp-n2', `OP-${id}`, '2026-03-01T10:00:00Z', '2026-03-01T10:05:00Z', { technician: TOM.name }),
      );
      assert.deepEqual(
        server.request(request.id).worklogs.map((w) => w.minutes),
        [40, 5],
      );
      assert.deepEqual(server.violations, []);
    });

    it('records a worklog against a request raised in SDP, there and in Outpost; refuses an id SDP does not have', async () => {
      const phoned = server.personRaisesRequest('Called in: printer', server.state.addRequester('Pat Phone', 'pphone'), TOM);
      const [recorded] = await deliver((s) =>
        worklogItem(s, 'wl-sdp-p1', phoned, '2026-03-01T09:00:00Z', '2026-03-01T09:25:00Z', { technician: TOM.name }),
      );
      assert.equal(recorded?.type === 'worklog' && recorded.state, 'recorded');
      assert.deepEqual(
        server.request(phoned).worklogs.map((w) => w.minutes),
        [25],
      );
      const [kept] = await store.listTickets({ query: phoned, limit: 5 });
      assert.deepEqual([kept?.subject, kept?.deskNumber, kept?.deviceId], ['Called in: printer', phoned, null]);
      assert.deepEqual(
        (await store.getTicket(kept!.id))?.worklogs.map((w) => w.minutes),
        [25],
      );

      const [refused] = await deliver((s) => worklogItem(s, 'wl-sdp-p2', '777777777', '2026-03-01T09:00:00Z', '2026-03-01T09:10:00Z'));
      assert.equal(refused?.type === 'worklog' && refused.state === 'rejected' && refused.error.code, 'E_UNKNOWN_TICKET');
      assert.deepEqual(server.violations, []);
    });

    it('gives a ticket without an email the SDP requester of its login name, else the fallback requester, and records the rule', async () => {
      const kim = server.state.addRequester('Kim Domain', 'kdomain');
      const byLogin = await raised('ref-sdp-r1', { account: 'kdomain', domain: 'CORP' });
      assert.equal(byLogin.request.requester.id, kim.id);
      assert.deepEqual(byLogin.ticket.deskRequester, { rule: 'login', requester: 'kdomain' });

      const byFallback = await raised('ref-sdp-r2', { account: 'localonly', domain: 'PC-7' });
      assert.equal(byFallback.request.requester.email_id, 'helpdesk@example.com');
      assert.match(byFallback.request.description, /Raised by PC-7\\localonly/);
      assert.deepEqual(byFallback.ticket.deskRequester, { rule: 'fallback', requester: 'helpdesk@example.com' });

      const byEmail = await raised('ref-sdp-r3', { account: 'kdomain', email: 'kim@example.com' });
      assert.equal(byEmail.request.requester.email_id, 'kim@example.com');
      assert.deepEqual(byEmail.ticket.deskRequester, { rule: 'email', requester: 'kim@example.com' });
      assert.deepEqual(server.violations, []);
    });
  });
});
