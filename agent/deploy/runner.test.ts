import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { canonicalJson } from '../../shared/canonical.js';
import type { DeployCommand, DeployStep } from '../../shared/deploy.js';
import { OutpostError } from '../../shared/errors.js';
import { silentLogger } from '../../shared/log.js';
import type { ServerMessageMap } from '../../shared/protocol.js';
import { FakeHost } from '../../test/fakes/host.js';
import { Outbox } from '../outbox/outbox.js';
import { DeployRunner } from './runner.js';

const SHA = 'ab'.repeat(32);
const keys = generateKeyPairSync('ed25519');
const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const otherKey = generateKeyPairSync('ed25519').privateKey;

function command(over: Partial<DeployCommand> = {}, pkg: Partial<DeployCommand['package']> = {}): DeployCommand {
  return {
    deploymentId: 'dep-00000001',
    deviceId: 'dev-1',
    package: {
      id: 'pkg-1',
      name: 'Tool',
      version: '1.0',
      installer: 'deb',
      file: { sha256: SHA, size: 10 },
      managerPackage: null,
      args: [],
      detection: { name: 'tool', version: '1.0' },
      timeoutSeconds: 60,
      retries: 1,
      ...pkg,
    },
    notBefore: null,
    notAfter: null,
    issuedAt: '2026-12-07T10:00:00.000Z',
    ...over,
  };
}

const signed = (c: DeployCommand, key = keys.privateKey): ServerMessageMap['deploy'] => ({
  type: 'deploy',
  command: c,
  signature: sign(null, Buffer.from(canonicalJson(c)), key).toString('base64'),
});

