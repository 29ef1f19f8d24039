// Test helper: a real Agent (outbox, link, local API, token files) in a temp state directory, with
// the shared FakeHost, a scanner whose logged-on users the test sets, a settable clock and a
// FakeAgentServer acting as the desk. Callers talk to it through the real client, with the tokens
// the agent wrote for them.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { emptySnapshot } from '../../shared/delta.js';
import type { Snapshot } from '../../shared/inventory.js';
import type { LocalMethod, LocalResult } from '../../shared/local-api.js';
import { callAgent, type LocalInput } from '../../agent/local-api/client.js';
import { FakeAgentServer } from '../fakes/agent-server.js';
import { FakeHost } from '../fakes/host.js';
import { RecordingLogger } from '../fakes/recording-logger.js';
import { Agent, type InventoryScanner } from '../../agent/agent.js';
import { adminTokenPath, userTokenPath } from '../../agent/local-api/token-paths.js';
import { localApiPath } from '../../agent/paths.js';
import { deadline } from './deadline.js';

const CLI = new URL('../../cli/main.ts', import.meta.url).pathname;

/** Runs the real `outpost` CLI (as this process's user: root, so support staff) to its end. */
export function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { env: { ...process.env, OUTPOST_STATE_DIR: '' }, timeout: deadline(20_000) },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
      },
    );
  });
}

export const ENROL_TOKEN = 'enrol-token-0123456789';
/** Accounts the fake OS knows; `nobody` is the real one, so a process can run as it. */
export const ACCOUNTS: Record<string, { uid: number; gid: number }> = {
  alice: { uid: 1001, gid: 1001 },
  bob: { uid: 1002, gid: 1002 },
  nobody: { uid: 65534, gid: 65534 },
};

export class UsersScanner implements InventoryScanner {
  users: string[] = [];
  async scan(): Promise<Snapshot> {
    return {
      ...emptySnapshot('desk-pc'),
      os: { platform: 'linux', hostname: 'desk-pc', distro: 'Debian GNU/Linux', release: '12' },
      hardware: { manufacturer: 'Dell Inc.', model: 'Latitude 5440', serial: 'SVC1234', memory: { modules: [] }, disks: [], graphics: [] },
      network: [{ name: 'eth0', mac: '52:54:00:12:34:56', ipv4: ['10.1.2.3'], ipv6: ['fe80::1'], virtual: false }],
      users: this.users.map((name) => ({ name, terminal: 'pts/0' })),
    };
  }
  async watchPaths(): Promise<string[]> {
    return [];
  }
}

export interface TestAgent {
  stateDir: string;
  server: FakeAgentServer;
  scanner: UsersScanner;
  log: RecordingLogger;
  agent: Agent;
  /** The clock the agent's tickets and worklogs read. */
  clock: { ms: number };
  /** Calls the local API with the token of `who` ('admin' or an account), or with a given token. */
  call<M extends LocalMethod>(who: string | { auth: string }, method: M, params: LocalInput<M>): Promise<LocalResult<M>>;
  token(who: string): string;
  /** Users now logged on; their tokens are written before this resolves. */
  logOn(...users: string[]): Promise<void>;
  /** Stops the agent and starts a new one on the same state directory and server; by default waits
   * until it is connected. */
  restart(opts?: { connected?: boolean }): Promise<void>;
  /** The outbox's last seq and the ticket tables' row counts, read through a second connection. */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

export async function startTestAgent(opts: { users?: string[] } = {}): Promise<TestAgent> {
  const stateDir = await mkdtemp(join(tmpdir(), 'outpost-agent-'));
  const server = new FakeAgentServer({ tokens: [ENROL_TOKEN], desk: true });
  await server.start();
  const host = new FakeHost('linux', 'desk-pc');
  for (const [name, { uid, gid }] of Object.entries(ACCOUNTS))
    host.command(`id ${name}`, `uid=${uid}(${name}) gid=${gid}(${name}) groups=${gid}(${name})\n`);
  host.command('id', { stdout: '', stderr: 'id: no such user\n', code: 1 });
  const scanner = new UsersScanner();
  scanner.users = opts.users ?? ['alice', 'bob'];
  const log = new RecordingLogger();
  const clock = { ms: Date.parse('2025-03-01T09:00:00.000Z') };
  const make = () =>
    new Agent({
      stateDir,
      serverUrl: server.url,
      enrolmentToken: ENROL_TOKEN,
      version: '0.1.0-test',
      log,
      host,
      scanner,
      installId: async () => 'install-0123456789',
      now: () => new Date(clock.ms),
      random: () => 0,
    });
  let agent = make();
  await agent.start();
  await agent.scan({ trigger: 'startup', scope: 'full' });
  const token = (who: string) => readFileSync(who === 'admin' ? adminTokenPath(stateDir) : userTokenPath(stateDir, who)!, 'utf8').trim();
  /** Until the agent itself has taken the server's welcome (the server authenticates it first). */
  const connected = async () => {
    await server.waitFor(() => server.authenticatedConnections() === 1, 'the agent to connect');
    const giveUpAt = Date.now() + deadline(5000);
    while (!(await callAgent(localApiPath(stateDir), 'status', {}, deadline(5000), { auth: token('admin') })).connected) {
      if (Date.now() > giveUpAt) throw new Error('the agent never saw the welcome');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await connected();
  const t: TestAgent = {
    stateDir,
    server,
    scanner,
    log,
    get agent() {
      return agent;
    },
    clock,
    call: (who, method, params) =>
      callAgent(localApiPath(stateDir), method, params, deadline(10_000), { auth: typeof who === 'string' ? token(who) : who.auth }),
    token,
    logOn: async (...users) => {
      scanner.users = users;
      await agent.scan({ trigger: 'logon', scope: 'users' });
    },
    restart: async ({ connected: wait = true } = {}) => {
      await agent.stop();
      agent = make();
      await agent.start();
      if (wait) await connected();
    },
    counts: () => {
      const db = new Database(join(stateDir, 'outbox.db'), { readonly: true });
      try {
        const n = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
        // last_seq, not the items table: the server acknowledges (deletes) items at any moment.
        const lastSeq = (db.prepare('SELECT last_seq FROM state').get() as { last_seq: number }).last_seq;
        return {
          lastSeq,
          ...Object.fromEntries(['tickets', 'ticket_local_notes', 'worklogs', 'worklog_sessions'].map((table) => [table, n(table)])),
        };
      } finally {
        db.close();
      }
    },
    close: async () => {
      await agent.stop();
      await server.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return t;
}
