// The agent's local API: a Unix socket (a named pipe on Windows) that the tray app and the CLI use.
// Anyone may connect; a request runs only with the token of a logged-on user or of an administrator
// (see callers.ts). Every request is validated against the method map in shared/local-api.ts; a bad
// request gets an error with a stable code and never reaches a handler.
import { chmod, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { ERROR_CODES, OutpostError, isOutpostError, type ErrorCode } from '../../shared/errors.js';
import {
  LOCAL_API_LIMITS,
  LocalApi,
  LocalRequestSchema,
  type LocalMethod,
  type LocalParams,
  type LocalResponse,
  type LocalResult,
} from '../../shared/local-api.js';
import type { Logger } from '../../shared/log.js';
import type { Caller } from './callers.js';
import { onLines, writeLine } from './lines.js';
import { asDiskFull } from '../outbox/disk-full.js';

export type LocalHandlers = { [M in LocalMethod]: (params: LocalParams<M>, caller: Caller) => Promise<LocalResult<M>> };

export interface LocalApiServerOptions {
  path: string;
  handlers: LocalHandlers;
  /** The caller a request's `auth` token belongs to, or undefined: refused with E_NOT_LOGGED_ON. */
  authenticate: (auth: string | undefined) => Caller | undefined;
  /** A caller was refused: perhaps someone logged on whom the agent has not seen yet (on Windows no
   * file announces a logon; the tray starting in the new session is the sign). */
  onRefused?: () => void;
  log: Logger;
}

/** A client that overflowed the line limit is given this long to read the error and hang up. */
const OVERFLOW_GRACE_MS = 5_000;
/** Each connection may buffer up to a 48 MB line: bound how many can at once. */
export const MAX_CONNECTIONS = 32;

export class LocalApiServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: LocalApiServerOptions) {}

  async start(): Promise<void> {
    await this.removeStaleSocket();
    const server = createServer((socket) => this.accept(socket));
    server.maxConnections = MAX_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // The token, not the socket's mode, decides who may do what: every local account may connect.
      server.listen({ path: this.opts.path, readableAll: true, writableAll: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.opts.log.error({ err: err.message }, 'local API error'));
    this.server = server;
    if (process.platform !== 'win32') await chmod(this.opts.path, 0o666);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    onLines(
      socket,
      LOCAL_API_LIMITS.maxRequestBytes,
      (line) => void this.answer(socket, line),
      () => {
        writeLine(socket, failure(null, 'E_TOO_LARGE', `A request is at most ${LOCAL_API_LIMITS.maxRequestBytes / 1024 / 1024} MB.`));
        // Half-close: the client may still be writing, and reads our answer before it sees the end.
        socket.end();
        setTimeout(() => socket.destroy(), OVERFLOW_GRACE_MS).unref();
      },
    );
  }

  private async answer(socket: Socket, line: string): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return writeLine(socket, failure(null, 'E_BAD_JSON', ERROR_CODES.E_BAD_JSON));
    }
    const request = LocalRequestSchema.safeParse(raw);
    if (!request.success) return writeLine(socket, failure(null, 'E_BAD_REQUEST', 'A request needs an id and a method.'));
    const { id, method } = request.data;
    const caller = this.opts.authenticate(request.data.auth);
    if (!caller) {
      this.opts.onRefused?.();
      return writeLine(socket, failure(id, 'E_NOT_LOGGED_ON', 'You are not a logged-on user of this machine.'));
    }
    if (!Object.hasOwn(LocalApi, method)) {
      return writeLine(socket, failure(id, 'E_UNKNOWN_METHOD', `Unknown method ${JSON.stringify(method)}.`));
    }
    const m = method as LocalMethod;
    const params = LocalApi[m].params.safeParse(request.data.params ?? {});
    if (!params.success) {
      const issue = params.error.issues[0];
      const where = issue?.path.join('.') || 'params';
      return writeLine(socket, failure(id, 'E_BAD_REQUEST', `${where}: ${issue?.message ?? 'invalid'}`));
    }
    try {
      const handler = this.opts.handlers[m] as (p: unknown, c: Caller) => Promise<unknown>;
      writeLine(socket, { id, ok: true, result: await handler(params.data, caller) } satisfies LocalResponse);
    } catch (caught) {
      const err = asDiskFull(caught);
      if (isOutpostError(err)) return writeLine(socket, failure(id, err.code, err.message));
      this.opts.log.error({ method: m, err: (err as Error).message }, 'local API handler failed');
      writeLine(socket, failure(id, 'E_INTERNAL', ERROR_CODES.E_INTERNAL));
    }
  }

  /** A socket file left by a killed agent is removed; a live one means another agent owns this state. */
  private async removeStaleSocket(): Promise<void> {
    if (process.platform === 'win32') return;
    const alive = await new Promise<boolean>((resolve) => {
      const probe = createConnection(this.opts.path);
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (alive) throw new OutpostError('E_CONFIG', `Another agent is already running with this state directory (${this.opts.path}).`);
    await unlink(this.opts.path).catch(() => undefined);
  }
}

function failure(id: string | number | null, code: ErrorCode, message: string): LocalResponse {
  return { id, ok: false, error: { code, message } };
}
