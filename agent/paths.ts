// Where the agent keeps its state and where its local API listens, per platform.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultStateDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  if (env.OUTPOST_STATE_DIR) return env.OUTPOST_STATE_DIR;
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'Outpost');
  if (platform === 'darwin') return '/Library/Application Support/Outpost';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot ? '/var/lib/outpost' : join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'outpost');
}

/** The local API endpoint of the agent that owns `stateDir`. */
export function localApiPath(stateDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const id = createHash('sha256').update(stateDir.toLowerCase()).digest('hex').slice(0, 16);
    return `\\\\.\\pipe\\outpost-agent-${id}`;
  }
  return join(stateDir, 'agent.sock');
}
