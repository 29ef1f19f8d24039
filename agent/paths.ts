// Where the agent keeps its state and where its local API listens, per platform. The one home of
// these platform branches: the CLI, the agent and the tray all ask here.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';

/**
 * Where the installed agent service keeps its state. The service runs as root / SYSTEM for every
 * user, so this never depends on who asks.
 */
export function serviceStateDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  if (platform === 'win32') return win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Outpost');
  if (platform === 'darwin') return '/Library/Application Support/Outpost';
  return '/var/lib/outpost';
}

/** OUTPOST_STATE_DIR, else the service's directory, else (a Linux user who is not root) theirs. */
export function defaultStateDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  if (env.OUTPOST_STATE_DIR) return env.OUTPOST_STATE_DIR;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (platform === 'win32' || platform === 'darwin' || isRoot) return serviceStateDir(platform, env);
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'outpost');
}

/** The local API endpoint of the agent that owns `stateDir`. */
export function localApiPath(stateDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const id = createHash('sha256').update(stateDir.toLowerCase()).digest('hex').slice(0, 16);
    return `\\\\.\\pipe\\outpost-agent-${id}`;
  }
  return join(stateDir, 'agent.sock');
}
