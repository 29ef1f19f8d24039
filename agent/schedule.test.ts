import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../shared/protocol.js';
import { effectiveSettings } from './schedule.js';

describe('effective schedule', () => {
  const fleet = { refreshMinutes: 240, usersRefreshMinutes: 15, scheduledScanAt: '12:30' };

  it("follows the fleet's schedule where the machine sets nothing", () => {
    assert.deepEqual(effectiveSettings(fleet, undefined), fleet);
    assert.deepEqual(effectiveSettings(fleet, {}), fleet);
  });

  it('a setting given on the machine wins over the fleet, the others still follow it', () => {
    assert.deepEqual(effectiveSettings(fleet, { scheduledScanAt: null }), { ...fleet, scheduledScanAt: null });
    assert.deepEqual(effectiveSettings(fleet, { refreshMinutes: 60 }), { ...fleet, refreshMinutes: 60 });
  });

  it('before the server answers, the defaults plus the machine settings', () => {
    assert.deepEqual(effectiveSettings(DEFAULT_SETTINGS, { scheduledScanAt: '03:00' }), { ...DEFAULT_SETTINGS, scheduledScanAt: '03:00' });
  });
});
