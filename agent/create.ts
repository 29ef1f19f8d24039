// Builds a real agent for this machine: the Node host, systeminformation, every software source.
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../shared/log.js';
import type { Settings } from '../shared/protocol.js';
import { OUTPOST_VERSION } from '../shared/version.js';
import { Agent } from './agent.js';
import { randomInstallId, readInstallId } from './collect/identity.js';
import { loadSystemInfo } from './collect/system-info.js';
import { createNodeHost } from './host/node-host.js';
import type { Host } from './host/host.js';
import { SystemScanner } from './system-scanner.js';
import { spawnWatch } from './triggers/child-spawn.js';
import { osEventSources } from './triggers/os-events.js';
import { systemClock } from './triggers/system.js';

export interface CreateAgentOptions {
  stateDir: string;
  serverUrl: string;
  enrolmentToken?: string;
  /** PEM CA pinned for wss:// (from the enrolment settings); else the system's CA store. */
  ca?: string;
  log: Logger;
  /** Schedule settings given on this machine; they win over the fleet's. */
  settings?: Partial<Settings>;
}

export function createAgent(opts: CreateAgentOptions): Agent {
  const host = createNodeHost();
  const log = opts.log;
  return new Agent({
    ...opts,
    version: OUTPOST_VERSION,
    host,
    scanner: new SystemScanner({ si: loadSystemInfo(host), host, log: log.child({ part: 'collect' }) }),
    installId: () => installId(host, opts.stateDir, log),
    eventSources: osEventSources({ host, clock: systemClock, log: log.child({ part: 'triggers' }), spawn: spawnWatch }),
    adminAccount: agentAccount(),
  });
}

/** Support staff (readers of admin-token) act as the agent's own account: root, or SYSTEM on Windows. */
function agentAccount(): string {
  try {
    return userInfo().username;
  } catch {
    return 'root';
  }
}

/** The OS install id, or one made up once and kept in the state directory when the OS has none. */
async function installId(host: Host, stateDir: string, log: Logger): Promise<string> {
  const fromOs = await readInstallId({ host, log });
  if (fromOs) return fromOs;
  const file = join(stateDir, 'install-id');
  const stored = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{64}$/.test(stored)) return stored;
  const made = randomInstallId();
  await writeFile(file, `${made}\n`, { mode: 0o600 });
  return made;
}
