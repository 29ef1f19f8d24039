import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../shared/log.js';
import type { Item, ServerMessage } from '../../shared/protocol.js';
import { testFleet, type TestFleet } from '../../test/support/server/fleet.js';
import { alice, deviceDetails } from '../../test/support/server/ticket-fixtures.js';
import { BatchJobRules } from '../desk/sync/batch-jobs.js';
import { Deployer } from './deployer.js';
import { DeploySigner } from './signing.js';
import { DEPLOY_NOTE_AUTHOR } from './ticket-progress.js';

const step = (seq: number, deploymentId: string, state: string, extra: Record<string, unknown> = {}): Item =>
  ({ seq, at: '2026-12-07T10:00:00.000Z', kind: 'deploy.status', body: { deploymentId, state, attempt: 1, ...extra } }) as Item;

describe('deployment steps recorded once, and a ticket told how it goes', () => {
  let fleet: TestFleet;
  let deployer: Deployer;
  let pc1: string;
  let pc2: string;
  let packageId: string;
  const sent: { deviceId: string; message: ServerMessage }[] = [];
  const changed: number[] = [];
  const online = new Set<string>();
  const jobs = new BatchJobRules();

  before(async () => {
    fleet = await testFleet();
    pc1 = await fleet.add({ hostname: 'pc-1' });
    pc2 = await fleet.add({ hostname: 'pc-2' });
    jobs.setEnabled(true);
    deployer = new Deployer({
      store: fleet.store,
      signer: DeploySigner.open(mkdtempSync(join(tmpdir(), 'outpost-signer-'))),
      log: silentLogger,
      now: () => Date.parse('2026-12-07T10:01:00Z'),
      deskJobs: jobs,
      send: (deviceId, message) => (online.has(deviceId) ? (sent.push({ deviceId, message }), true) : false),
      ticketChanged: (_deviceId, _ref, ticketId) => void changed.push(ticketId),
    });
    const pkg = await fleet.store.deploy.addPackage({
      id: randomUUID(),
      name: 'Tool',
      version: '1.0',
      installer: 'apt',
      fileSha256: null,
      managerPackage: 'tool',
      args: [],
      detection: { name: 'tool' },
      platforms: ['linux'],
      selfService: false,
      timeoutSeconds: 600,
      retries: 0,
      createdAt: 1,
      createdBy: 'admin',
    });
    packageId = pkg.id;
  });
  after(async () => fleet.close());

  async function deployment(ticketId: number | null, deviceIds: string[]): Promise<string> {
    const id = randomUUID();
    const created = await fleet.store.deploy.createDeployment(
      { id, packageId, createdAt: 2, createdBy: 'it', notBefore: null, notAfter: null, ticketId },
      { deviceIds },
      10,
    );
    assert.ok(created.ok);
    await deployer.dispatch(id, deviceIds);
    return id;
  }

  it('sends signed commands to connected devices now and to the others when they connect, until they report queued', async () => {
    online.add(pc1);
    const id = await deployment(null, [pc1, pc2]);
    assert.deepEqual(
      sent.map((s) => [s.deviceId, s.message.type]),
      [[pc1, 'deploy']],
    );
    const pending = await deployer.pendingMessages(pc2);
    assert.deepEqual(
      pending.map((m) => [m.command.deploymentId, m.command.deviceId, m.command.package.managerPackage]),
      [[id, pc2, 'tool']],
    );
    assert.deepEqual(await deployer.recordSteps(pc2, [step(10, id, 'queued')]), []);
    assert.deepEqual(await deployer.pendingMessages(pc2), []);
  });

  it('records a redelivered step once and refuses a step for another device’s deployment', async () => {
    const id = await deployment(null, [pc1]);
    await deployer.recordSteps(pc1, [step(20, id, 'queued'), step(21, id, 'installing')]);
    await deployer.recordSteps(pc1, [step(20, id, 'queued'), step(21, id, 'installing')]);
    const problems = await deployer.recordSteps(pc2, [step(30, id, 'succeeded')]);
    assert.deepEqual(
      problems.map((p) => [p.code, p.seq]),
      [['E_NOT_FOUND', 30]],
    );
    const detail = (await fleet.store.deploy.getDeployment(id))!;
    assert.deepEqual(
      detail.targets.map((t) => [t.hostname, t.state, t.steps.length]),
      [['pc-1', 'installing', 2]],
    );
  });

  it('writes progress and outcome on the ticket it was started from, through the desk queue, and resolves it when every device has it', async () => {
    const ticket = (await fleet.store.deviceWork.createDeviceTicket(pc1, {
      subject: 'Need Tool',
      description: 'Please install Tool',
      priority: 'normal',
      requester: alice,
      device: deviceDetails('pc-1'),
      raisedBy: 'it',
      at: 3,
    }))!;
    const id = await deployment(ticket.id, [pc1, pc2]);
    await deployer.recordSteps(pc1, [step(40, id, 'queued'), step(41, id, 'downloading'), step(42, id, 'installing')]);
    await deployer.recordSteps(pc1, [step(43, id, 'succeeded', { rebootRequired: true })]);
    let detail = (await fleet.store.getTicket(ticket.id))!;
    assert.equal(detail.status, 'new', 'pc-2 does not have it yet');
    await deployer.recordSteps(pc2, [step(50, id, 'installing'), step(51, id, 'succeeded')]);
    await deployer.recordSteps(pc2, [step(51, id, 'succeeded')]);
    detail = (await fleet.store.getTicket(ticket.id))!;
    assert.deepEqual(
      detail.notes.filter((n) => n.author === DEPLOY_NOTE_AUTHOR).map((n) => [n.visibility, n.text]),
      [
        ['customer', 'Installing Tool 1.0 on pc-1.'],
        ['customer', 'Tool 1.0 was installed on pc-1; the machine needs a restart to finish.'],
        ['customer', 'Installing Tool 1.0 on pc-2.'],
        ['customer', 'Tool 1.0 was installed on pc-2.'],
      ],
    );
    assert.equal(detail.status, 'resolved');
    assert.ok(changed.includes(ticket.id));
    for (const note of detail.notes.filter((n) => n.author === DEPLOY_NOTE_AUTHOR)) {
      assert.ok(await fleet.store.desk.jobState(`note:server:${note.id}`), 'each note is queued for the desk');
    }
  });

  it('leaves the ticket open with the reason when the install fails', async () => {
    const ticket = (await fleet.store.deviceWork.createDeviceTicket(pc2, {
      subject: 'Need Tool',
      description: 'Please install Tool',
      priority: 'normal',
      requester: alice,
      device: deviceDetails('pc-2'),
      raisedBy: 'it',
      at: 4,
    }))!;
    const id = await deployment(ticket.id, [pc2]);
    await deployer.recordSteps(pc2, [step(60, id, 'failed', { code: 'E_DEPLOY_INSTALL', message: 'apt-get exited with 100' })]);
    const detail = (await fleet.store.getTicket(ticket.id))!;
    assert.equal(detail.status, 'new');
    assert.equal(detail.notes.at(-1)!.text, 'Tool 1.0 could not be installed on pc-2: apt-get exited with 100 (E_DEPLOY_INSTALL).');
  });
});
