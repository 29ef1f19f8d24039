// Real Outpost processes for end-to-end tests: `node bin/outpost.js ...` built from dist/, on
// loopback, with temp data dirs. Every process started here is killed when the test file ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { callAgent } from '../../agent/local-api/client.js';
import { localApiPath } from '../../agent/paths.js';
import { deadline } from './deadline.js';

const BIN = new URL('../../bin/outpost.js', import.meta.url).pathname;
const live = new Set<ChildProcess>();
const dirs: string[] = [];

// Every process is gone before its data dirs are removed: a dying process still writing its SQLite
// journal into a dir being deleted made the removal fail (ENOTEMPTY) and with it the file's run.
after(async () => {
  await Promise.all([...live].map((p) => killAndWait(p)));
  for (const d of dirs) rmSync(d, { recursive: true, force: true, maxRetries: 5 });
});

function killAndWait(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGKILL');
  return exited;
}

export function tempDir(prefix = 'outpost-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export interface Proc {
  proc: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

export function run(args: string[], env: Record<string, string> = {}): Proc {
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, OUTPOST_LOG_LEVEL: process.env.OUTPOST_LOG_LEVEL ?? 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      live.delete(proc);
      resolve(code);
    }),
  );
  return {
    proc,
    output: () => out,
    stop: async () => {
      proc.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Resolves with the first match of `pattern` in the process's output. */
export async function waitForOutput(p: Proc, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return waitFor(
    () => p.output().match(pattern) ?? undefined,
    timeoutMs,
    () => `output ${pattern}; the process's output ends:\n${p.output().slice(-3000)}`,
  );
}

/**
 * Polls `probe` until it returns something other than undefined or false. Gives up after
 * `timeoutMs` stretched for a loaded machine (deadline.ts) with an error naming `what` was awaited (a function: called then, so
 * it can show the state at that moment, such as a process's last output).
 */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string | (() => string),
): Promise<T> {
  const limit = deadline(timeoutMs);
  const giveUpAt = Date.now() + limit;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > giveUpAt) throw new Error(`timed out after ${limit} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ServerProc extends Proc {
  url: string;
  adminToken: string;
  api<T = unknown>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
}

export async function startServer(
  dataDir: string,
  opts: { port?: number; adminToken?: string; env?: Record<string, string> } = {},
): Promise<ServerProc> {
  const adminToken = opts.adminToken ?? randomBytes(18).toString('base64url');
  const p = run(['server', '--host', '127.0.0.1', '--port', String(opts.port ?? 0), '--data', dataDir], {
    ...opts.env,
    OUTPOST_ADMIN_TOKEN: adminToken,
  });
  const [, url] = await waitForOutput(p, /listening on (http:\/\/\S+)/);
  return {
    ...p,
    url: url!,
    adminToken,
    api: async <T>(path: string, init: RequestInit = {}) => {
      const res = await fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, ...(init.headers ?? {}) } });
      return { status: res.status, body: (await res.json()) as T };
    },
  };
}

/** Runs a short command to its end. */
export async function runToEnd(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; output: string }> {
  const p = run(args, env);
  let stdout = '';
  p.proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  // 'close', not 'exit': at 'exit' the last of its output may still be unread (a token cut short).
  const code = await new Promise<number | null>((resolve) => p.proc.once('close', resolve));
  return { code, stdout, output: p.output() };
}

export async function createToken(dataDir: string): Promise<string> {
  const { code, stdout, output } = await runToEnd(['token', 'create', '--data', dataDir]);
  if (code !== 0) throw new Error(`token create failed: ${output}`);
  return stdout.trim();
}

export interface AgentProc extends Proc {
  stateDir: string;
  status(): ReturnType<typeof callAgent<'status'>>;
}

export function startAgent(serverUrl: string, stateDir: string, token?: string): AgentProc {
  const p = run(['agent', '--server', serverUrl, '--state', stateDir, ...(token ? ['--token', token] : [])]);
  return { ...p, stateDir, status: () => callAgent(localApiPath(stateDir), 'status', {}, deadline(5_000)) };
}

export interface DeviceSummary {
  id: string;
  hostname: string;
  online: boolean;
  softwareCount?: number;
}

// The first inventory includes `apt-get -s upgrade` (up to 20 s on a loaded machine) before it is sent.
/** The first device the server lists with software; `agent`'s output goes into a failure's message. */
export async function waitForDevice(server: ServerProc, timeoutMs = 90_000, agent?: Pick<Proc, 'output'>): Promise<DeviceSummary> {
  let listed: DeviceSummary[] = [];
  return waitFor(
    async () => {
      const { body } = await server.api<{ items: DeviceSummary[] }>('/api/devices');
      listed = body.items;
      return body.items.find((d) => (d.softwareCount ?? 0) > 0);
    },
    timeoutMs,
    () =>
      `the device to appear with its software (the server lists ${JSON.stringify(listed)})` +
      (agent ? `; the agent's output ends:\n${agent.output().slice(-3000)}` : ''),
  );
}
