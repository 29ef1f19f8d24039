// TLS end to end: `outpost server --tls-cert --tls-key` serves HTTPS and wss:// itself; an agent
// enrols over wss:// trusting a pinned CA (--ca-file) or the CA store it was given, and refuses a
// server its trust store does not vouch for. The token comes from --token-file, never argv.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createToken, run, runToEnd, tempDir, waitFor, waitForOutput, type Proc } from './support/outpost.js';
import { makeTestPki, type TestPki } from './support/tls.js';

describe('TLS between agents and the server', () => {
  let dir: string;
  let pki: TestPki;
  let server: Proc;
  let url: string;
  let adminToken: string;

  before(async () => {
    dir = tempDir('outpost-tls-');
    pki = await makeTestPki(dir);
    adminToken = 'tls-test-admin-token-0123456789';
    server = run(
      [
        'server',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--data',
        join(dir, 'data'),
        '--tls-cert',
        pki.serverCert,
        '--tls-key',
        pki.serverKey,
      ],
      { OUTPOST_ADMIN_TOKEN: adminToken },
    );
    [, url] = (await waitForOutput(server, /listening on (https:\/\/\S+)/)) as [string, string];
  });
  after(async () => {
    await server.stop();
  });

  // The test itself trusts the test CA only, as an admin's browser would once it is installed.
  const devices = async () => {
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`${url}/api/devices`, { ca: readFileSync(pki.caCert), headers: { authorization: `Bearer ${adminToken}` } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    return (JSON.parse(body) as { items: { id: string; hostname: string }[] }).items;
  };
  const tokenFile = async (name: string) => {
    const path = join(dir, name);
    writeFileSync(path, `${await createToken(join(dir, 'data'))}\n`, { mode: 0o600 });
    return path;
  };

  it('serves the API over HTTPS and says so, with wss:// for agents', () => {
    assert.match(server.output(), /Outpost server listening on https:\/\/127\.0\.0\.1:\d+ .*agents wss:\/\/127\.0\.0\.1:\d+\/agent/);
  });

  it('refuses to start with a certificate and no key, or a key that is not PEM', async () => {
    const noKey = await runToEnd(['server', '--port', '0', '--data', join(dir, 'data2'), '--tls-cert', pki.serverCert]);
    assert.notEqual(noKey.code, 0);
    assert.match(noKey.output, /--tls-cert and --tls-key go together/);
    const badKey = await runToEnd([
      'server',
      '--port',
      '0',
      '--data',
      join(dir, 'data2'),
      '--tls-cert',
      pki.serverCert,
      '--tls-key',
      pki.caCert,
    ]);
    assert.match(badKey.output, /--tls-key .*: not a PEM private key/);
  });

  it('an agent that trusts nothing but the system store refuses the private CA and never enrols', async () => {
    const agent = run(['agent', '--server', url, '--state', join(dir, 'untrusting'), '--token-file', await tokenFile('t0')]);
    await waitForOutput(agent, /"err":"(unable to verify the first certificate|self-signed certificate[^"]*)".*"msg":"connection error"/);
    await agent.stop();
    assert.deepEqual(await devices(), []);
  });

  it('an agent with the pinned CA enrols over wss:// with its token from a file, and warns only for --token', async () => {
    const pinned = run([
      'agent',
      '--server',
      url,
      '--state',
      join(dir, 'pinned'),
      '--token-file',
      await tokenFile('t1'),
      '--ca-file',
      pki.caCert,
    ]);
    await waitForOutput(pinned, /"msg":"enrolled"/, 30_000);
    await waitFor(async () => ((await devices()).length === 1 ? true : undefined), 10_000, 'the device in the API');
    assert.doesNotMatch(pinned.output(), /warning/);
    await pinned.stop();

    const token = readFileSync(await tokenFile('t2'), 'utf8').trim();
    // The CA a machine's administrator added to its trust store, as NODE_EXTRA_CA_CERTS adds it to Node's.
    const flagged = run(['agent', '--server', url, '--state', join(dir, 'flagged'), '--token', token], { NODE_EXTRA_CA_CERTS: pki.caCert });
    await waitForOutput(flagged, /warning: --token is visible to every local user/);
    await waitForOutput(flagged, /"msg":"enrolled"/, 30_000);
    assert.equal(flagged.output().includes(token), false, 'the token is never logged');
    await flagged.stop();
  });
});
