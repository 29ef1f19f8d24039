// The local API attacked from the unprivileged `nobody` account, with a real agent process on a real
// server: idle connections must not lock root's CLI out, huge lines before a token must be cut at
// the small limit with the agent's memory and server link intact, quotas refuse with E_RATE_LIMITED
// and nothing is lost, and a user may not record worklogs.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { localApiPath } from '../agent/paths.js';
import { startTestAgent, type TestAgent } from './support/agent-harness.js';
import { callLocalAgent } from '../agent/local-api/client.js';
import { requireRoot } from './support/deb.js';
import { deadline } from './support/deadline.js';
import {
  createToken,
  run,
  runToEnd,
  startAgent,
  tempDir,
  waitFor,
  waitForDevice,
  waitForOutput,
  type AgentProc,
  type ServerProc,
} from './support/outpost.js';

const exec = promisify(execFile);
const CLI = new URL('../cli/main.ts', import.meta.url).pathname;

/** What `nobody` runs: `idle N` holds N connections open (reconnecting when dropped); `flood N MB`
 * keeps N connections each writing a line of MB megabytes with no newline. Runs until killed. */
const ATTACKER = `
import { createConnection } from 'node:net';
const [path, mode, n, mb] = process.argv.slice(2);
const junk = Buffer.alloc(Number(mb ?? 1) * 1024 * 1024, 0x61);
let opened = 0;
function one() {
  const s = createConnection(path, () => { opened++; if (mode === 'flood') s.write(junk); });
  s.on('data', () => undefined);
  s.on('error', () => undefined);
  s.on('close', () => setTimeout(one, 20));
}
for (let i = 0; i < Number(n); i++) one();
setInterval(() => process.stdout.write(opened + '\\n'), 200);
`;

function asNobody(args: string[]): ChildProcess {
  return spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

describe('the local API attacked by a local account without a token', () => {
  const dir = tempDir();
  const stateDir = join(dir, 'agent');
  const script = join(tmpdir(), `outpost-attacker-${process.pid}.mjs`);
  const attackers: ChildProcess[] = [];
  let server: ServerProc;
  let agent: AgentProc;

  const attack = async (...args: string[]): Promise<ChildProcess> => {
    const p = asNobody([process.execPath, script, localApiPath(stateDir), ...args]);
    attackers.push(p);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    // Until the attacker has all its connections open at least once.
    await waitFor(() => Number(out.trim().split('\n').at(-1) ?? 0) >= Number(args[1]), 20_000, 'the attacker to connect');
    return p;
  };
  // A starved local API never answers root at all; a loaded machine only answers late. The client's
  // deadline is an upper bound for "never", not a speed target (those live in bench/).
  const rootStatus = () => callLocalAgent(stateDir, 'status', {}, { timeoutMs: 60_000 });

  before(async () => {
    requireRoot();
    writeFileSync(script, ATTACKER, { mode: 0o644 });
    chmodSync(dir, 0o711); // nobody must reach the socket, as in /var/lib/outpost
    const dataDir = join(dir, 'server');
    // Small per-device quotas, so that the server's own refusals can be seen.
    const config = join(dir, 'server.json');
    writeFileSync(config, JSON.stringify({ quotas: { ticketsPerDevice: 3, notesPerDevice: 2 } }));
    const p = run(['server', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--config', config], {
      OUTPOST_ADMIN_TOKEN: 'attack-admin-token-0123456789',
    });
    const [, url] = await waitForOutput(p, /listening on (http:\/\/\S+)/);
    server = {
      ...p,
      url: url!,
      adminToken: 'attack-admin-token-0123456789',
      api: async <T>(path: string) => {
        const res = await fetch(`${url}${path}`, { headers: { authorization: 'Bearer attack-admin-token-0123456789' } });
        return { status: res.status, body: (await res.json()) as T };
      },
    };
    agent = startAgent(server.url, stateDir, await createToken(dataDir));
    await waitForDevice(server);
  });

  after(async () => {
    for (const a of attackers) a.kill('SIGKILL');
    await agent?.kill();
    await server?.kill();
  });

  it("keeps root's CLI working while nobody holds hundreds of idle connections", async () => {
    const idle = await attack('idle', '300');
    for (let i = 0; i < 5; i++) assert.equal((await rootStatus()).connected, true, 'root is answered while nobody holds the connections');
    const cli = await runToEnd(['ticket', 'list', '--state', stateDir]);
    assert.equal(cli.code, 0, cli.output);
    idle.kill('SIGKILL');
  });

  it("cuts nobody's 47 MB lines at 64 KB: the agent's memory stays bounded and it keeps its server link", async () => {
    const before = rssMb(agent.proc.pid!);
    const flood = await attack('flood', '32', '47');
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(agent.proc.pid!))), 50);
    await new Promise((r) => setTimeout(r, 4_000));
    clearInterval(sampler);
    assert.equal((await rootStatus()).connected, true, 'still linked to the server');
    flood.kill('SIGKILL');
    assert.ok(peak - before < 150, `RSS grew ${Math.round(peak - before)} MB (from ${Math.round(before)} MB)`);
    const devices = await server.api<{ items: { online: boolean }[] }>('/api/devices');
    assert.equal(devices.body.items[0]?.online, true);
    console.log(`# agent RSS ${Math.round(before)} MB before, ${Math.round(peak)} MB at most under 32 x 47 MB lines from nobody`);
  });

  it("refuses tickets and notes beyond the server's per-device quotas, storing nothing; the ticket stays in My tickets as refused and the note with its reason", async () => {
    const refs: string[] = [];
    for (let i = 1; i <= 4; i++)
      refs.push((await callLocalAgent(stateDir, 'ticket.create', { subject: `Quota ${i}`, description: 'x' })).ref);
    const last = await waitFor(
      async () => {
        const t = await callLocalAgent(stateDir, 'ticket.get', { ref: refs[3]! });
        return t.status === 'refused' ? t : undefined;
      },
      15_000,
      'the fourth ticket to be refused',
    );
    assert.match(last.notes.at(-1)?.text ?? '', /at most 3 tickets from this device/);
    const { body } = await server.api<{ items: { subject: string }[] }>('/api/tickets?limit=100');
    assert.deepEqual(body.items.map((t) => t.subject).sort(), ['Quota 1', 'Quota 2', 'Quota 3'], 'nothing stored for the refused one');
    const listed = await runToEnd(['ticket', 'list', '--state', stateDir]);
    assert.match(listed.stdout, /refused\s+Quota 4/);
    await assert.rejects(callLocalAgent(stateDir, 'ticket.note', { ref: refs[3]!, text: 'hello?' }), { code: 'E_CONFLICT' });

    // A note beyond the quota stays on its ticket with the reason, through later updates from the server.
    for (const text of ['first', 'second', 'third']) await callLocalAgent(stateDir, 'ticket.note', { ref: refs[0]!, text });
    const kept = await waitFor(
      async () => {
        const t = await callLocalAgent(stateDir, 'ticket.get', { ref: refs[0]! });
        return t.notes.some((n) => /was not sent to IT/.test(n.text)) ? t : undefined;
      },
      15_000,
      'the third note to be refused',
    );
    assert.match(kept.notes.find((n) => /was not sent to IT/.test(n.text))!.text, /at most 2 notes from this device/);
    await callLocalAgent(stateDir, 'ticket.close', { ref: refs[0]! });
    const closed = await waitFor(
      async () => {
        const t = await callLocalAgent(stateDir, 'ticket.get', { ref: refs[0]! });
        return t.status === 'closed' && t.number !== null ? t : undefined;
      },
      15_000,
      'the close to reach the server and come back',
    );
    assert.deepEqual(
      closed.notes.filter((n) => n.text === 'third' || /was not sent/.test(n.text)).length,
      2,
      'the refused note and its reason are still shown',
    );
    const stored = await server.api<{ items: { id: number; subject: string }[] }>('/api/tickets?limit=100');
    const first = stored.body.items.find((t) => t.subject === 'Quota 1')!;
    const detail = await server.api<{ notes: { text: string }[] }>(`/api/tickets/${first.id}`);
    assert.deepEqual(
      detail.body.notes.map((n) => n.text).filter((t) => ['first', 'second', 'third'].includes(t)),
      ['first', 'second'],
      'the server stored nothing of the refused note',
    );
  });
});

