// Tickets and worklogs end to end with real processes: the `outpost` CLI talks to a real agent over
// its local API (as root, so as support staff), the agent delivers through its outbox to a real
// server, and the server's changes come back down. Also: bad input and callers that are not logged on.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { localApiPath } from '../agent/paths.js';
import { callLocalAgent } from '../agent/local-api/client.js';
import { requireRoot } from './support/deb.js';
import { freePort } from './support/ports.js';
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

const BIN = new URL('../bin/outpost.js', import.meta.url).pathname;

interface ServerTicket {
  id: number;
  ref: string;
  status: string;
  subject: string;
  requester: { account: string };
  device: { deviceId: string | null; hostname: string; os: string; ip: string[]; loggedOnUser?: string };
  attachments: { name: string; size: number; screenshot: boolean }[];
  notes: { text: string; visibility: string; fromEndpoint: boolean }[];
  worklogs: { technician: string; minutes: number; start: string; end: string }[];
}

describe('tickets through the local API, end to end', () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  const stateDir = join(dir, 'agent');
  let port: number;
  let server: ServerProc;
  let agent: AgentProc;
  let device: DeviceSummary;

  const cli = async (...args: string[]) => {
    const r = await runToEnd([...args, '--state', stateDir]);
    return { ...r, stderr: r.output.slice(r.stdout.length) };
  };
  const cliJson = async <T>(...args: string[]): Promise<T> => {
    const r = await cli(...args, '--json');
    assert.equal(r.code, 0, r.output);
    return JSON.parse(r.stdout) as T;
  };
  const serverTicket = async (ref: string): Promise<ServerTicket | undefined> => {
    const { body } = await server.api<{ items: { id: number; ref: string }[] }>(`/api/tickets?device=${device.id}&limit=1000`);
    const found = body.items.filter((t) => t.ref === ref);
    assert.ok(found.length <= 1, `ticket ${ref} stored ${found.length} times`);
    return found[0] ? (await server.api<ServerTicket>(`/api/tickets/${found[0].id}`)).body : undefined;
  };

  before(async () => {
    requireRoot();
    port = await freePort();
    server = await startServer(dataDir, { port });
    agent = startAgent(server.url, stateDir, await createToken(dataDir));
    device = await waitForDevice(server);
  });

  after(async () => {
    await agent?.kill();
    await server?.kill();
  });

  it("raises a ticket with a file; the server has it with the device's details; its number comes back", async () => {
    const file = join(dir, 'printer.log');
    writeFileSync(file, 'E42 paper jam\n');
    const created = await cliJson<{ ref: string; status: string; connected: boolean }>(
      'ticket',
      'create',
      '--subject',
      'Printer jams',
      '--description',
      'Every second page.',
      '--priority',
      'high',
      '--attach',
      file,
    );
    assert.deepEqual([created.status, created.connected], ['queued', true]);
    const stored = await waitFor(
      async () => {
        const t = await serverTicket(created.ref);
        return t && t.attachments.length === 1 ? t : undefined;
      },
      10_000,
      'the ticket and its file on the server',
    );
    assert.equal(stored.subject, 'Printer jams');
    assert.equal(stored.requester.account, 'root');
    assert.equal(stored.device.deviceId, device.id);
    assert.equal(stored.device.hostname, hostname());
    assert.equal(stored.device.loggedOnUser, 'root');
    assert.ok(stored.device.os.length > 0);
    assert.deepEqual(
      stored.attachments.map((a) => [a.name, a.size, a.screenshot]),
      [['printer.log', 14, false]],
    );

    const line = await waitFor(
      async () => (await cli('ticket', 'list')).stdout.split('\n').find((l) => l.startsWith(`#${stored.id} `)),
      10_000,
      'the number in ticket list',
    );
    assert.match(line, new RegExp(`^#${stored.id} +new +Printer jams$`));
  });

  it("shows IT's status change and customer note in My tickets, never the internal note", async () => {
    const { ref } = await cliJson<{ ref: string }>('ticket', 'create', '--subject', 'Slow laptop', '--description', 'Takes ages to boot.');
    const stored = await waitFor(() => serverTicket(ref), 10_000, 'the ticket on the server');
    assert.equal(
      (
        await server.api(`/api/tickets/${stored.id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ status: 'pending' }),
        })
      ).status,
      200,
    );
    for (const [text, visibility] of [
      ['We ordered more memory.', 'customer'],
      ['Budget code 7781.', 'internal'],
    ]) {
      const res = await server.api(`/api/tickets/${stored.id}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, visibility, author: 'Sam' }),
      });
      assert.equal(res.status, 201);
    }
    const mine = await waitFor(
      async () => {
        const t = await cliJson<{ status: string; notes: { text: string }[] }>('ticket', 'show', ref);
        return t.status === 'pending' && t.notes.some((n) => n.text === 'We ordered more memory.') ? t : undefined;
      },
      10_000,
      'the change to reach the endpoint',
    );
    assert.ok(!mine.notes.some((n) => n.text.includes('7781')), 'internal notes stay on the server');
  });

  it('keeps a ticket raised while the server is down and delivers it exactly once', async () => {
    await server.kill();
    await waitFor(async () => ((await agent.status()).connected ? undefined : true), 10_000, 'the agent to notice');
    const created = await cli('ticket', 'create', '--subject', 'Offline ticket', '--description', 'Raised with no server.');
    assert.equal(created.code, 0, created.output);
    assert.match(created.stdout, /offline, it will be sent when it is back online/);
    assert.match((await cli('ticket', 'list')).stdout, /^queued +queued +Offline ticket$/m);
    server = await startServer(dataDir, { port, adminToken: server.adminToken });
    const ref = (await cliJson<{ items: { ref: string; subject: string }[] }>('ticket', 'list')).items.find(
      (t) => t.subject === 'Offline ticket',
    )!.ref;
    const stored = await waitFor(() => serverTicket(ref), 40_000, 'the offline ticket after reconnecting');
    await waitFor(
      async () => ((await cliJson<{ number: number | null }>('ticket', 'show', ref)).number === stored.id ? true : undefined),
      10_000,
      'its number',
    );
    await agentSettled(server, agent, device.id); // nothing more on its way: a late duplicate would be in by now
    assert.ok(await serverTicket(ref), 'still exactly one'); // serverTicket() fails on two
  });

  it('records a worklog with the right minutes, and keeps one the server rejects for correction', async () => {
    const { ref } = await cliJson<{ ref: string }>('ticket', 'create', '--subject', 'VPN drops', '--description', 'Every hour.');
    const stored = await waitFor(() => serverTicket(ref), 10_000, 'the ticket');
    const times = ['--start', '2025-03-01T09:00:00Z', '--end', '2025-03-01T09:44:40Z', '--technician', 'Tom Tech'];
    const ok = await cliJson<{ minutes: number }>(
      'worklog',
      'add',
      '--ticket',
      `#${stored.id}`,
      ...times,
      '--description',
      'Reinstalled the client',
    );
    assert.equal(ok.minutes, 45);
    const logged = await waitFor(async () => (await serverTicket(ref))?.worklogs[0], 10_000, 'the worklog on the server');
    assert.deepEqual([logged.technician, logged.minutes], ['Tom Tech', 45]);

    const bad = await cliJson<{ ref: string }>('worklog', 'add', '--ticket', '987654', ...times);
    const rejected = await waitFor(
      async () =>
        (
          await cliJson<{ items: { ref: string; state: string; error?: { code: string; message: string } }[] }>('worklog', 'list')
        ).items.find((w) => w.ref === bad.ref && w.state === 'rejected'),
      10_000,
      'the rejection',
    );
    assert.equal(rejected.error?.code, 'E_UNKNOWN_TICKET');
    assert.match(rejected.error?.message ?? '', /987654/);
    const again = await cliJson<{ ref: string }>('worklog', 'retry', bad.ref, '--ticket', String(stored.id));
    await waitFor(async () => ((await serverTicket(ref))?.worklogs.length === 2 ? true : undefined), 10_000, 'the corrected worklog');
    assert.equal(
      (await cliJson<{ items: { ref: string; state: string }[] }>('worklog', 'list')).items.find((w) => w.ref === again.ref)?.state,
      'recorded',
    );
  });

  it('refuses bad input and callers that are not logged on, and the server gets nothing', async () => {
    const count = async () => (await server.api<{ items: unknown[] }>(`/api/tickets?device=${device.id}&limit=1000`)).body.items.length;
    const before = await count();
    const missing = await cli('ticket', 'create', '--subject', ' ', '--description', 'x');
    assert.deepEqual([missing.code, missing.stderr.trim()], [1, 'outpost: subject: is required']);
    // Too long for a command line: straight through the local API.
    await assert.rejects(callLocalAgent(stateDir, 'ticket.create', { subject: 's', description: 'd'.repeat(150_000) }), {
      code: 'E_BAD_REQUEST',
      message: /^description: /,
    });
    await assert.rejects(callLocalAgent(stateDir, 'tickets.purge' as 'status', {}), { code: 'E_UNKNOWN_METHOD' });
    await assert.rejects(callLocalAgent(stateDir, 'ticket.get', { ref: 'NoSuchTicket1' }), { code: 'E_NOT_FOUND' });

    const token = (await import('node:fs')).readFileSync(join(stateDir, 'admin-token'), 'utf8').trim();
    const huge = await new Promise<string>((resolve, reject) => {
      const socket = createConnection(localApiPath(stateDir), () => {
        socket.write(`{"id":1,"method":"ticket.create","auth":"${token}","params":{"subject":"s","description":"`);
        socket.write(Buffer.alloc(50 * 1024 * 1024, 0x61));
        socket.write('"}}\n');
      });
      let out = '';
      socket.on('data', (d: Buffer) => (out += d.toString()));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
    assert.equal((JSON.parse(huge) as { error: { code: string } }).error.code, 'E_TOO_LARGE');

    const asNobody = await promisify(execFile)('setpriv', [
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      process.execPath,
      BIN,
      'ticket',
      'list',
      '--state',
      stateDir,
    ]).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    assert.deepEqual(
      [asNobody.code, asNobody.stderr.trim()],
      [1, 'outpost: You are not a logged-on user of this machine (no local API token for nobody).'],
    );
    assert.equal((await agent.status()).connected, true, 'the agent is still serving');
    await agentSettled(server, agent, device.id); // anything the refused calls had queued would be delivered by now
    assert.equal(await count(), before);
  });
});
