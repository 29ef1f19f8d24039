import { OutpostServer } from '../../server/server.js';
import { parseDeskSettings } from '../../server/desk/sync/settings.js';
import { SERVER_SETTINGS, resolveDeskSettings, resolveSettings } from '../config.js';
import { stopOnSignals } from '../lifecycle.js';
import { createLogger } from '../logger.js';

export async function serverCommand(flags: Record<string, unknown>): Promise<void> {
  const settings = resolveSettings(SERVER_SETTINGS, flags);
  const deskInput = resolveDeskSettings(flags);
  const desk = deskInput === undefined ? undefined : parseDeskSettings(deskInput);
  const log = createLogger();
  const server = new OutpostServer({
    host: settings.host,
    port: settings.port,
    dataDir: settings.data,
    ...(settings.adminToken ? { adminToken: settings.adminToken } : {}),
    ...(desk ? { desk } : {}),
    log,
  });
  const { url, adminToken } = await server.start();
  console.log(`Outpost server listening on ${url} (API ${url}/api, agents ${url.replace(/^http/, 'ws')}/agent)`);
  if (desk) console.log(`Syncing with ${DESK_NAMES[desk.kind]} at ${desk.url} every ${desk.pollSeconds} s`);
  if (adminToken) console.log(`Admin token (shown once, stored hashed): ${adminToken}`);
  stopOnSignals(() => server.stop());
}

const DESK_NAMES = { rt: 'Request Tracker', sdp: 'ServiceDesk Plus', autotask: 'Autotask PSA' } as const;
