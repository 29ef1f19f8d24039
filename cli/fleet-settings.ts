// Tuning for several server processes on one PostgreSQL (README "Several server processes"): each
// process's heartbeat and the lease after which a silent one counts as dead (server/fleet/), and the
// agents' ping (what a load balancer's idle timeout must exceed). The caps on unauthenticated
// connections, which a balancer hiding client addresses needs raised, are in SERVER_SETTINGS.
import { z } from 'zod';
import { OutpostError } from '../shared/errors.js';
import type { FleetTimings } from '../server/fleet/open-bus.js';
import type { SettingSpec } from './config.js';

const seconds = (min: number, max: number) => {
  const message = `must be a whole number of seconds from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};

/** A lease shorter than a few heartbeats takes a process that merely paused (a GC, a slow query) for dead. */
export const MIN_HEARTBEATS_PER_LEASE = 3;

/** Agents drop a server they have not heard from for 35 s (agent/link/link-options.ts): pings come more often. */
const MAX_AGENT_PING_SECONDS = 30;

export const FLEET_PROCESS_SETTINGS = {
  processHeartbeatSeconds: {
    schema: seconds(1, 60).optional(),
    flag: '--process-heartbeat-seconds',
    env: 'OUTPOST_PROCESS_HEARTBEAT_SECONDS',
    file: 'processHeartbeatSeconds',
  },
  processLeaseSeconds: {
    schema: seconds(3, 600).optional(),
    flag: '--process-lease-seconds',
    env: 'OUTPOST_PROCESS_LEASE_SECONDS',
    file: 'processLeaseSeconds',
  },
  agentPingSeconds: {
    schema: seconds(5, MAX_AGENT_PING_SECONDS).optional(),
    flag: '--agent-ping-seconds',
    env: 'OUTPOST_AGENT_PING_SECONDS',
    file: 'agentPingSeconds',
  },
} satisfies Record<string, SettingSpec<unknown>>;

/** The server's defaults (server/fleet/pg-bus.ts), to check a lease given alone against. */
export const DEFAULT_PROCESS_HEARTBEAT_SECONDS = 5;
export const DEFAULT_PROCESS_LEASE_SECONDS = 20;

/** Only what was given; a heartbeat and lease that would take a pausing process for dead are refused. */
export function fleetTimings(s: { processHeartbeatSeconds?: number; processLeaseSeconds?: number }): FleetTimings {
  const heartbeat = s.processHeartbeatSeconds ?? DEFAULT_PROCESS_HEARTBEAT_SECONDS;
  const lease = s.processLeaseSeconds ?? DEFAULT_PROCESS_LEASE_SECONDS;
  if (lease < heartbeat * MIN_HEARTBEATS_PER_LEASE) {
    throw new OutpostError(
      'E_CONFIG',
      `--process-lease-seconds (${lease}) must be at least ${MIN_HEARTBEATS_PER_LEASE} heartbeats (--process-heartbeat-seconds ${heartbeat}): ` +
        `at least ${heartbeat * MIN_HEARTBEATS_PER_LEASE}`,
    );
  }
  return {
    ...(s.processHeartbeatSeconds !== undefined ? { heartbeatMs: s.processHeartbeatSeconds * 1000 } : {}),
    ...(s.processLeaseSeconds !== undefined ? { leaseMs: s.processLeaseSeconds * 1000 } : {}),
  };
}
