// A real server and a real agent on this machine, with real dpkg installs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  buildDeb,
  dpkgInstall,
  dpkgPurgeQuietly,
  dpkgRemove,
  isTestPackage,
  requireRoot,
  testPackageName,
  withDpkgLock,
} from './support/deb.js';
import { agentSettled } from './support/quiesce.js';
import {
  createToken,
  runToEnd,
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
interface SoftwareRow {
  name: string;
  version?: string;
  source: string;
}
interface ChangeRow {
  at: string;
  trigger: string;
  section: string;
  added: SoftwareRow[];
  removed: SoftwareRow[];
}

async function installedDpkgPackages(): Promise<string[]> {
  const { stdout } = await exec('dpkg-query', ['-W', '-f=${db:Status-Abbrev}|${Package}\n']);
  return stdout
    .split('\n')
    .filter((l) => /^[ih]i/.test(l))
    .map((l) => l.split('|')[1]!);
}

describe('inventory stream: a real agent and server on this machine', () => {
  let server: ServerProc;
  let agent: AgentProc;
  let device: DeviceSummary;
  const dir = tempDir();
  const pkg = testPackageName('stream');

  before(async () => {
    requireRoot();
    server = await startServer(join(dir, 'server'));
    agent = startAgent(server.url, join(dir, 'agent'), await createToken(join(dir, 'server')));
    device = await waitForDevice(server);
  });

  after(async () => {
    await dpkgPurgeQuietly(pkg);
    await agent?.stop();
    await server?.stop();
  });

  const software = async () => (await server.api<{ items: SoftwareRow[] }>(`/api/devices/${device.id}/software`)).body.items;
  const dpkgNames = async () => (await software()).filter((s) => s.source === 'dpkg').map((s) => s.name);

  it('lists the device with every installed dpkg package', async () => {
    // Under the tests' dpkg lock, after a scan the agent has delivered: both sides describe the same
    // database. Packages of other test files (TEST_PACKAGE_PREFIX) are left out of the comparison.
    const [onServer, onMachine] = await withDpkgLock(async () => {
      const scan = await runToEnd(['scan', '--now', '--json', '--state', agent.stateDir]);
      assert.equal(scan.code, 0, scan.output);
      await agentSettled(server, agent, device.id);
      return Promise.all([dpkgNames(), installedDpkgPackages()]);
    });
    const real = (names: string[]) => [...new Set(names.filter((n) => !isTestPackage(n)))].sort();
    assert.ok(real(onMachine).length > 50, 'this machine has a real dpkg database');
    assert.deepEqual(real(onServer), real(onMachine));
    const { body: list } = await server.api<{ items: DeviceSummary[] }>('/api/devices');
    assert.equal(list.items.find((d) => d.id === device.id)?.online, true);
  });

  it('serves the device detail without its software list', async () => {
    const { status, body } = await server.api<Record<string, unknown>>(`/api/devices/${device.id}`);
    assert.equal(status, 200);
    assert.equal((body.os as { platform: string }).platform, 'linux');
    assert.equal(body.software, undefined);
    assert.match(String(body.digest), /^[0-9a-f]{64}$/);
  });

  it('shows a package on the server within 5 s of dpkg -i, and its removal within 5 s of dpkg -r', async () => {
    const deb = await buildDeb(dir, pkg, '1.2.3');
    await dpkgInstall(deb);
    let t0 = Date.now();
    await waitFor(async () => (await software()).find((s) => s.name === pkg && s.version === '1.2.3'), 5_000, `${pkg} on the server`);
    const installMs = Date.now() - t0;

    await dpkgRemove(pkg);
    t0 = Date.now();
    await waitFor(async () => !(await dpkgNames()).includes(pkg) || undefined, 5_000, `${pkg} gone from the server`);
    const removeMs = Date.now() - t0;
    console.log(`dpkg -> server: install ${installMs} ms, removal ${removeMs} ms`);

    const { body } = await server.api<{ items: ChangeRow[] }>(`/api/devices/${device.id}/changes`);
    const added = body.items.filter((c) => c.added.some((s) => s.name === pkg));
    const removed = body.items.filter((c) => c.removed.some((s) => s.name === pkg));
    assert.equal(added.length, 1, 'one change record for the install');
    assert.equal(removed.length, 1, 'one change record for the removal');
    assert.equal(added[0]!.trigger, 'software-change');
    assert.equal(added[0]!.section, 'software');
    assert.ok(Date.parse(removed[0]!.at) >= Date.parse(added[0]!.at));
  });

  it('answers `outpost scan --now` through the running agent and keeps both sides equal', async () => {
    const scan = await runToEnd(['scan', '--now', '--json', '--state', agent.stateDir]);
    assert.equal(scan.code, 0, scan.output);
    assert.equal((JSON.parse(scan.stdout) as { queued: boolean }).queued, true);
    const status = await waitFor(
      async () => {
        const s = await agent.status();
        return s.pendingItems === 0 ? s : undefined;
      },
      10_000,
      'the agent to drain its outbox',
    );
    const { body } = await server.api<{ digest: string }>(`/api/devices/${device.id}`);
    assert.equal(body.digest, status.digest);
    assert.equal(status.connected, true);
  });
});
