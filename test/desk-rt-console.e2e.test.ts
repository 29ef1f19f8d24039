// The RT connector's side of the console against a real RT 5 (test/support/rt.ts): the queues a
// ticket raised in the console can go to, a ticket created in the queue IT chose, the tickets that
// refer to a device's asset (also those raised in RT by hand), and desk
// technicians (RT privileged users) checked with their own RT password.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { RtConnector } from '../server/desk/rt/connector.js';
import { RecordingLogger } from './fakes/recording-logger.js';
import { rtRest, rtSkip, startRt, type RtInstance } from './support/rt.js';

const tag = () => randomBytes(4).toString('hex');

describe('RT connector for the console against a real RT 5', { skip: rtSkip() }, () => {
  let rt: RtInstance;
  let desk: RtConnector;

  /** RT's REST API as a person (root), not as the connector. */
  const asAdmin = <T = unknown>(method: string, path: string, body?: unknown) => rtRest<T>(rt, method, path, body);

  before(async () => {
    rt = await startRt();
    desk = new RtConnector({ url: rt.url, user: rt.user, auth: { kind: 'token', token: rt.token } }, new RecordingLogger());
  });
  after(async () => {
    await rt?.stop();
  });

  it("lists RT's queues with the configured default, and creates a ticket in the queue IT chose", async () => {
    const name = `Hardware ${tag()}`;
    const made = await asAdmin('POST', '/queue', { Name: name });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const queues = await desk.listQueues();
    assert.ok(queues.names.includes('General'), queues.names.join(', '));
    assert.ok(queues.names.includes(name), queues.names.join(', '));
    assert.equal(queues.default, 'General');
    const id = await desk.createTicket({
      idempotencyKey: `outpost-t-${tag()}`,
      requesterEmail: 'bob@example.com',
      subject: 'Replace the battery',
      description: 'It lasts 40 minutes.',
      priority: 'high',
      category: 'Hardware',
      queue: name,
    });
    const ticket = await asAdmin<{ Queue: { id: string } }>('GET', `/ticket/${id}`);
    const queue = await asAdmin<{ Name: string }>('GET', `/queue/${ticket.body.Queue.id}`);
    assert.equal(queue.body.Name, name);
  });

  it("lists the tickets that refer to a device's asset, also one raised in RT by hand, and none of another asset's", async () => {
    const asset = await desk.saveAsset({ name: `ws-${tag()}`, macs: [] });
    const other = await desk.saveAsset({ name: `ws-${tag()}`, macs: [] });
    const ours = await desk.createTicket({
      idempotencyKey: `outpost-t-${tag()}`,
      requesterEmail: 'bob@example.com',
      subject: 'Raised from the tray',
      description: 'Linked by the connector.',
      priority: 'normal',
      assetId: asset.id,
    });
    // A technician takes a phone call and links the ticket to the asset in RT.
    const byPhone = await asAdmin<{ id: number }>('POST', '/ticket', {
      Queue: 'General',
      Subject: 'Called: screen flickers',
      Requestor: 'carol@example.com',
      RefersTo: `asset:${asset.id}`,
    });
    assert.equal(byPhone.status, 201, JSON.stringify(byPhone.body));
    await desk.createTicket({
      idempotencyKey: `outpost-t-${tag()}`,
      requesterEmail: 'dan@example.com',
      subject: 'Another device',
      description: 'Not this one.',
      priority: 'normal',
      assetId: other.id,
    });
    const listed = await desk.assetTickets(asset.id, 50);
    assert.deepEqual(
      listed.map((t) => [t.id, t.subject, t.status]),
      [
        [String(byPhone.body.id), 'Called: screen flickers', 'new'],
        [ours, 'Raised from the tray', 'new'],
      ],
    );
  });

  it('checks a technician with their own RT password, and only while they are privileged', async () => {
    const name = `tech-${tag()}`;
    const password = `rt password ${tag()}`;
    const made = await asAdmin('POST', '/user', { Name: name, Password: password, EmailAddress: `${name}@rt.test`, Privileged: 1 });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(await desk.verifyTechnician(name, password), true);
    assert.equal(await desk.verifyTechnician(name, 'not the password'), false);
    assert.equal(await desk.verifyTechnician('nobody-here', password), false);
    assert.deepEqual(await desk.findTechnician(name), { username: name, email: `${name}@rt.test` });
    assert.equal(await desk.findTechnician('nobody-here'), null);
    // An unprivileged user (an end user in RT's terms) is no technician, password or not.
    const put = await asAdmin('PUT', `/user/${name}`, { Privileged: 0 });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(await desk.verifyTechnician(name, password), false);
    assert.equal(await desk.findTechnician(name), null);
  });
});
