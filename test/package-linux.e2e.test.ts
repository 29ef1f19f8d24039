// The headless agent's Linux packages, as IT installs them: `npm run package:linux` builds the
// .deb and .rpm; the deb is installed with dpkg, its agent run exactly as the systemd unit would
// (no systemd runs here), enrols with a real server, survives an upgrade as the same device, and
// is purged without leaving anything but the state agent.json asked to keep.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { dpkgPurgeQuietly, requireRoot } from './support/deb.js';
import { startServer, tempDir, waitFor, waitForDevice, type ServerProc } from './support/outpost.js';
import { readUnitService, startAsUnit } from './support/systemd-unit.js';

const exec = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const LOCK = '/tmp/outpost-tests-dpkg.lock';
const PKG = 'outpost-agent';
const UNIT = '/usr/lib/systemd/system/outpost-agent.service';
const STATE = '/var/lib/outpost';

const dpkg = (...args: string[]) => exec('flock', [LOCK, 'dpkg', ...args]);
const build = async (out: string, release: string, only?: string) => {
  await exec(
    process.execPath,
    [join(ROOT, 'packaging/linux/build.mjs'), '--out', out, '--release', release, ...(only ? ['--only', only] : [])],
    { cwd: ROOT },
  );
  return readdirSync(out).map((f) => join(out, f));
};
/** Processes running anything from the package's files. */
const agentProcesses = () =>
  readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('/usr/lib/outpost/');
      } catch {
        return false;
      }
    });

