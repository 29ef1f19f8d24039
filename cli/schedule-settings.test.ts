import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isOutpostError } from '../shared/errors.js';
import { resolveSettings } from './config.js';
import { AGENT_SCHEDULE_SETTINGS, FLEET_SCHEDULE_SETTINGS, fleetSchedule, scheduleOverrides } from './schedule-settings.js';

const configFile = (content: object) => {
  const path = join(mkdtempSync(join(tmpdir(), 'outpost-schedule-')), 'outpost.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
};

const agent = (flags: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  scheduleOverrides(resolveSettings(AGENT_SCHEDULE_SETTINGS, flags, env));

describe('schedule settings', () => {
  it('are absent unless given, so the fleet schedule applies', () => {
    assert.deepEqual(agent({}), {});
  });

  it('come from flag, env or config file, strongest first', () => {
    const config = configFile({ scanAt: '02:15', refreshMinutes: 120, usersRefreshMinutes: 10 });
    assert.deepEqual(agent({ config, scanAt: '23:59' }, { OUTPOST_REFRESH_MINUTES: '45' }), {
      scheduledScanAt: '23:59',
      refreshMinutes: 45,
      usersRefreshMinutes: 10,
    });
    assert.deepEqual(agent({ scanAt: 'off' }), { scheduledScanAt: null });
    assert.deepEqual(agent({}, { OUTPOST_SCAN_AT: 'OFF' }), { scheduledScanAt: null });
  });

  it('refuses a bad value at start with one line naming the setting and its source', () => {
    const cases: [Record<string, unknown>, NodeJS.ProcessEnv, RegExp][] = [
      [{ scanAt: '25:00' }, {}, /^--scan-at \(from flag\): must be a time HH:MM from 00:00 to 23:59, or "off"$/],
      [{ scanAt: '9:30' }, {}, /^--scan-at \(from flag\): must be a time HH:MM/],
      [{}, { OUTPOST_REFRESH_MINUTES: '2' }, /^OUTPOST_REFRESH_MINUTES \(from env\): must be a whole number of minutes from 5 to 10080$/],
      [{ refreshMinutes: '1.5h' }, {}, /^--refresh-minutes \(from flag\): must be a whole number of minutes/],
      [{ usersRefreshMinutes: '0' }, {}, /^--users-refresh-minutes \(from flag\): must be a whole number of minutes from 1 to 1440$/],
      [
        { config: configFile({ usersRefreshMinutes: 7.5 }) },
        {},
        /^"usersRefreshMinutes" in the config file \(from file\): must be a whole number/,
      ],
      [{ config: configFile({ scanAt: 930 }) }, {}, /^"scanAt" in the config file \(from file\): must be a time HH:MM/],
    ];
    for (const [flags, env, message] of cases) {
      assert.throws(
        () => resolveSettings(AGENT_SCHEDULE_SETTINGS, flags, env),
        (err: unknown) => isOutpostError(err) && err.code === 'E_CONFIG' && message.test(err.message) && !err.message.includes('\n'),
        JSON.stringify({ flags, env }),
      );
    }
  });

  it("the server's fleet schedule has its own names and the same checks", () => {
    const s = resolveSettings(
      FLEET_SCHEDULE_SETTINGS,
      { fleetScanAt: '01:00' },
      { OUTPOST_FLEET_USERS_REFRESH_MINUTES: '20', OUTPOST_SCAN_AT: '05:00' },
    );
    assert.deepEqual(fleetSchedule(s), { scheduledScanAt: '01:00', usersRefreshMinutes: 20 });
    assert.throws(
      () => resolveSettings(FLEET_SCHEDULE_SETTINGS, {}, { OUTPOST_FLEET_REFRESH_MINUTES: '99999' }),
      (e: Error) => e.message === 'OUTPOST_FLEET_REFRESH_MINUTES (from env): must be a whole number of minutes from 5 to 10080',
    );
  });
});
