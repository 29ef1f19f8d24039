import { readFileSync } from 'node:fs';
import { OutpostServer } from '../../server/server.js';
import { OutpostError } from '../../shared/errors.js';
import { parseDeskSettings } from '../../server/desk/sync/settings.js';
import { SERVER_SETTINGS, resolveDeskSettings, resolveQuotaSettings, resolveSettings } from '../config.js';
import { FLEET_SCHEDULE_SETTINGS, fleetSchedule } from '../schedule-settings.js';
import {
  DEFAULT_PROCESS_HEARTBEAT_SECONDS,
  DEFAULT_PROCESS_LEASE_SECONDS,
  FLEET_PROCESS_SETTINGS,
  fleetTimings,
} from '../fleet-settings.js';
import { stopOnSignals } from '../lifecycle.js';
import { createLogger } from '../../shared/logger.js';

export async function serverCommand(flags: Record<string, unknown>): Promise<void> {
  const settings = resolveSettings(SERVER_SETTINGS, flags);
  const schedule = fleetSchedule(resolveSettings(FLEET_SCHEDULE_SETTINGS, flags));
  const tuning = resolveSettings(FLEET_PROCESS_SETTINGS, flags);
  const fleet = fleetTimings(tuning);
  const deskInput = resolveDeskSettings(flags);
  const desk = deskInput === undefined ? undefined : parseDeskSettings(deskInput);
  const quotas = resolveQuotaSettings(flags);
  const log = createLogger();
  const server = new OutpostServer({
    host: settings.host,
    port: settings.port,
    dataDir: settings.data,
    ...(settings.store && settings.store !== 'sqlite' ? { store: settings.store } : {}),
    ...(settings.adminToken ? { adminToken: settings.adminToken } : {}),
    ...(settings.authTimeoutMs !== undefined ? { authTimeoutMs: settings.authTimeoutMs } : {}),
    ...(settings.listenBacklog !== undefined ? { listenBacklog: settings.listenBacklog } : {}),
    ...(tuning.agentPingSeconds !== undefined ? { heartbeatMs: tuning.agentPingSeconds * 1000 } : {}),
    fleet,
    preAuth: {
      ...(settings.preAuthPerAddress !== undefined ? { perAddress: settings.preAuthPerAddress } : {}),
      ...(settings.preAuthTotal !== undefined ? { total: settings.preAuthTotal } : {}),
    },
    ...(desk ? { desk } : {}),
    settings: schedule,
    ...(quotas ? { quotas } : {}),
    ...tlsFiles(settings.tlsCert, settings.tlsKey),
    log,
  });
  const { url, adminToken } = await server.start();
  console.log(`Outpost server listening on ${url} (API ${url}/api, agents ${url.replace(/^http/, 'ws')}/agent)`);
  if (settings.store && settings.store !== 'sqlite') {
    const heartbeat = (fleet.heartbeatMs ?? DEFAULT_PROCESS_HEARTBEAT_SECONDS * 1000) / 1000;
    const lease = (fleet.leaseMs ?? DEFAULT_PROCESS_LEASE_SECONDS * 1000) / 1000;
    console.log(`One of possibly several processes on this database: heartbeat every ${heartbeat} s, dead after ${lease} s of silence`);
  }
  if (desk) console.log(`Syncing with ${DESK_NAMES[desk.kind]} at ${desk.url} every ${desk.pollSeconds} s`);
  if (adminToken) console.log(`Admin token (shown once, stored hashed): ${adminToken}`);
  stopOnSignals(() => server.stop());
}

/** --tls-cert and --tls-key come together; both are read now so a bad path fails before listening. */
function tlsFiles(certFile: string | undefined, keyFile: string | undefined): { tls?: { cert: string; key: string } } {
  if (!certFile && !keyFile) return {};
  if (!certFile || !keyFile) throw new OutpostError('E_CONFIG', '--tls-cert and --tls-key go together: give both or neither');
  const read = (path: string, label: string, marker: string) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new OutpostError('E_CONFIG', `${label} ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!text.includes(marker))
      throw new OutpostError('E_CONFIG', `${label} ${path}: not a PEM ${label === '--tls-cert' ? 'certificate' : 'private key'}`);
    return text;
  };
  return {
    tls: { cert: read(certFile, '--tls-cert', '-----BEGIN CERTIFICATE-----'), key: read(keyFile, '--tls-key', 'PRIVATE KEY-----') },
  };
}

const DESK_NAMES = { rt: 'Request Tracker', sdp: 'ServiceDesk Plus', autotask: 'Autotask PSA' } as const;