describe('Linux packages of the agent', () => {
  let dir: string;
  let v1: string[];
  let v2: string;
  let server: ServerProc;

  before(async () => {
    requireRoot();
    dir = tempDir('outpost-pkg-');
    await dpkgPurgeQuietly(PKG);
    rmSync(STATE, { recursive: true, force: true });
    v1 = await build(join(dir, 'v1'), '1');
    [v2] = (await build(join(dir, 'v2'), '2', 'deb')) as [string];
    server = await startServer(join(dir, 'data'));
  });
  after(async () => {
    await server?.stop();
    await dpkgPurgeQuietly(PKG);
    rmSync(STATE, { recursive: true, force: true });
  });

  it('builds a deb that depends on the distribution nodejs and holds no tray, server or test code', async () => {
    const deb = v1.find((f) => f.endsWith('.deb'))!;
    const { stdout: depends } = await exec('dpkg-deb', ['-f', deb, 'Depends']);
    const major = process.versions.node.split('.')[0];
    assert.match(depends, new RegExp(`nodejs \\(>= ${major === '20' ? '20\\.19' : major}\\), nodejs \\(<< ${Number(major) + 1}\\)`));
    const { stdout: list } = await exec('dpkg-deb', ['-c', deb]);
    for (const path of [
      './usr/lib/outpost/bin/outpost.js',
      './usr/lib/outpost/dist/agent/agent.js',
      './usr/lib/systemd/system/outpost-agent.service',
      './usr/lib/outpost/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    ]) {
      assert.ok(list.includes(path), `${path} is packed`);
    }
    assert.doesNotMatch(
      list,
      /\.test\.js|test-support|\/dist\/(server|tray|console|test)\/|\/commands\/server\.js|node_modules\/(fastify|electron|typescript)\//,
    );
  });

  it('builds an rpm from the same inputs, with the same service and scriptlets', async () => {
    const rpm = v1.find((f) => f.endsWith('.rpm'))!;
    const { stdout: scripts } = await exec('rpm', ['-qp', '--scripts', rpm]);
    assert.match(scripts, /postinstall scriptlet[\s\S]*systemctl enable outpost-agent\.service/);
    assert.match(scripts, /preuninstall scriptlet[\s\S]*systemctl stop outpost-agent\.service/);
    assert.match(scripts, /postuninstall scriptlet[\s\S]*systemctl try-restart outpost-agent\.service/);
    const { stdout: list } = await exec('rpm', ['-qp', '--list', rpm]);
    assert.ok(list.split('\n').includes(UNIT));
    assert.ok(list.split('\n').includes('/usr/bin/outpost'));
    assert.doesNotMatch(list, /\.test\.js|test-support|\/dist\/(server|tray|console|test)\//);
    const { stdout: requires } = await exec('rpm', ['-qp', '--requires', rpm]);
    assert.match(requires, /^nodejs >= 20\.19$/m);
  });

  it('installs with dpkg, enrols as its unit runs it, upgrades as the same device and purges clean', async () => {
    // IT's settings, dropped by config management before the package: postinst makes them root-only.
    const created = await server.api<{ id: string; token: string }>('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'package e2e', uses: 1 }),
    });
    mkdirSync('/etc/outpost', { recursive: true });
    writeFileSync('/etc/outpost/agent.json', JSON.stringify({ server: server.url, token: created.body.token, keepStateOnPurge: true }));
    chmodSync('/etc/outpost/agent.json', 0o644);

    await dpkg(
      '-i',
      v1.find((f) => f.endsWith('.deb'))!,
    );
    assert.equal(statSync('/etc/outpost/agent.json').mode & 0o777, 0o600);
    assert.equal(statSync('/etc/outpost').mode & 0o777, 0o700);
    assert.ok(existsSync('/etc/systemd/system/multi-user.target.wants/outpost-agent.service'), 'the service is enabled');
    await exec('systemd-analyze', ['verify', UNIT]);
    const unit = readUnitService(UNIT);
    assert.equal(unit.execStart[0], '/usr/bin/node', 'the distribution nodejs runs the agent');
    const unitText = readFileSync(UNIT, 'utf8');
    for (const line of ['ProtectSystem=strict', 'NoNewPrivileges=yes', 'Restart=on-failure', 'StateDirectory=outpost'])
      assert.match(unitText, new RegExp(`^${line}$`, 'm'));

    let agent = startAsUnit(unit);
    const device = await waitForDevice(server, 60_000);
    assert.match(agent.output(), /"msg":"enrolled"/);
    assert.ok(existsSync(join(STATE, 'credentials.json')), 'the state lives in the StateDirectory');
    await agent.stop(); // what prerm's `systemctl stop` does

    await dpkg('-i', v2);
    const { stdout: version } = await exec('dpkg-query', ['-W', '-f', '${Version}', PKG]);
    assert.equal(version, `${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}-2`);
    agent = startAsUnit(readUnitService(UNIT));
    await waitFor(
      () => /"msg":"connected"/.test(agent.output()) || undefined,
      60_000,
      `the upgraded agent to reconnect:\n${agent.output()}`,
    );
    assert.doesNotMatch(agent.output(), /"msg":"enrolled"/, 'no second enrolment');
    const devices = await server.api<{ items: { id: string }[] }>('/api/devices');
    assert.deepEqual(
      devices.body.items.map((d) => d.id),
      [device.id],
    );
    const tokens = await server.api<{ items: { id: string; used: number }[] }>('/api/tokens');
    assert.equal(tokens.body.items.find((t) => t.id === created.body.id)?.used, 1);
    await agent.stop();

    await dpkg('--purge', PKG);
    assert.deepEqual(agentProcesses(), []);
    for (const gone of [
      '/usr/lib/outpost',
      '/usr/bin/outpost',
      UNIT,
      '/etc/outpost',
      '/etc/systemd/system/multi-user.target.wants/outpost-agent.service',
    ]) {
      assert.equal(existsSync(gone), false, `${gone} is removed`);
    }
    assert.deepEqual(
      readdirSync(STATE).filter((f) => f === 'credentials.json'),
      ['credentials.json'],
      'the state it was told to keep stays',
    );
    assert.equal(existsSync(join(STATE, 'agent.sock')), false);

    // Installed again on the kept state: the same device, with no token at all. A plain purge then
    // takes the state too.
    mkdirSync('/etc/outpost', { recursive: true });
    writeFileSync('/etc/outpost/agent.json', JSON.stringify({ server: server.url }), { mode: 0o600 });
    await dpkg('-i', v2);
    agent = startAsUnit(readUnitService(UNIT));
    await waitFor(
      () => /"msg":"connected"/.test(agent.output()) || undefined,
      60_000,
      `the reinstalled agent to reconnect:\n${agent.output()}`,
    );
    assert.deepEqual(
      (await server.api<{ items: { id: string }[] }>('/api/devices')).body.items.map((d) => d.id),
      [device.id],
    );
    await agent.stop();
    await dpkg('--purge', PKG);
    assert.equal(existsSync(STATE), false, 'without keepStateOnPurge, purge leaves nothing');
    assert.equal(existsSync('/etc/outpost'), false);
  });
});
