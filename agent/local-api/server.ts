// The agent's local API: a Unix socket (a named pipe on Windows) that the tray app and the CLI use.
// Anyone may connect; a request runs only with the token of a logged-on user or of an administrator
// (see callers.ts). Every request is validated against the method map in shared/local-api.ts; a bad
// request gets an error with a stable code and never reaches a handler. Before a connection has
// carried a valid token it costs little: a short line, a short life, a shared cap (connections.ts).
import { chmod, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { ERROR_CODES, OutpostError, isOutpostError } from '../../shared/errors.js';
import { LOCAL_API_LIMITS, type LocalMethod, type LocalParams, type LocalResponse, type LocalResult } from '../../shared/local-api.js';
import type { Logger } from '../../shared/log.js';
import type { Caller } from './callers.js';
import { ConnectionBook, type Tracked } from './connections.js';
import { onLines, writeLine } from './lines.js';
import { asDiskFull } from '../outbox/disk-full.js';
import { failure, readCall, readEnvelope } from './requests.js';

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
  /** Tests shorten the timeouts and caps. */
  limits?: Partial<LocalApiLimits>;
}

export type LocalApiLimits = { -readonly [K in keyof typeof LOCAL_API_LIMITS]: number };

/** A client that overflowed the line limit is given this long to read the error and hang up. */
const OVERFLOW_GRACE_MS = 5_000;

interface Connection extends Tracked {
  socket: Socket;
  /** Requests read but not yet answered: an idle timeout never cuts one short. */
  inFlight: number;
}

export class LocalApiServer {
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly limits: LocalApiLimits;
  private readonly book: ConnectionBook<Connection>;
  private evictions = 0;
  private evictionLoggedAt = 0;

  constructor(private readonly opts: LocalApiServerOptions) {
    this.limits = { ...LOCAL_API_LIMITS, ...opts.limits };
    this.book = new ConnectionBook(this.limits);
  }

  /** Open connections: unauthenticated ones, and authenticated ones per account (tests, diagnostics). */
  connectionCounts(): ReturnType<ConnectionBook<Connection>['counts']> {
    return this.book.counts();
  }

  async start(): Promise<void> {
    await this.removeStaleSocket();
    const server = createServer((socket) => this.accept(socket));
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
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const conn: Connection = { socket, inFlight: 0 };
    this.connections.add(conn);
    const evicted = this.book.open(conn);
    if (evicted) this.evict(evicted);
    // No valid token soon after connecting: the connection was opened to hold a slot, not to ask.
    const preAuth = setTimeout(() => {
      if (conn.owner !== undefined) return;
      writeLine(socket, failure(null, 'E_NOT_LOGGED_ON', `No request with a valid token within ${this.limits.preAuthTimeoutMs / 1000} s.`));
      socket.destroy();
    }, this.limits.preAuthTimeoutMs);
    preAuth.unref();
    socket.on('close', () => {
      clearTimeout(preAuth);
      this.connections.delete(conn);
      this.book.close(conn);
    });
    socket.on('error', () => socket.destroy());
    socket.on('timeout', () => {
      if (conn.inFlight === 0) socket.destroy();
    });
    onLines(
      socket,
      // The big limit only once this connection has shown a valid token.
      () => (conn.owner === undefined ? this.limits.preAuthRequestBytes : this.limits.maxRequestBytes),
      (line) => void this.answer(conn, line),
      (limit) => {
        const hint = conn.owner === undefined ? ' before a valid token; a client sends a small request with its token first' : '';
        writeLine(socket, failure(null, 'E_TOO_LARGE', `A request is at most ${size(limit)}${hint}.`));
        // Half-close: the client may still be writing, and reads our answer before it sees the end.
        // Nothing more is read: the rest of an oversized line costs no CPU while the client hangs up.
        socket.end();
        socket.pause();
        setTimeout(() => socket.destroy(), OVERFLOW_GRACE_MS).unref();
      },
    );
  }

  /** Closes the oldest connection without a token, telling it so (nothing of it ran: the client
   * may simply try again), and logs at most once a minute however hard someone pushes. */
  private evict(conn: Connection): void {
    writeLine(conn.socket, failure(null, 'E_BUSY', 'Too many connections to the agent are waiting for a token; try again.'));
    conn.socket.end();
    conn.socket.pause();
    setTimeout(() => conn.socket.destroy(), 1_000).unref();
    this.evictions++;
    const now = Date.now();
    if (now - this.evictionLoggedAt < 60_000) return;
    this.opts.log.warn(
      { max: this.limits.maxUnauthenticated, closed: this.evictions },
      'local API: too many connections without a token; the oldest were closed',
    );
    this.evictionLoggedAt = now;
    this.evictions = 0;
  }

  /** Runs one request line. Everything up to the handler is synchronous, so a line read right after
   * this one on the same connection already sees the connection authenticated. */
  private async answer(conn: Connection, line: string): Promise<void> {
    const { socket } = conn;
    const envelope = readEnvelope(line, this.opts.authenticate);
    if (!envelope.ok) {
      if (envelope.notLoggedOn) this.opts.onRefused?.();
      return writeLine(socket, envelope.response);
    }
    const { id, caller } = envelope;
    if (!this.book.authenticate(conn, caller)) {
      writeLine(
        socket,
        failure(
          id,
          'E_BUSY',
          `This account already has ${this.limits.maxPerAccount} connections open to the agent; close one and try again.`,
        ),
      );
      socket.end();
      return;
    }
    socket.setTimeout(this.limits.idleTimeoutMs);
    const call = readCall(id, envelope.method, envelope.params);
    if (!call.ok) return writeLine(socket, call.response);
    conn.inFlight++;
    try {
      const handler = this.opts.handlers[call.method] as (p: unknown, c: Caller) => Promise<unknown>;
      writeLine(socket, { id, ok: true, result: await handler(call.params, caller) } satisfies LocalResponse);
    } catch (caught) {
      const err = asDiskFull(caught);
      if (isOutpostError(err)) return writeLine(socket, failure(id, err.code, err.message));
      this.opts.log.error({ method: call.method, err: (err as Error).message }, 'local API handler failed');
      writeLine(socket, failure(id, 'E_INTERNAL', ERROR_CODES.E_INTERNAL));
    } finally {
      conn.inFlight--;
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

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`;
}
