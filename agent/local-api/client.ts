// The one client for the agent's local API, used by the CLI, the tray's main process and bench/;
// it lives beside the server end so the two sides of the protocol (lines, token paths, socket path)
// change together. A call carries
// the caller's token (see agent/local-api/README.md): the admin token when this account can read it
// (root, Administrators), else the account's own token, which the agent writes while it is logged on.
import { readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { OutpostError, type ErrorCode } from '../../shared/errors.js';
import { LOCAL_API_LIMITS, LocalApi, type LocalInput, type LocalMethod, type LocalResult } from '../../shared/local-api.js';
import { localApiPath } from '../paths.js';
import { onLines, writeLine } from './lines.js';
import { adminTokenPath, userTokenPath } from './token-paths.js';

/** What a caller may send: defaults (priority, attachments...) may be left out; the agent fills them in. */
export type { LocalInput } from '../../shared/local-api.js';

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** The id of the small request that opens a connection for a large one. */
const PRE_AUTH_ID = 'pre-auth';
const DEFAULT_TIMEOUT_MS = 120_000;
const BUSY_RETRIES = 5;

export interface CallOptions {
  timeoutMs?: number;
  /** The token to send; found in the state directory when absent. */
  auth?: string;
  /** Where to find the token; by default the socket's folder (not on Windows, where it is a pipe). */
  stateDir?: string;
  /** The account whose token to use when the admin token is not readable. Default: this process's. */
  account?: string;
}

/** Calls the agent that owns `stateDir`. */
export function callLocalAgent<M extends LocalMethod>(
  stateDir: string,
  method: M,
  params: LocalInput<M>,
  opts: Omit<CallOptions, 'stateDir'> = {},
): Promise<LocalResult<M>> {
  return callAgent(localApiPath(stateDir), method, params, opts.timeoutMs, { ...opts, stateDir });
}

export async function callAgent<M extends LocalMethod>(
  socketPath: string,
  method: M,
  params: LocalInput<M>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  opts: CallOptions = {},
): Promise<LocalResult<M>> {
  const stateDir = opts.stateDir ?? (process.platform === 'win32' ? undefined : dirname(socketPath));
  const findToken = () => (stateDir === undefined ? Promise.resolve(undefined) : readCallerToken(stateDir, opts.account));
  let auth = opts.auth ?? (await findToken());
  let response = await exchange(socketPath, { id: 1, method, params, auth }, timeoutMs);
  // Closed before the request was read, among too many connections without a token (someone may be
  // flooding the socket): nothing ran, so trying again is safe.
  for (let i = 0; i < BUSY_RETRIES && response.error?.code === 'E_BUSY' && response.id === null; i++) {
    await new Promise((r) => setTimeout(r, 50 * (i + 1)));
    response = await exchange(socketPath, { id: 1, method, params, auth }, timeoutMs);
  }
  if (opts.auth === undefined && response.error?.code === 'E_NOT_LOGGED_ON') {
    // The agent restarted between reading the token and calling, and made a new one: read it again.
    const fresh = await findToken().catch(() => undefined);
    if (fresh !== undefined && fresh !== auth) {
      auth = fresh;
      response = await exchange(socketPath, { id: 2, method, params, auth }, timeoutMs);
    }
  }
  if (response.ok !== true) {
    throw new OutpostError(
      (response.error?.code ?? 'E_INTERNAL') as ErrorCode,
      response.error?.message ?? 'The agent refused the request.',
    );
  }
  const parsed = LocalApi[method].result.safeParse(response.result);
  if (!parsed.success) throw new OutpostError('E_BAD_MESSAGE', `The agent's ${method} answer does not match the contract.`);
  return parsed.data as LocalResult<M>;
}

/**
 * This caller's token for the agent that owns `stateDir`: the admin token if readable, else the
 * account's own. Throws E_NOT_LOGGED_ON when neither is readable, E_AGENT_UNREACHABLE when no agent
 * has ever run with this state directory.
 */
export async function readCallerToken(stateDir: string, account?: string): Promise<string> {
  const admin = await readToken(adminTokenPath(stateDir));
  if (admin.token !== undefined) return admin.token;
  if (admin.code === 'ENOENT') {
    throw new OutpostError(
      'E_AGENT_UNREACHABLE',
      `No agent has started with the state directory ${stateDir}. Is it running with this --state directory?`,
    );
  }
  const name = account ?? currentAccount();
  const path = name === undefined ? undefined : userTokenPath(stateDir, name);
  const own = path === undefined ? { token: undefined } : await readToken(path);
  if (own.token !== undefined) return own.token;
  throw new OutpostError(
    'E_NOT_LOGGED_ON',
    `You are not a logged-on user of this machine${name ? ` (no local API token for ${name})` : ''}.`,
  );
}

async function readToken(path: string): Promise<{ token?: string; code?: string }> {
  try {
    const token = (await readFile(path, 'utf8')).trim();
    return token ? { token } : {};
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}

function currentAccount(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

interface RawResponse {
  id?: unknown;
  ok?: boolean;
  result?: unknown;
  error?: { code?: string; message?: string };
}

function exchange(socketPath: string, request: object, timeoutMs: number): Promise<RawResponse> {
  const method = (request as { method: string }).method;
  return new Promise<RawResponse>((resolve, reject) => {
    const socket = createConnection(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new OutpostError('E_AGENT_UNREACHABLE', `The agent did not answer ${method} within ${timeoutMs} ms.`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(
        new OutpostError(
          'E_AGENT_UNREACHABLE',
          `No agent answers at ${socketPath} (${(err as NodeJS.ErrnoException).code ?? err.message}). Is it running with this --state directory?`,
        ),
      );
    });
    // The agent hung up without answering (it was stopping, or dropped us): say so now, not at the timeout.
    socket.once('close', () => {
      clearTimeout(timer);
      reject(new OutpostError('E_AGENT_UNREACHABLE', `The agent closed the connection before answering ${method}; try again.`));
    });
    socket.once('connect', () => {
      const auth = (request as { auth?: unknown }).auth;
      // The agent reads only a short line until the connection has shown a valid token: a large
      // request (a ticket with files) follows a small one carrying the token, without waiting for it.
      if (typeof auth === 'string' && Buffer.byteLength(JSON.stringify(request)) + 1 > LOCAL_API_LIMITS.preAuthRequestBytes) {
        writeLine(socket, { id: PRE_AUTH_ID, method: 'status', params: {}, auth });
      }
      writeLine(socket, request);
    });
    onLines(
      socket,
      MAX_RESPONSE_BYTES,
      (line) => {
        if (isPreAuthOk(line)) return;
        clearTimeout(timer);
        socket.end();
        try {
          resolve(JSON.parse(line) as RawResponse);
        } catch {
          reject(new OutpostError('E_BAD_JSON', 'The agent answered with something that is not JSON.'));
        }
      },
      () => socket.destroy(),
    );
  });
}

/** The answer to the small opening request, when it went well: nothing to report. A refusal (an
 * unknown token) is the answer to the whole call. */
function isPreAuthOk(line: string): boolean {
  if (!line.includes(PRE_AUTH_ID)) return false;
  try {
    const r = JSON.parse(line) as RawResponse & { id?: unknown };
    return r.id === PRE_AUTH_ID && r.ok === true;
  } catch {
    return false;
  }
}
