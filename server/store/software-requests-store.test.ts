// Self-service requests on both store engines: the typed request a ticket carries (which package),
// the requests waiting for the desk, the desk's answer kept once and shown to the endpoint, and the
// exemption an approved exception grants. Then the approval poll over the store: approved ->
// one deployment for that device and ticket, however often the poll runs; rejected -> the reason.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, it } from 'node:test';
import { silentLogger } from '../../shared/log.js';
import type { SoftwareRequest } from '../../shared/self-service.js';
import { machine, pkg, storedOutcome } from '../../test/support/server/fixtures.js';
import { createItem } from '../../test/support/server/ticket-fixtures.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../test/support/stores.js';
import { ApprovalPoller, deploymentIdFor } from '../deploy/approvals.js';
import type { DeskApproval } from '../desk/approval.js';
import { followBatch } from '../ingest/apply-tickets.js';
import type { Store } from './store.js';
import type { TicketItem } from './ticket-records.js';

const PC = 'dev-ss-pc';
const T = 1_765_000_000_000;

describeStores('self-service requests in the store', (engine) => {
  let kit: StoreUnderTest;
  let store: Store;
  let seq = 0;
  let packageId: string;

  const raise = async (ref: string, softwareRequest?: SoftwareRequest): Promise<number> => {
    const items = [
      createItem(++seq, ref, softwareRequest ? { softwareRequest, subject: `Software request: ${softwareRequest.name}` } : {}),
    ];
    const plan = () => ({ lastSeq: seq, needsFull: false, changes: [], ticketItems: items as TicketItem[] });
    const r = (await store.applyBatch(PC, T, plan, followBatch(T)))!.tickets[0]!;
    assert.ok(r.type === 'ticket');
    return r.ticketId;
  };
  const onDesk = (ticketId: number, deskNumber: string) =>
    kit.sql("INSERT INTO desk_links (kind, outpost_id, desk_id) VALUES ('ticket', $1, $2)", [String(ticketId), deskNumber]);
  const endpointView = async (ref: string) => (await store.endpointTickets(PC, { refs: [ref], limit: 1 }))[0]!;

  beforeEach(async () => {
    kit = await freshStore(engine);
    store = kit.store;
    await kit.addDevice(PC, { hostname: 'pc-1' });
    const pkg = await store.deploy.addPackage({
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
    packageId = pkg.id;
  });
  afterEach(async () => kit.dispose());

  const install = (): SoftwareRequest => ({ kind: 'install', packageId, name: 'draw.io', version: '24.1' });

  it('keeps which package a ticket asks for, pending, for the endpoint and for IT', async () => {
    const id = await raise('ref-ss-install', install());
    const plain = await raise('ref-ss-plain');
    assert.deepEqual((await endpointView('ref-ss-install')).softwareRequest, {
      ...install(),
      approval: { state: 'pending', reason: null, at: null },
    });
    assert.equal((await endpointView('ref-ss-plain')).softwareRequest, undefined);
    assert.equal((await store.getTicket(id))!.softwareRequest?.packageId, packageId);
    assert.equal((await store.getTicket(plain))!.softwareRequest, null);
    // Not on the desk yet: waiting, with nothing to ask the desk about.
    assert.deepEqual(
      (await store.softwareRequests.pending(10)).map((p) => [p.ticketId, p.deskNumber]),
      [[id, null]],
    );
    await onDesk(id, '41');
    const [pending] = await store.softwareRequests.pending(10);
    assert.deepEqual(pending, { ticketId: id, deviceId: PC, ref: 'ref-ss-install', deskNumber: '41', status: 'new', request: install() });
  });

  it("keeps the desk's answer once and shows the endpoint the rejection's reason", async () => {
    const id = await raise('ref-ss-no', install());
    const before = (await endpointView('ref-ss-no')).updatedAt;
    const no = { state: 'rejected' as const, reason: 'No licence left; use LibreOffice Draw.', at: '2026-12-07T12:00:00.000Z' };
    assert.equal(await store.softwareRequests.decide(id, no, T + 60_000), true);
    assert.equal(await store.softwareRequests.decide(id, { ...no, state: 'approved' }, T + 120_000), false);
    const view = await endpointView('ref-ss-no');
    assert.deepEqual(view.softwareRequest?.approval, no);
    assert.ok(Date.parse(view.updatedAt) > Date.parse(before), 'the endpoint hears of the answer');
    assert.deepEqual(await store.softwareRequests.pending(10), []);
    assert.equal(await store.softwareRequests.decide(await raise('ref-ss-plain2'), no, T), false, 'a plain ticket takes no answer');
  });

  it('exempts the device for the name an approved exception asks to keep, once, and not for a rejected one', async () => {
    const yes = await raise('ref-ss-ex1', { kind: 'exception', packageId: null, name: 'Steam', version: null });
    const again = await raise('ref-ss-ex2', { kind: 'exception', packageId: null, name: ' STEAM ', version: null });
    const no = await raise('ref-ss-ex3', { kind: 'exception', packageId: null, name: 'uTorrent', version: null });
    const approved = { state: 'approved' as const, reason: null, at: null };
    assert.equal(await store.softwareRequests.decide(yes, approved, T), true);
    assert.equal(await store.softwareRequests.decide(again, approved, T), true);
    assert.equal(await store.softwareRequests.decide(no, { state: 'rejected', reason: 'No.', at: null }, T), true);
    assert.deepEqual(await store.softwareRequests.exemptions(PC), ['steam']);
    assert.deepEqual(await store.softwareRequests.exemptions('dev-elsewhere'), []);
    assert.deepEqual(await store.softwareRequests.listExemptions(10), [
      { deviceId: PC, hostname: 'pc-1', name: 'steam', ticketId: yes, createdAt: T },
    ]);
  });

  it('leaves an exempted device out of the prohibited counts until an admin revokes the exemption', async () => {
    const OTHER = 'dev-ss-other';
    await kit.addDevice(OTHER, { hostname: 'pc-2' });
    for (const [device, n] of [
      [PC, 1],
      [OTHER, 2],
    ] as const) {
      const snapshot = machine({ hostname: device, software: [pkg('Steam', '1.0'), pkg('bash', '5.2')] });
      await store.applyBatch(device, T, () => ({ lastSeq: n, needsFull: false, ...storedOutcome(snapshot, `d${n}`), changes: [] }));
    }
    const steam = (name: string) => name.toLowerCase() === 'steam';
    assert.deepEqual(await store.prohibitedDeviceCounts([steam]), [2]);
    const id = await raise('ref-ss-keep', { kind: 'exception', packageId: null, name: 'steam', version: null });
    assert.equal(await store.softwareRequests.decide(id, { state: 'approved', reason: null, at: null }, T + 1), true);
    assert.deepEqual(await store.prohibitedDeviceCounts([steam], steam), [1], 'pc-1 may keep it');
    assert.equal(await store.softwareRequests.revokeExemption(OTHER, 'Steam'), false, 'pc-2 had no exemption');
    assert.equal(await store.softwareRequests.revokeExemption(PC, ' STEAM '), true);
    assert.equal(await store.softwareRequests.revokeExemption(PC, 'Steam'), false, 'once');
    assert.deepEqual(await store.prohibitedDeviceCounts([steam]), [2]);
    assert.deepEqual(await store.softwareRequests.listExemptions(10), []);
  });

  it('approval poll: approved -> one deployment for that device and ticket; rejected -> the reason; a desk error waits', async () => {
    const yes = await raise('ref-poll-yes', install());
    const no = await raise('ref-poll-no', install());
    const flaky = await raise('ref-poll-flaky', install());
    const later = await raise('ref-poll-later', install());
    for (const [id, n] of [
      [yes, '1'],
      [no, '2'],
      [flaky, '3'],
      [later, '4'],
    ] as const)
      await onDesk(id, n);
    const answers = new Map<string, DeskApproval>([
      ['1', { state: 'approved', reason: null }],
      ['2', { state: 'rejected', reason: 'Not for this team.' }],
      ['4', { state: 'pending', reason: null }],
    ]);
    const asked: string[] = [];
    const dispatched: [string, readonly string[]][] = [];
    const told: number[] = [];
    const poller = new ApprovalPoller({
      store,
      connector: () => ({
        readApproval: async (n: string) => {
          asked.push(n);
          const a = answers.get(n);
          if (!a) throw new Error('RT answered 503');
          return a;
        },
      }),
      dispatch: async (id, devices) => void dispatched.push([id, devices]),
      ticketChanged: (_d, _r, ticketId) => void told.push(ticketId),
      log: silentLogger,
      now: () => T + 180_000,
      intervalMs: 180_000,
    });
    const first = await poller.pollOnce();
    assert.deepEqual([first.asked, first.approved, first.rejected], [4, 1, 1]);
    assert.deepEqual(dispatched, [[deploymentIdFor(yes), [PC]]]);
    const deployment = (await store.deploy.getDeployment(deploymentIdFor(yes)))!;
    assert.equal(deployment.ticketId, yes);
    assert.equal(deployment.packageId, packageId);
    assert.deepEqual(
      deployment.targets.map((t) => t.deviceId),
      [PC],
    );
    assert.deepEqual(told.sort(), [yes, no].sort());
    assert.deepEqual((await endpointView('ref-poll-no')).softwareRequest?.approval.reason, 'Not for this team.');
    assert.equal((await endpointView('ref-poll-yes')).softwareRequest?.approval.state, 'approved');

    // The next poll asks only about what still waits, and never deploys twice. An exception IT
    // granted exempts the device, and its ticket says what that covers and is resolved.
    const keep = await raise('ref-poll-keep', { kind: 'exception', packageId: null, name: 'Steam', version: null });
    await onDesk(keep, '5');
    answers.set('5', { state: 'approved', reason: null });
    asked.length = 0;
    answers.set('3', { state: 'approved', reason: null });
    const second = await poller.pollOnce();
    assert.deepEqual(asked.sort(), ['3', '4', '5']);
    assert.equal(second.approved, 2);
    assert.equal((await store.deploy.listDeployments({ deviceId: PC, limit: 10 })).length, 2);
    assert.deepEqual(await store.softwareRequests.exemptions(PC), ['steam']);
    const granted = (await store.getTicket(keep))!;
    assert.deepEqual(
      granted.notes.map((n) => [n.author, n.text, n.visibility]),
      [
        [
          'Outpost self-service',
          'IT allowed this computer to keep Steam: the prohibited-software list no longer flags it here. ' +
            'The exemption covers Steam, any version, on this computer only: other computers and other software are still checked, ' +
            'and IT can revoke it in the console. This request is resolved.',
          'customer',
        ],
      ],
    );
    assert.equal(granted.status, 'resolved');
    assert.equal((await endpointView('ref-poll-keep')).status, 'resolved', 'the person sees it done');
    assert.equal((await endpointView('ref-poll-keep')).softwareRequest?.approval.state, 'approved');
    await poller.pollOnce();
    assert.equal((await store.getTicket(keep))!.notes.length, 1, 'said once');
    // A rejected exception stays open for IT and the person to talk over.
    const refused = await raise('ref-poll-refused', { kind: 'exception', packageId: null, name: 'uTorrent', version: null });
    await onDesk(refused, '6');
    answers.set('6', { state: 'rejected', reason: 'Not on company machines.' });
    await poller.pollOnce();
    assert.deepEqual([(await store.getTicket(refused))!.status, (await store.getTicket(refused))!.notes.length], ['new', 0]);
  });
});
