// A self-service request's approval read from ServiceDesk Plus as ManageEngine documents it: the
// request's approval levels and their status, and the approver's comments on a rejection
// (fixtures/approvals.json), on-premises and Cloud. Each test ends with no off-contract call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { SdpConnector } from '../../../server/desk/sdp/connector.js';
import { SdpContractServer } from './contract-server.js';

const API = { id: '9001', name: 'Outpost API', email_id: 'outpost@example.com' };
const BOSS = { id: '9010', name: 'Bea Boss', email_id: 'bea@example.com' };
const CFO = { id: '9011', name: 'Carl Finance', email_id: 'carl@example.com' };

for (const flavour of ['onprem', 'cloud'] as const) {
  describe(`ServiceDesk Plus approvals (${flavour})`, () => {
    const server = new SdpContractServer({ flavour, token: 'tok', technicians: [API] });
    let desk: SdpConnector;
    const request = async (subject: string) =>
      desk.createTicket({
        idempotencyKey: `ss-${subject}-key`,
        requesterEmail: 'al@example.com',
        subject,
        description: 'GIMP please',
        priority: 'normal',
      });

    before(async () => {
      const url = await server.start();
      desk = new SdpConnector({ url, flavour, token: 'tok', technician: API.name }, silentLogger);
    });
    after(() => server.stop());

    it('waits while the request was not sent for approval or its level is open', async () => {
      const id = await request('waits');
      assert.deepEqual(await desk.readApproval(id), { state: 'pending', reason: null });
      server.approvals.sendForApproval(id, [BOSS]);
      assert.deepEqual(await desk.readApproval(id), { state: 'pending', reason: null });
      assert.deepEqual(server.violations, []);
    });

    it('is approved once every level is approved, not before', async () => {
      const id = await request('approved');
      const first = server.approvals.sendForApproval(id, [BOSS]);
      const second = server.approvals.sendForApproval(id, [CFO]);
      server.approvals.decide(id, first, BOSS, 'approved', 'fine by me');
      assert.equal((await desk.readApproval(id)).state, 'pending');
      server.approvals.decide(id, second, CFO, 'approved');
      assert.deepEqual(await desk.readApproval(id), { state: 'approved', reason: null });
      assert.deepEqual(server.violations, []);
    });

    it("is rejected with the rejecting approver's comments as the reason", async () => {
      const id = await request('rejected');
      const level = server.approvals.sendForApproval(id, [BOSS, CFO]);
      server.approvals.decide(id, level, CFO, 'rejected', 'Use the licensed Photoshop seat instead.');
      assert.deepEqual(await desk.readApproval(id), { state: 'rejected', reason: 'Use the licensed Photoshop seat instead.' });
      assert.deepEqual(server.violations, []);
    });

    it('is rejected without a reason when the approver wrote none', async () => {
      const id = await request('bare-reject');
      const level = server.approvals.sendForApproval(id, [BOSS]);
      server.approvals.decide(id, level, BOSS, 'rejected');
      assert.deepEqual(await desk.readApproval(id), { state: 'rejected', reason: null });
    });

    it('refuses a request number that is not an SDP id without asking', async () => {
      const before = server.calls.length;
      await assert.rejects(desk.readApproval('12; DROP'), /not an SDP request id/);
      assert.equal(server.calls.length, before);
    });
  });
}

describe('ServiceDesk Plus approval status names', () => {
  it('follows renamed statuses', async () => {
    const server = new SdpContractServer({ flavour: 'onprem', token: 'tok', technicians: [API] });
    const url = await server.start();
    try {
      const desk = new SdpConnector(
        { url, flavour: 'onprem', token: 'tok', technician: API.name, approvalStatuses: { approved: ['Freigegeben'] } },
        silentLogger,
      );
      const id = await desk.createTicket({
        idempotencyKey: 'ss-renamed-key',
        requesterEmail: 'al@example.com',
        subject: 'x',
        description: 'y',
        priority: 'low',
      });
      const level = server.approvals.sendForApproval(id, [BOSS]);
      server.approvals.decide(id, level, BOSS, 'approved');
      // SDP says "Approved"; this desk was told its approval is called "Freigegeben".
      assert.equal((await desk.readApproval(id)).state, 'pending');
    } finally {
      await server.stop();
    }
  });
});
