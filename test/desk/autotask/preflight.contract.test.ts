// The Autotask preflight against the contract server built from Datto's documentation: zone,
// credentials and the ticket UDF for Outpost's key, one actionable line per problem.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { AutotaskConnector } from '../../../server/desk/autotask/connector.js';
import { AutotaskContractServer } from './contract-server.js';

const CREDS = { integrationCode: 'TRACKINGID0123456789ABCDEFG', user: 'outpost-api@example.com', secret: 's3cret-autotask' };

describe('Autotask preflight against the documented contract', () => {
  const complete = new AutotaskContractServer({ ...CREDS });
  const bare = new AutotaskContractServer({ ...CREDS, ticketUdfs: ['Customer Ref'] });
  let completeUrl = '';
  let bareUrl = '';
  const connect = (discoveryUrl: string, extra: object = {}) =>
    new AutotaskConnector({ ...CREDS, discoveryUrl, ticketKeyUdf: 'Outpost Key', ...extra }, silentLogger);

  before(async () => {
    completeUrl = await complete.start();
    bareUrl = await bare.start();
  });
  after(async () => {
    await complete.stop();
    await bare.stop();
  });

  it('finds nothing to fix in a database with the key UDF, through documented calls only', async () => {
    assert.deepEqual(await connect(completeUrl).preflight(), []);
    assert.ok(complete.calls.includes('GET /ATServicesRest/v1.0/Tickets/entityInformation/userDefinedFields'), complete.calls.join(', '));
    assert.deepEqual(complete.violations, []);
  });

  it('names a missing key UDF, and a key UDF not configured, as degraded with what to do', async () => {
    const [missing] = await connect(bareUrl).preflight();
    assert.equal(missing?.severity, 'degraded');
    assert.match(missing.message, /^Ticket UDF 'Outpost Key' does not exist in Autotask: .*create it as a text UDF/);
    const [unset] = await connect(completeUrl, { ticketKeyUdf: undefined }).preflight();
    assert.match(unset!.message, /^No ticket UDF holds Outpost's key: .*set ticketKeyUdf/);
    assert.deepEqual(bare.violations, []);
  });

  it('names refused credentials as blocking, in one line naming the user', async () => {
    const problems = await connect(completeUrl, { secret: 'nope' }).preflight();
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.severity, 'blocking');
    assert.match(problems[0]!.message, /^Autotask refuses API user 'outpost-api@example\.com' .*integration code/);
    complete.violations.length = 0;
  });
});
