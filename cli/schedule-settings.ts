// The scan schedule as settings: the daily scan time, the full refresh and the users refresh. The
// agent takes them for its own machine (flag, env, config file); the server takes them for the
// whole fleet and sends them in every welcome. A value set on the machine wins over the fleet's.
import { z } from 'zod';
import type { Settings } from '../shared/protocol.js';
import type { SettingSpec } from './config.js';

const TIME_MESSAGE = 'must be a time HH:MM from 00:00 to 23:59, or "off"';

/** "HH:MM" -> that time; "off" (or JSON null in the config file) -> no daily scan. */
const scanAt = z.union(
  [
    z.null(),
    z
      .string({ error: TIME_MESSAGE })
      .trim()
      .refine((s) => /^off$/i.test(s) || /^([01]\d|2[0-3]):[0-5]\d$/.test(s), TIME_MESSAGE)
      .transform((s) => (/^off$/i.test(s) ? null : s)),
  ],
  { error: TIME_MESSAGE },
);

const minutes = (min: number, max: number) => {
  const message = `must be a whole number of minutes from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};

// The same bounds as SettingsSchema in shared/protocol.ts, which checks what arrives from the server.
const refresh = minutes(5, 7 * 24 * 60);
const usersRefresh = minutes(1, 24 * 60);

export const AGENT_SCHEDULE_SETTINGS = {
  scanAt: { schema: scanAt.optional(), flag: '--scan-at', env: 'OUTPOST_SCAN_AT', file: 'scanAt' },
  refreshMinutes: { schema: refresh.optional(), flag: '--refresh-minutes', env: 'OUTPOST_REFRESH_MINUTES', file: 'refreshMinutes' },
  usersRefreshMinutes: {
    schema: usersRefresh.optional(),
    flag: '--users-refresh-minutes',
    env: 'OUTPOST_USERS_REFRESH_MINUTES',
    file: 'usersRefreshMinutes',
  },
} satisfies Record<string, SettingSpec<unknown>>;

/** Separate names, so `outpost start` and a shared environment never mix the fleet's with one machine's. */
export const FLEET_SCHEDULE_SETTINGS = {
  fleetScanAt: { schema: scanAt.optional(), flag: '--fleet-scan-at', env: 'OUTPOST_FLEET_SCAN_AT', file: 'fleetScanAt' },
  fleetRefreshMinutes: {
    schema: refresh.optional(),
    flag: '--fleet-refresh-minutes',
    env: 'OUTPOST_FLEET_REFRESH_MINUTES',
    file: 'fleetRefreshMinutes',
  },
  fleetUsersRefreshMinutes: {
    schema: usersRefresh.optional(),
    flag: '--fleet-users-refresh-minutes',
    env: 'OUTPOST_FLEET_USERS_REFRESH_MINUTES',
    file: 'fleetUsersRefreshMinutes',
  },
} satisfies Record<string, SettingSpec<unknown>>;

/** Only what was given: absent keys stay absent, so the fleet's (or the default) applies. */
export function scheduleOverrides(s: { scanAt?: string | null; refreshMinutes?: number; usersRefreshMinutes?: number }): Partial<Settings> {
  return {
    ...(s.scanAt !== undefined ? { scheduledScanAt: s.scanAt } : {}),
    ...(s.refreshMinutes !== undefined ? { refreshMinutes: s.refreshMinutes } : {}),
    ...(s.usersRefreshMinutes !== undefined ? { usersRefreshMinutes: s.usersRefreshMinutes } : {}),
  };
}

export function fleetSchedule(s: {
  fleetScanAt?: string | null;
  fleetRefreshMinutes?: number;
  fleetUsersRefreshMinutes?: number;
}): Partial<Settings> {
  return scheduleOverrides({
    ...(s.fleetScanAt !== undefined ? { scanAt: s.fleetScanAt } : {}),
    ...(s.fleetRefreshMinutes !== undefined ? { refreshMinutes: s.fleetRefreshMinutes } : {}),
    ...(s.fleetUsersRefreshMinutes !== undefined ? { usersRefreshMinutes: s.fleetUsersRefreshMinutes } : {}),
  });
}
