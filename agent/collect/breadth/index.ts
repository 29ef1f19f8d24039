// The breadth sections (issue 18) for this platform. Runs once per system scan, beside the hardware
// calls; nothing here polls: the agent's periodic refresh and its triggers bring changes in.
import type { Logger } from '../../../shared/log.js';
import type { Host } from '../../host/host.js';
import { collectLinuxBreadth } from './linux.js';
import { collectMacBreadth } from './macos.js';
import type { Breadth } from './types.js';
import { collectWindowsBreadth } from './windows.js';

export type { Breadth } from './types.js';

export interface BreadthOptions {
  /** Ask the package manager for pending updates when no cheap source has them (see security-linux.ts). Default true. */
  simulateUpdates?: boolean;
}

export async function collectBreadth(host: Host, log?: Logger, options: BreadthOptions = {}): Promise<Breadth> {
  const warn = (part: string, err: unknown) => log?.warn({ part, err: (err as Error).message }, 'inventory section could not be read');
  try {
    if (host.platform === 'linux') return await collectLinuxBreadth(host, warn, { simulate: options.simulateUpdates ?? true });
    if (host.platform === 'darwin') return await collectMacBreadth(host, warn);
    if (host.platform === 'win32') return await collectWindowsBreadth(host);
  } catch (err) {
    warn('breadth', err);
  }
  return {};
}
