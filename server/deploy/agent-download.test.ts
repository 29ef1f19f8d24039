import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeploymentJson, PackageFileJson, PackageJson } from '../../shared/deploy-api.js';
import { hintsFor, machine } from '../../test/support/server/fixtures.js';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { TestAgent } from '../../test/support/server/test-agent.js';

describe("an agent's download of an installer", () => {
  let h: Harness;
  const agents: TestAgent[] = [];
  const creds: { deviceId: string; secret: string }[] = [];
  let sha256: string;
  const bytes = Buffer.from('installer bytes for one device only');

  const download = (who: { deviceId: string; secret: string } | null, hash = sha256) =>
    fetch(`${h.url}/agent/packages/${hash}`, {
      headers: who ? { 'x-outpost-device': who.deviceId, authorization: `Bearer ${who.secret}` } : {},
    });

  before(async () => {
    h = await startHarness();
    for (const name of ['pc-a', 'pc-b']) {
      const agent = await TestAgent.connect(h.wsUrl);
      agents.push(agent);
      creds.push(await agent.enrol(await h.server.createEnrolmentToken(), hintsFor(machine({ hostname: name }), `inst-${name}`)));
    }
    const file = await h.api<PackageFileJson>('/api/packages/files?name=tool.deb', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    sha256 = file.body.sha256;
    const pkg = await h.api<PackageJson>('/api/packages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Tool', installer: 'deb', sha256, detection: { name: 'tool' } }),
    });
    const deployed = await h.api<DeploymentJson>('/api/deployments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ packageId: pkg.body.id, targets: { deviceIds: [creds[0]!.deviceId] } }),
    });
    assert.equal(deployed.status, 201);
  });
  after(async () => {
    for (const a of agents) await a.close();
    await h.close();
  });

  it('gives the file to the device a deployment names, with its own credential, and to nobody else', async () => {
    const mine = await download(creds[0]!);
    assert.equal(mine.status, 200);
    assert.deepEqual(Buffer.from(await mine.arrayBuffer()), bytes);

    const other = await download(creds[1]!);
    assert.deepEqual([other.status, ((await other.json()) as { error: { code: string } }).error.code], [404, 'E_NOT_FOUND']);
    const wrong = await download({ deviceId: creds[0]!.deviceId, secret: 'x'.repeat(43) });
    assert.deepEqual([wrong.status, ((await wrong.json()) as { error: { code: string } }).error.code], [401, 'E_AUTH']);
    assert.equal((await download(null)).status, 401);
    assert.equal((await download(creds[0]!, '../../outpost.db')).status, 404);
  });

  it('stops once the deployment is finished on that device', async () => {
    const message = await agents[0]!.next('deploy');
    agents[0]!.sendItems([
      {
        seq: 2,
        at: new Date().toISOString(),
        kind: 'deploy.status',
        body: { deploymentId: message.command.deploymentId, state: 'succeeded', attempt: 1 },
      },
    ]);
    await agents[0]!.next('ack');
    assert.equal((await download(creds[0]!)).status, 404);
  });
});
