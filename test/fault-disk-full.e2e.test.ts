// Fault suite, disk full: the agent's state directory is a small tmpfs of its own (mounted by this
// test, as root), filled to the last byte while the agent runs. A scan and a ticket with attachments
// then fail with E_DISK_FULL and record nothing; the outbox stays whole (SQLite integrity check);
// once space is back the change arrives by itself and the ticket goes through, each exactly once.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { callLocalAgent } from '../agent/local-api/client.js';
import { buildDeb, dpkgInstall, dpkgPurgeQuietly, requireRoot, testPackageName } from './support/deb.js';
import { packageHistory, ticketsBySubject } from './support/history.js';
import { agentSettled, sweeperIdle } from './support/quiesce.js';
import {
  createToken,
  runToEnd,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  waitForOutput,
  type AgentProc,
  type DeviceSummary,
  type ServerProc,
} from './support/outpost.js';
import { deadline } from './support/deadline.js';

const exec = promisify(execFile);

/** Writes zeros into `file` until the filesystem refuses with ENOSPC. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // The last partial block too: not one byte is left.
  const tail = openSync(file, 'a');
  try {
    for (;;) writeSync(tail, Buffer.alloc(512));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(tail);
  }
}

/** Why a tmpfs cannot be mounted here (not root, or a container without CAP_SYS_ADMIN), or false. */
function cannotMount(): string | false {
  const probe = mkdtempSync(join(tmpdir(), 'outpost-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return false;
  } catch {
    return 'needs to mount a small tmpfs for the agent state: run as root where mount is allowed (a container needs CAP_SYS_ADMIN)';
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

describe('fault suite: the agent disk fills up', { timeout: deadline(180_000), skip: cannotMount() }, () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  const stateDir = join(dir, 'agent');
  const filler = join(stateDir, 'filler');
  const pkg = testPackageName('diskfull');
  let mounted = false;
  let server: ServerProc;
  let agent: AgentProc;
  let device: DeviceSummary;

  const outboxIntegrity = () => {
    const db = new Database(join(stateDir, 'outbox.db'), { readonly: true, fileMustExist: true });
    try {
      return db.pragma('integrity_check', { simple: true });
    } finally {
      db.close();
    }
  };

  before(async () => {
    requireRoot();
    mkdirSync(stateDir);
    // A real filesystem that really runs out: tmpfs with a 16 MB cap, for the agent's state alone.
    await exec('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0711', 'tmpfs', stateDir]);
    mounted = true;
    server = await startServer(dataDir);
    agent = startAgent(server.url, stateDir, await createToken(dataDir));
    device = await waitForDevice(server);
    await agentSettled(server, agent, device.id);
  });

  after(async () => {
    await dpkgPurgeQuietly(pkg);
    await agent?.kill();
    await server?.kill();
    if (mounted) await exec('umount', [stateDir]);
  });

  it('a scan on a full disk fails with E_DISK_FULL, records nothing, and the change arrives by itself once space is back', async () => {
    fillDisk(filler);
    await dpkgInstall(await buildDeb(dir, pkg, '1.0'));
    await waitForOutput(agent, /"code":"E_DISK_FULL".*"msg":"inventory scan failed"/, 20_000);
    const scan = await runToEnd(['scan', '--now', '--state', stateDir]);
    assert.notEqual(scan.code, 0);
    assert.match(scan.output, /disk is full/);
    const status = await agent.status();
    assert.equal(status.pendingItems, 0, 'nothing half-recorded in the outbox');
    assert.deepEqual(await packageHistory(server, device.id, [pkg]), { [pkg]: { added: 0, removed: 0 } });

    rmSync(filler);
    // No manual scan: the agent tries again by itself.
    await waitFor(
      async () => ((await packageHistory(server, device.id, [pkg]))[pkg]!.added > 0 ? true : undefined),
      40_000,
      `${pkg} on the server`,
    );
    await agentSettled(server, agent, device.id);
    // A full snapshot's software changes join the history in the sweeper's steps, after the ack.
    await sweeperIdle({ sqliteDir: dataDir });
    assert.deepEqual(await packageHistory(server, device.id, [pkg]), { [pkg]: { added: 1, removed: 0 } });
    assert.equal(outboxIntegrity(), 'ok');
  });

  it('a ticket with attachments on a full disk is refused with E_DISK_FULL, stores nothing, and goes through once space is back', async () => {
    const subject = 'Disk full ticket with logs';
    const attachments = [
      { name: 'app.log', type: 'text/plain', contentBase64: Buffer.alloc(700 * 1024, 'a').toString('base64') },
      { name: 'dump.bin', type: 'application/octet-stream', contentBase64: Buffer.alloc(900 * 1024, 7).toString('base64') },
    ];
    fillDisk(filler);
    await assert.rejects(callLocalAgent(stateDir, 'ticket.create', { subject, description: 'The disk is full.', attachments }), {
      code: 'E_DISK_FULL',
      message: /disk is full/,
    });
    assert.equal((await callLocalAgent(stateDir, 'ticket.list', {})).items.filter((t) => t.subject === subject).length, 0);
    assert.equal((await agent.status()).pendingItems, 0, 'no half ticket in the outbox');

    rmSync(filler);
    assert.equal(outboxIntegrity(), 'ok');
    await callLocalAgent(stateDir, 'ticket.create', { subject, description: 'The disk is full.', attachments });
    await agentSettled(server, agent, device.id);
    assert.equal((await ticketsBySubject(server, device.id)).get(subject), 1);
    const { body } = await server.api<{ items: { id: number; subject: string }[] }>(`/api/tickets?device=${device.id}&limit=1000`);
    const id = body.items.find((t) => t.subject === subject)!.id;
    const ticket = (await server.api<{ attachments: { name: string; size: number }[] }>(`/api/tickets/${id}`)).body;
    assert.deepEqual(
      ticket.attachments.map((a) => [a.name, a.size]),
      [
        ['app.log', 700 * 1024],
        ['dump.bin', 900 * 1024],
      ],
    );
  });
});
