// A self-service request's approval read from an Autotask ticket's status, as Datto documents
// Tickets (status, a picklist) and picklists (labels per database, read from entityInformation/fields).
// A rejection's reason is the last note a person wrote. Each test ends with no off-contract call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { AutotaskConnector } from '../../../server/desk/autotask/connector.js';
import { AutotaskContractServer } from './contract-server.js';

const CREDS = { integrationCode: 'TRACKINGID0123456789ABCDEFG', user: 'outpost-api@example.com', secret: 's3cret-autotask' };
let clock = Date.parse('2026-03-01T09:00:00Z');
const now = () => (clock += 1000);

describe('Autotask self-service approvals', () => {
  const server = new AutotaskContractServer({ ...CREDS, now });
  const boss = server.addResource('Bea', 'Boss', 'bea@example.com');
  let desk: AutotaskConnector;
  const request = async (key: string) =>
    desk.createTicket({
      idempotencyKey: key,
      requesterEmail: 'al@example.com',
      subject: 'Get GIMP',
      description: 'please',
      priority: 'normal',
    });

  before(async () => {
    const url = await server.start();
    desk = new AutotaskConnector({ ...CREDS, discoveryUrl: url, companyId: 0 }, silentLogger, undefined, now);
  });
  after(() => server.stop());

  it('waits while the ticket is in any other status', async () => {
    const id = await request('ss-at-wait-01');
    assert.deepEqual(await desk.readApproval(id), { state: 'pending', reason: null });
    server.personSetsStatus(id, 'In Progress', boss);
    assert.deepEqual(await desk.readApproval(id), { state: 'pending', reason: null });
    assert.deepEqual(server.violations, []);
  });

  it('is approved when a person sets the Approved status', async () => {
    const id = await request('ss-at-yes-01');
    server.personSetsStatus(id, 'Approved', boss);
    assert.deepEqual(await desk.readApproval(id), { state: 'approved', reason: null });
    assert.deepEqual(server.violations, []);
  });

  it("is rejected with the person's last note as the reason, never Outpost's own", async () => {
    const id = await request('ss-at-no-01');
    await desk.addNote({ ticketId: id, visibility: 'public', text: 'Installed by Outpost soon', idempotencyKey: 'own-note-0001' });
    server.personAddsNote(id, 'Not licensed for your team.', 'All Autotask Users', boss);
    server.personSetsStatus(id, 'Rejected', boss);
    assert.deepEqual(await desk.readApproval(id), { state: 'rejected', reason: 'Not licensed for your team.' });
    assert.deepEqual(server.violations, []);
  });

  it('follows the labels this database uses', async () => {
    const renamed = new AutotaskConnector(
      {
        ...desk.config,
        discoveryUrl: desk.config.discoveryUrl,
        approvalStatuses: { approved: ['Complete'], rejected: ['Waiting Customer'] },
      },
      silentLogger,
      undefined,
      now,
    );
    const id = await request('ss-at-renamed-01');
    server.personSetsStatus(id, 'Approved', boss);
    assert.equal((await renamed.readApproval(id)).state, 'pending');
    server.personSetsStatus(id, 'Complete', boss);
    assert.equal((await renamed.readApproval(id)).state, 'approved');
  });

  it('refuses a ticket number that is not an Autotask id without asking', async () => {
    const before = server.calls.length;
    await assert.rejects(desk.readApproval('7 or 1=1'));
    assert.equal(server.calls.length, before);
  });
});
