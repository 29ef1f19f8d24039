// The approval poll (server/deploy/approvals.ts) over the ServiceDesk Plus and Autotask contract
// servers: a self-service request's desk ticket decided in the desk as each vendor documents it
// becomes one deployment of the package to the requesting device (approved), or the approver's
// reason on the endpoint's copy (rejected); a request still waiting in the desk stays waiting.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../shared/log.js';
import type { SoftwareRequest } from '../../shared/self-service.js';
import { ApprovalPoller, deploymentIdFor } from '../../server/deploy/approvals.js';
import { AutotaskConnector } from '../../server/desk/autotask/connector.js';
import type { DeskConnector } from '../../server/desk/connector.js';
import { SdpConnector } from '../../server/desk/sdp/connector.js';
import { followBatch } from '../../server/ingest/apply-tickets.js';
import type { TicketItem } from '../../server/store/ticket-records.js';
import { createItem } from '../support/server/ticket-fixtures.js';
import { freshStore, type StoreUnderTest } from '../support/stores.js';
import { AutotaskContractServer } from './autotask/contract-server.js';
import { SdpContractServer } from './sdp/contract-server.js';

const PC = 'dev-approval-pc';
const T = 1_765_000_000_000;

/** A store with one device and one self-service package; raise() files a request whose desk ticket is `deskNumber`. */
async function fleet() {
  const kit = await freshStore('sqlite');
  await kit.addDevice(PC, { hostname: 'pc-1' });
  const pkg = await kit.store.deploy.addPackage({
    id: randomUUID(),
    name: 'draw.io',
    version: '24.1',
    installer: 'apt',
    fileSha256: null,
    managerPackage: 'drawio',
    args: [],
    detection: { name: 'drawio' },
    platforms: ['linux'],
    selfService: true,
    timeoutSeconds: 600,
    retries: 0,
    createdAt: 1,
    createdBy: 'admin',
  });
  let seq = 0;
  const request: SoftwareRequest = { kind: 'install', packageId: pkg.id, name: 'draw.io', version: '24.1' };
  const raise = async (ref: string, deskNumber: string): Promise<number> => {
    const items = [createItem(++seq, ref, { softwareRequest: request, subject: 'Software request: draw.io' })];
    const plan = () => ({ lastSeq: seq, needsFull: false, changes: [], ticketItems: items as TicketItem[] });
    const r = (await kit.store.applyBatch(PC, T, plan, followBatch(T)))!.tickets[0]!;
    assert.ok(r.type === 'ticket');
    await kit.sql("INSERT INTO desk_links (kind, outpost_id, desk_id) VALUES ('ticket', $1, $2)", [String(r.ticketId), deskNumber]);
    return r.ticketId;
  };
  const approval = async (ref: string) => (await kit.store.endpointTickets(PC, { refs: [ref], limit: 1 }))[0]!.softwareRequest?.approval;
  return { kit, raise, approval, packageId: pkg.id };
}

function poller(kit: StoreUnderTest, desk: DeskConnector, dispatched: string[]) {
  return new ApprovalPoller({
    store: kit.store,
    connector: () => desk,
    dispatch: async (id) => void dispatched.push(id),
    ticketChanged: () => undefined,
    log: silentLogger,
    now: () => T + 180_000,
    intervalMs: 180_000,
  });
}

