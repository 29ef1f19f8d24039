// Local API handlers for tests of the local API server itself: the ones a test gives, and for every
// other method of shared/local-api.ts one that fails if called, so a new method needs no test edits.
import type { LocalHandlers } from '../../agent/local-api/server.js';
import { LocalApi, type LocalMethod } from '../../shared/local-api.js';

export const AGENT_STATUS = {
  deviceId: 'd1',
  hostname: 'pc',
  connected: true,
  server: 'ws://x',
  lastInventoryAt: null,
  lastTrigger: null,
  pendingItems: 0,
  digest: null,
  agentVersion: '0',
};

export function stubHandlers(given: Partial<LocalHandlers>): LocalHandlers {
  const unused = async () => {
    throw new Error('not called in these tests');
  };
  const all = Object.fromEntries((Object.keys(LocalApi) as LocalMethod[]).map((m) => [m, unused])) as unknown as LocalHandlers;
  return { ...all, ...given };
}