describe('a logged-on user at the local API', () => {
  let t: TestAgent;
  before(async () => {
    requireRoot();
    t = await startTestAgent();
    await t.logOn('alice', 'nobody');
  });
  after(() => t?.close());

  /** The real CLI, run as the unprivileged account `nobody` (logged on as such). */
  const cliAsNobody = async (args: string[]) => {
    const argv = [
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      process.execPath,
      '--import',
      'tsx',
      CLI,
      ...args,
      '--state',
      t.stateDir,
    ];
    try {
      const { stdout, stderr } = await exec('setpriv', argv, {
        env: { ...process.env, HOME: '/tmp', OUTPOST_STATE_DIR: '' },
        timeout: deadline(30_000),
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };

  it('may not record a worklog: E_FORBIDDEN, and nothing is queued', async () => {
    const before = t.counts();
    const r = await cliAsNobody([
      'worklog',
      'add',
      '--ticket',
      '1000',
      '--start',
      '2025-03-01T08:00:00Z',
      '--end',
      '2025-03-01T18:00:00Z',
      '--technician',
      'Me',
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^outpost: Only support staff/);
    assert.deepEqual(t.counts(), before);
  });

  it('is refused at once with E_RATE_LIMITED after 20 tickets in an hour, nothing queued, while the admin is not', async () => {
    for (let i = 0; i < 20; i++) await t.call('nobody', 'ticket.create', { subject: `Flood ${i}`, description: 'x' });
    const before = t.counts();
    await assert.rejects(t.call('nobody', 'ticket.create', { subject: 'One more', description: 'x' }), {
      code: 'E_RATE_LIMITED',
      message: /at most 20 tickets/,
    });
    const r = await cliAsNobody(['ticket', 'create', '--subject', 'From the CLI', '--description', 'x']);
    assert.match(r.stderr, /^outpost: You can raise at most 20 tickets in an hour/);
    assert.deepEqual(t.counts(), before, 'nothing was queued');
    assert.equal((await t.call('admin', 'ticket.create', { subject: 'Support', description: 'x' })).status, 'queued');
    // An hour later the person may raise tickets again.
    t.clock.ms += 61 * 60_000;
    assert.equal((await t.call('nobody', 'ticket.create', { subject: 'Next hour', description: 'x' })).status, 'queued');
  });
});