describe('approval poll against ServiceDesk Plus (approval levels)', () => {
  const API = { id: '9001', name: 'Outpost API', email_id: 'outpost@example.com' };
  const BOSS = { id: '9010', name: 'Bea Boss', email_id: 'bea@example.com' };
  const server = new SdpContractServer({ flavour: 'onprem', token: 'tok', technicians: [API] });
  let desk: SdpConnector;
  let f: Awaited<ReturnType<typeof fleet>>;

  before(async () => {
    const url = await server.start();
    desk = new SdpConnector({ url, flavour: 'onprem', token: 'tok', technician: API.name }, silentLogger);
  });
  after(() => server.stop());
  beforeEach(async () => (f = await fleet()));
  afterEach(() => f.kit.dispose());

  it('deploys once on approval, shows the approver comment on rejection, leaves an open level waiting', async () => {
    const ticket = (s: string) =>
      desk.createTicket({
        idempotencyKey: `ss-poll-${s}-key`,
        requesterEmail: 'al@example.com',
        subject: s,
        description: 'x',
        priority: 'normal',
      });
    const [yes, no, open] = [await ticket('yes'), await ticket('no'), await ticket('open')];
    const ids = { yes: await f.raise('ref-yes', yes), no: await f.raise('ref-no', no), open: await f.raise('ref-open', open) };
    server.approvals.decide(yes, server.approvals.sendForApproval(yes, [BOSS]), BOSS, 'approved');
    server.approvals.decide(no, server.approvals.sendForApproval(no, [BOSS]), BOSS, 'rejected', 'Use diagrams.net in the browser.');
    server.approvals.sendForApproval(open, [BOSS]);

    const dispatched: string[] = [];
    const p = poller(f.kit, desk, dispatched);
    const first = await p.pollOnce();
    assert.deepEqual([first.asked, first.approved, first.rejected], [3, 1, 1]);
    assert.deepEqual(dispatched, [deploymentIdFor(ids.yes)]);
    assert.equal((await f.kit.store.deploy.getDeployment(deploymentIdFor(ids.yes)))?.packageId, f.packageId);
    assert.deepEqual(
      [(await f.approval('ref-no'))?.state, (await f.approval('ref-no'))?.reason],
      ['rejected', 'Use diagrams.net in the browser.'],
    );
    assert.equal((await f.approval('ref-open'))?.state, 'pending');
    const second = await p.pollOnce();
    assert.deepEqual([second.asked, second.approved, dispatched.length], [1, 0, 1]);
    assert.deepEqual(server.violations, []);
  });
});

describe('approval poll against Autotask (ticket status)', () => {
  const CREDS = { integrationCode: 'TRACKINGID0123456789ABCDEFG', user: 'outpost-api@example.com', secret: 's3cret-autotask' };
  let clock = Date.parse('2026-03-01T09:00:00Z');
  const now = () => (clock += 1000);
  const server = new AutotaskContractServer({ ...CREDS, now });
  const boss = server.addResource('Bea', 'Boss', 'bea@example.com');
  let desk: AutotaskConnector;
  let f: Awaited<ReturnType<typeof fleet>>;

  before(async () => {
    const url = await server.start();
    desk = new AutotaskConnector({ ...CREDS, discoveryUrl: url, companyId: 0 }, silentLogger, undefined, now);
  });
  after(() => server.stop());
  beforeEach(async () => (f = await fleet()));
  afterEach(() => f.kit.dispose());

  it('deploys on the Approved status and shows the note of a Rejected one', async () => {
    const ticket = (key: string) =>
      desk.createTicket({
        idempotencyKey: key,
        requesterEmail: 'al@example.com',
        subject: 'draw.io',
        description: 'x',
        priority: 'normal',
      });
    const [yes, no] = [await ticket('ss-at-poll-yes'), await ticket('ss-at-poll-no')];
    const ids = { yes: await f.raise('ref-yes', yes), no: await f.raise('ref-no', no) };
    server.personSetsStatus(yes, 'Approved', boss);
    server.personAddsNote(no, 'Not on the approved list.', 'All Autotask Users', boss);
    server.personSetsStatus(no, 'Rejected', boss);

    const dispatched: string[] = [];
    const outcome = await poller(f.kit, desk, dispatched).pollOnce();
    assert.deepEqual([outcome.approved, outcome.rejected], [1, 1]);
    assert.deepEqual(dispatched, [deploymentIdFor(ids.yes)]);
    assert.equal((await f.approval('ref-no'))?.reason, 'Not on the approved list.');
    assert.equal(await f.kit.store.deploy.getDeployment(deploymentIdFor(ids.no)), null, 'nothing deployed for a rejection');
    assert.deepEqual(server.violations, []);
  });
});
