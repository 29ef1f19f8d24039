// The ServiceDesk Plus preflight against the contract server built from ManageEngine's
// documentation: the technician key and the request additional field for Outpost's key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { SdpConnector } from '../../../server/desk/sdp/connector.js';
import { SdpContractServer } from './contract-server.js';

const API = { id: '9001', name: 'Outpost API', email_id: 'outpost@example.com' };

describe('ServiceDesk Plus preflight against the documented contract', () => {
  const server = new SdpContractServer({ flavour: 'onprem', token: 'tech-key-1', technicians: [API], requestUdfs: ['udf_sline_301'] });
  let url = '';
  const connect = (extra: object = {}) =>
    new SdpConnector(
      { url, flavour: 'onprem', token: 'tech-key-1', technician: API.name, requestKeyField: 'udf_sline_301', ...extra },
      silentLogger,
    );

  before(async () => {
    url = await server.start();
  });
  after(() => server.stop());

  it('finds nothing to fix when the key is valid and the key field exists', async () => {
    assert.deepEqual(await connect().preflight(), []);
    assert.deepEqual(server.violations, []);
  });

  it('names a key field the instance lacks, and a key field not configured, as degraded with what to do', async () => {
    const [missing] = await connect({ requestKeyField: 'udf_sline_999' }).preflight();
    assert.equal(missing?.severity, 'degraded');
    assert.match(missing.message, /^ServiceDesk Plus has no request additional field 'udf_sline_999' .*Additional Fields/);
    server.violations.length = 0;
    const [unset] = await connect({ requestKeyField: undefined }).preflight();
    assert.match(unset!.message, /^No request additional field holds Outpost's key: .*set requestKeyField/);
  });

  it('names a refused technician key as blocking, with how to make a new one', async () => {
    const problems = await connect({ token: 'revoked-key' }).preflight();
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.severity, 'blocking');
    assert.match(problems[0]!.message, /^ServiceDesk Plus refuses technician Outpost API's API key .*Generate API key/);
    server.violations.length = 0;
  });
});
