// The CLI's (and later the tray's) client for the agent's local API.
import { createConnection } from 'node:net';
import { OutpostError, type ErrorCode } from '../shared/errors.js';
import { LocalApi, type LocalMethod, type LocalParams, type LocalResult } from '../shared/local-api.js';
import { onLines, writeLine } from '../agent/local-api/lines.js';

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export async function callAgent<M extends LocalMethod>(
  socketPath: string,
  method: M,
  params: LocalParams<M>,
  timeoutMs = 120_000,
): Promise<LocalResult<M>> {
  const response = await new Promise<unknown>((resolve, reject) => {
    const socket = createConnection(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new OutpostError('E_AGENT_UNREACHABLE', `The agent did not answer ${method} within ${timeoutMs} ms.`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new OutpostError('E_AGENT_UNREACHABLE', `No agent answers at ${socketPath} (${(err as NodeJS.ErrnoException).code ?? err.message}). Is it running with this --state directory?`));
    });
    socket.once('connect', () => writeLine(socket, { id: 1, method, params }));
    onLines(
      socket,
      MAX_RESPONSE_BYTES,
      (line) => {
        clearTimeout(timer);
        socket.end();
        try {
          resolve(JSON.parse(line));
        } catch {
          reject(new OutpostError('E_BAD_JSON', 'The agent answered with something that is not JSON.'));
        }
      },
      () => socket.destroy(),
    );
  });
  const r = response as { ok?: boolean; result?: unknown; error?: { code?: string; message?: string } };
  if (r.ok !== true) {
    throw new OutpostError((r.error?.code ?? 'E_INTERNAL') as ErrorCode, r.error?.message ?? 'The agent refused the request.');
  }
  const parsed = LocalApi[method].result.safeParse(r.result);
  if (!parsed.success) throw new OutpostError('E_BAD_MESSAGE', `The agent's ${method} answer does not match the contract.`);
  return parsed.data as LocalResult<M>;
}
