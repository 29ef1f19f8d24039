// A real server on port 0 over a temporary data directory, and an authenticated API client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../shared/log.js';
import { OutpostServer, type ServerOptions } from '../../../server/server.js';
import { deadline } from '../deadline.js';

export interface ErrorBody {
  error: { code: string; message: string };
}

export interface Harness {
  server: OutpostServer;
  url: string;
  wsUrl: string;
  dataDir: string;
  adminToken: string;
  /** Calls the API with the admin token (or `token`, or none when null); the body is typed by the caller. */
  api<T = ErrorBody>(path: string, init?: RequestInit & { token?: string | null }): Promise<{ status: number; body: T }>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(opts: Partial<ServerOptions> = {}, dataDir?: string): Promise<Harness> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'outpost-server-'));
  const adminToken = opts.adminToken ?? 'test-admin-token-0123456789';
  const options: ServerOptions = { host: '127.0.0.1', port: 0, dataDir: dir, log: silentLogger, ...opts, adminToken };
  const h = { dataDir: dir, adminToken } as Harness;
  const boot = async () => {
    h.server = new OutpostServer(options);
    const { url } = await h.server.start();
    h.url = url;
    h.wsUrl = `${url.replace(/^http/, 'ws')}/agent`;
  };
  await boot();
  h.api = async <T>(path: string, init: RequestInit & { token?: string | null } = {}) => {
    const token = init.token === undefined ? adminToken : init.token;
    const headers = new Headers(init.headers);
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    const res = await fetch(`${h.url}${path}`, { ...init, headers });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  h.restart = async () => {
    await h.server.stop();
    options.port = Number(new URL(h.url).port);
    await boot();
  };
  h.close = async () => {
    await h.server.stop();
    if (!dataDir) rmSync(dir, { recursive: true, force: true });
  };
  return h;
}

/** Waits until `check` holds, for state the server updates just after the client notices. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const giveUpAt = Date.now() + deadline(timeoutMs);
  while (!(await check())) {
    if (Date.now() > giveUpAt) throw new Error(`condition not reached in ${deadline(timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
