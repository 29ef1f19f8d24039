// Software deployment with real processes: a .deb built here with dpkg-deb is uploaded to the package
// store, deployed to this machine's agent, installed by apt-get/dpkg and seen in the device's
// software; a deployment made while the agent is offline runs when it returns, an install the agent
// was killed in is reported and never run again, and a file whose bytes are not the signed ones is
// refused. Runs as root (it installs packages), holding the tests' dpkg lock while it does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { DeploymentJson, PackageFileJson, PackageJson } from '../shared/deploy-api.js';
import { buildDeb, dpkgPurgeQuietly, requireRoot, testPackageName, withDpkgLock } from './support/deb.js';
import {
  createToken,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  type AgentProc,
  type DeviceSummary,
  type ServerProc,
} from './support/outpost.js';

const exec = promisify(execFile);

async function dpkgStatus(name: string): Promise<string> {
  return exec('dpkg-query', ['-W', '-f=${Status} ${Version}', name]).then(
    (r) => r.stdout.trim(),
    () => 'not-installed',
  );
}

describe('software deployment with real processes', () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  const stateDir = join(dir, 'agent');
  const names = { plain: testPackageName('deploy'), slow: testPackageName('deploy-slow'), forged: testPackageName('deploy-bad') };
  let server: ServerProc;
  let agent: AgentProc;
  let device: DeviceSummary;

  before(async () => {
    requireRoot();
    server = await startServer(dataDir);
    agent = startAgent(server.url, stateDir, await createToken(dataDir));
    device = await waitForDevice(server);
  });
  after(async () => {
    await agent?.kill();
    await server?.kill();
    for (const name of Object.values(names)) await dpkgPurgeQuietly(name);
  });

  /** Uploads the file and defines a deb package over it. */
  async function storePackage(deb: string, name: string, version: string): Promise<PackageJson> {
    const res = await fetch(`${server.url}/api/packages/files?name=${encodeURIComponent(deb.split('/').pop()!)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/octet-stream' },
      body: readFileSync(deb),
    });
    assert.equal(res.status, 200);
    const file = (await res.json()) as PackageFileJson;
    const created = await server.api<PackageJson>('/api/packages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        version,
        installer: 'deb',
        sha256: file.sha256,
        detection: { name, version },
        retries: 0,
        timeoutSeconds: 600,
      }),
    });
    assert.equal(created.status, 201);
    return created.body;
  }

  async function deploy(pkg: PackageJson): Promise<DeploymentJson> {
    const res = await server.api<DeploymentJson>('/api/deployments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ packageId: pkg.id, targets: { deviceIds: [device.id] } }),
    });
    assert.equal(res.status, 201);
    return res.body;
  }

  async function finished(id: string, timeoutMs = 180_000): Promise<NonNullable<DeploymentJson['targets']>[number]> {
    return waitFor(
      async () => {
        const { body } = await server.api<DeploymentJson>(`/api/deployments/${id}`);
        const target = body.targets?.[0];
        return target && (target.state === 'succeeded' || target.state === 'failed') ? target : undefined;
      },
      timeoutMs,
      `deployment ${id} to finish`,
    );
  }

  it('deploys an uploaded .deb: dpkg installs it, the device software shows it, the API shows each step', async () => {
    const deb = await buildDeb(dir, names.plain, '1.2.3');
    const pkg = await storePackage(deb, names.plain, '1.2.3');
    const target = await withDpkgLock(async () => finished((await deploy(pkg)).id));
    assert.equal(target.state, 'succeeded', JSON.stringify(target));
    assert.deepEqual(
      target.steps.map((s) => s.state),
      ['queued', 'downloading', 'installing', 'succeeded'],
    );
    assert.equal(target.steps.at(-1)!.exitCode, 0);
    assert.match(target.outputTail ?? '', new RegExp(`Setting up ${names.plain}`));
    assert.equal(await dpkgStatus(names.plain), 'install ok installed 1.2.3');
    await waitFor(
      async () => {
        const { body } = await server.api<{ items: { name: string; version: string }[] }>(
          `/api/devices/${device.id}/software?q=${names.plain}`,
        );
        return body.items.some((s) => s.name === names.plain && s.version === '1.2.3') || undefined;
      },
      60_000,
      'the installed package in the device software',
    );
  });

  it('runs a deployment made while the agent was offline when it returns, and never runs an install it was killed in again', async () => {
    const count = join(dir, 'postinst-runs');
    const pidFile = join(dir, 'postinst-pid');
    // The maintainer script counts its runs and waits (up to 10 minutes) so the agent can be killed mid-install.
    const postinst = `#!/bin/sh\necho run >> ${count}\necho $$ > ${pidFile}\ni=0\nwhile [ $i -lt 6000 ]; do sleep 0.1; i=$((i+1)); done\nexit 0\n`;
    const deb = await buildDeb(dir, names.slow, '2.0.0', { postinst });
    const pkg = await storePackage(deb, names.slow, '2.0.0');

    await agent.stop();
    await waitFor(
      async () => (await server.api<{ online: boolean }>(`/api/devices/${device.id}`)).body.online === false || undefined,
      20_000,
      'offline',
    );
    const deployment = await deploy(pkg);
    assert.equal(deployment.targets?.[0]?.state, 'pending');

    await withDpkgLock(async () => {
      agent = startAgent(server.url, stateDir);
      await waitFor(() => existsSync(pidFile) || undefined, 180_000, 'the installer to be running');
      await agent.kill(); // kill -9 while the installer runs
      // As a service manager stopping the agent would: the installer goes with it.
      process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
      await waitFor(async () => (await dpkgStatus(names.slow)).includes('half-configured') || undefined, 60_000, 'dpkg to give up');
      agent = startAgent(server.url, stateDir);
      const target = await finished(deployment.id);
      assert.deepEqual([target.state, target.code], ['failed', 'E_DEPLOY_INTERRUPTED'], JSON.stringify(target));
      assert.deepEqual(
        target.steps.map((s) => s.state),
        ['queued', 'downloading', 'installing', 'failed'],
      );
    });
    // The agent's restart did not run the installer again, and a later connection does not either.
    await agent.stop();
    agent = startAgent(server.url, stateDir);
    await waitForDevice(server);
    await waitFor(
      async () => (await server.api<{ online: boolean }>(`/api/devices/${device.id}`)).body.online || undefined,
      30_000,
      'online',
    );
    assert.deepEqual(readFileSync(count, 'utf8').trim().split('\n'), ['run'], 'the installer ran exactly once');
  });

  it('refuses an installer whose bytes are not the ones the command was signed for, and installs nothing', async () => {
    const deb = await buildDeb(dir, names.forged, '1.0.0');
    const pkg = await storePackage(deb, names.forged, '1.0.0');
    // Someone with the server's disk swaps the stored file: the signed command still names the real hash.
    const stored = join(dataDir, 'packages', pkg.file!.sha256);
    writeFileSync(stored, Buffer.concat([readFileSync(stored).subarray(0, -4), Buffer.from('evil')]));
    const target = await withDpkgLock(async () => finished((await deploy(pkg)).id));
    assert.deepEqual([target.state, target.code], ['failed', 'E_PACKAGE_HASH_MISMATCH'], JSON.stringify(target));
    assert.deepEqual(
      target.steps.map((s) => s.state),
      ['queued', 'downloading', 'failed'],
    );
    assert.equal(await dpkgStatus(names.forged), 'not-installed');
  });
});
