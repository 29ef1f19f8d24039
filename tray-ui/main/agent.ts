// The tray's only way into the agent: its local API, through the one client (agent/local-api/
// client.ts) the CLI and bench/ use too, which finds this account's token beside the socket.
import { callLocalAgent, type LocalInput } from '../../agent/local-api/client.js';
import { serviceStateDir } from '../../agent/paths.js';
import type { LocalMethod, LocalResult } from '../../shared/local-api.js';

export type AgentCall = <M extends LocalMethod>(method: M, params: LocalInput<M>) => Promise<LocalResult<M>>;

/** Long enough for a ticket carrying 25 MB of attachments over a local socket. */
const CALL_TIMEOUT_MS = 30_000;

export function agentAt(stateDir: string, timeoutMs = CALL_TIMEOUT_MS): AgentCall {
  return (method, params) => callLocalAgent(stateDir, method, params, { timeoutMs });
}

/**
 * The state directory of the agent service this tray talks to: `--state DIR`, else
 * OUTPOST_STATE_DIR, else where the installed service keeps it. Unlike the CLI's default, this
 * never depends on who runs the tray: the service runs as root / SYSTEM for every user.
 */
export function trayStateDir(argv: readonly string[], env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  const flag = argv.findIndex((a) => a === '--state');
  const fromFlag = flag >= 0 ? argv[flag + 1] : argv.find((a) => a.startsWith('--state='))?.slice('--state='.length);
  if (fromFlag) return fromFlag;
  if (env.OUTPOST_STATE_DIR) return env.OUTPOST_STATE_DIR;
  return serviceStateDir(platform, env);
}