describe('the agent runs deployments once, signed, through the outbox', () => {
  let dir: string;
  let outbox: Outbox;
  let host: FakeHost;
  let installed: boolean;
  let downloads: number;
  let downloadError: Error | null;
  let clock: number;

  const runner = (platform: NodeJS.Platform = 'linux') => {
    host = new FakeHost(platform);
    host.command('apt-get --version', 'apt 2.6');
    const r = new DeployRunner({
      outbox,
      host,
      dir: join(dir, 'deploy'),
      log: silentLogger,
      deviceId: () => 'dev-1',
      download: async (_file, dest) => {
        downloads++;
        if (downloadError) throw downloadError;
        mkdirSync(dirname(dest), { recursive: true });
        writeFileSync(dest, 'bytes');
      },
      detect: async () => installed,
      notify: () => undefined,
      installed: () => undefined,
      now: () => new Date(clock),
    });
    r.pinKey(publicKey, true);
    return r;
  };
  const steps = () => outbox.peek(0, 100).flatMap((i) => (i.kind === 'deploy.status' ? [i.body] : []));
  const states = () => steps().map((s) => `${s.state}:${s.attempt}${s.code ? `:${s.code}` : ''}`);
  const installs = () => host.calls.filter((c) => c.args[0] !== '--version');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-deploy-'));
    outbox = new Outbox({ path: join(dir, 'outbox.db'), log: silentLogger });
    outbox.start();
    installed = false;
    downloads = 0;
    downloadError = null;
    clock = Date.parse('2026-12-07T10:00:00Z');
  });
  afterEach(() => {
    outbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('downloads and installs a signed .deb with apt-get, reporting each step, and runs a command sent again not at all', async () => {
    const r = runner();
    host.command('apt-get', { stdout: 'Setting up tool (1.0) ...', stderr: '', code: 0 });
    r.accept(signed(command()));
    await r.idle();
    r.accept(signed(command()));
    await r.idle();
    assert.deepEqual(states(), ['queued:1', 'downloading:1', 'installing:1', 'succeeded:1']);
    assert.equal(downloads, 1);
    assert.deepEqual(
      installs().map((c) => [c.file, ...c.args]),
      [['apt-get', 'install', '-y', '-o', 'DPkg::Lock::Timeout=300', join(dir, 'deploy', `${SHA}.deb`)]],
    );
    assert.deepEqual(installs()[0]!.options?.env, { DEBIAN_FRONTEND: 'noninteractive' });
    assert.equal(installs()[0]!.options?.timeoutMs, 60_000);
    assert.equal(steps().at(-1)!.outputTail, 'Setting up tool (1.0) ...');
  });

  it('refuses a command not signed by the pinned key, altered after signing, or for another device, and runs nothing', async () => {
    const r = runner();
    host.command('apt-get', { stdout: '', stderr: '', code: 0 });
    r.accept(signed(command(), otherKey));
    const altered = signed(command());
    altered.command = command({}, { args: ['--allow-downgrades'] });
    r.accept(altered);
    r.accept(signed(command({ deviceId: 'dev-2' })));
    await r.idle();
    assert.deepEqual(states(), ['failed:1:E_DEPLOY_SIGNATURE', 'failed:1:E_DEPLOY_SIGNATURE', 'failed:1:E_DEPLOY_SIGNATURE']);
    assert.deepEqual([downloads, installs().length], [0, 0]);
    // A refused command took no deployment's one run: the genuine one still runs.
    r.accept(signed(command()));
    await r.idle();
    assert.equal(states().at(-1), 'succeeded:1');
  });

  it('a welcome never replaces the pinned key; a new enrolment does', async () => {
    const r = runner();
    const next = generateKeyPairSync('ed25519');
    r.pinKey(next.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), false);
    r.accept(signed(command(), next.privateKey));
    await r.idle();
    assert.deepEqual(states(), ['failed:1:E_DEPLOY_SIGNATURE']);
    r.pinKey(next.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), true);
    host.command('apt-get', { stdout: '', stderr: '', code: 0 });
    r.accept(signed(command(), next.privateKey));
    await r.idle();
    assert.equal(states().at(-1), 'succeeded:1');
  });

  it('refuses a download whose hash is not the signed one and never runs the installer', async () => {
    const r = runner();
    downloadError = new OutpostError('E_PACKAGE_HASH_MISMATCH', 'not the signed bytes');
    r.accept(signed(command()));
    await r.idle();
    assert.deepEqual(states(), ['queued:1', 'downloading:1', 'failed:1:E_PACKAGE_HASH_MISMATCH']);
    assert.equal(installs().length, 0);
  });

  it('does not run an install that a stop interrupted: detected means succeeded, otherwise E_DEPLOY_INTERRUPTED', async () => {
    let r = runner();
    host.command('apt-get', () => {
      throw Object.assign(new Error('killed'), { code: 'ESTOPPED' });
    });
    // The state as a killed agent leaves it: installing, committed before the installer ran.
    outbox.transaction((db) => {
      db.prepare(
        `INSERT INTO deployments (id, command, state, attempt, next_at, received_at, updated_at) VALUES (?, ?, 'installing', 1, NULL, 'x', 'x')`,
      ).run('dep-00000001', JSON.stringify(command()));
      db.prepare(
        `INSERT INTO deployments (id, command, state, attempt, next_at, received_at, updated_at) VALUES (?, ?, 'installing', 1, NULL, 'y', 'y')`,
      ).run('dep-00000002', JSON.stringify(command({ deploymentId: 'dep-00000002' })));
    });
    let asked = 0;
    r = new DeployRunner({
      outbox,
      host,
      dir,
      log: silentLogger,
      deviceId: () => 'dev-1',
      download: async () => undefined,
      detect: async () => ++asked === 1,
      notify: () => undefined,
      installed: () => undefined,
    });
    await r.start();
    await r.idle();
    assert.deepEqual(states(), ['succeeded:1', 'failed:1:E_DEPLOY_INTERRUPTED']);
    assert.equal(installs().length, 0);
  });

  it('tries a transient failure again after a wait, up to the retries, then reports the failure with the output', async () => {
    const r = runner('win32');
    host.command('msiexec.exe', { stdout: '', stderr: 'another install', code: 1618 });
    r.accept(signed(command({}, { installer: 'msi', retries: 1, detection: { name: 'Tool' } })));
    await r.idle();
    assert.deepEqual(states(), ['queued:1', 'downloading:1', 'installing:1', 'queued:2']);
    assert.match(steps().at(-1)!.message!, /Attempt 1 failed \(msiexec exited with 1618: another installation is already in progress\)/);
    clock += 60_000;
    await r.start();
    await r.idle();
    assert.deepEqual(states().slice(4), ['downloading:2', 'installing:2', 'failed:2:E_DEPLOY_INSTALL']);
    const failed: DeployStep = steps().at(-1)!;
    assert.deepEqual([failed.exitCode, failed.outputTail], [1618, 'another install']);
  });

  it('skips an installed package, waits for its window, fails past it, and refuses another platform', async () => {
    const r = runner();
    installed = true;
    r.accept(signed(command()));
    await r.idle();
    assert.deepEqual(states(), ['queued:1', 'downloading:1', 'succeeded:1']);
    assert.match(steps().at(-1)!.message!, /Already installed/);
    installed = false;

    r.accept(signed(command({ deploymentId: 'dep-window1', notBefore: '2026-12-07T22:00:00.000Z', notAfter: '2026-12-07T23:00:00.000Z' })));
    await r.idle();
    assert.equal(states().at(-1), 'queued:1', 'not before its window');
    clock = Date.parse('2026-12-08T00:00:00Z');
    await r.start();
    await r.idle();
    assert.equal(states().at(-1), 'failed:1:E_DEPLOY_WINDOW');

    r.accept(signed(command({ deploymentId: 'dep-mac0001' }, { installer: 'pkg' })));
    await r.idle();
    assert.equal(states().at(-1), 'failed:1:E_DEPLOY_PLATFORM');
    await r.stop();
  });
});
