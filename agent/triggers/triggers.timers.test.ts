import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { isOutpostError } from '../../shared/errors.js';
import { silentLogger } from '../../shared/log.js';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/protocol.js';
import { FakeHost } from '../../test/fakes/host.js';
import { Triggers, type TriggersOptions } from './triggers.js';
import type { Clock, ScanRequest } from './types.js';

process.env.TZ = 'Europe/Berlin';

const MIN = 60_000;
const HOUR = 60 * MIN;
const START = new Date(2025, 5, 10, 8, 0).getTime(); // 10 June 2025 08:00 local

/**
 * Node 20's advance(n) moves Date to the end of n before running the timers due within it,
 * so a timer re-armed from inside a callback would count from the wrong moment. Whole minutes keep it exact.
 */
function advance(ms: number): void {
  for (let done = 0; done < ms; done += MIN) mock.timers.tick(Math.min(MIN, ms - done));
}

interface Seen extends ScanRequest {
  /** Minutes since the test started. */
  at: number;
}

function setup(settings: Partial<Settings> = {}, over: Partial<TriggersOptions> = {}) {
  const host = new FakeHost('linux', 'alpha');
  const startedAt = Date.now();
  const seen: Seen[] = [];
  const triggers = new Triggers({
    settings: { ...DEFAULT_SETTINGS, ...settings },
    watchPaths: [],
    logonPaths: [],
    hostnamePaths: [],
    host,
    log: silentLogger,
    onScan: (req) => void seen.push({ ...req, at: (Date.now() - startedAt) / MIN }),
    ...over,
  });
  return { triggers, host, seen, names: () => seen.map((s) => `${s.trigger}@${s.at}`) };
}

describe('Triggers timers', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: START }));
  afterEach(() => mock.timers.reset());

  it('asks for one full startup scan, and a second start() changes nothing', () => {
    const { triggers, seen } = setup();
    triggers.start();
    triggers.start();
    assert.deepEqual(seen, [{ trigger: 'startup', scope: 'full', at: 0 }]);
    triggers.stop();
  });

  it('refreshes users every 30 minutes and everything every 90, never both at once', () => {
    const { triggers, seen, names } = setup();
    triggers.start();
    advance(180 * MIN);
    assert.deepEqual(names(), [
      'startup@0',
      'users-refresh@30',
      'users-refresh@60',
      'refresh@90',
      'users-refresh@120',
      'users-refresh@150',
      'refresh@180',
    ]);
    assert.equal(seen.find((s) => s.trigger === 'users-refresh')?.scope, 'users');
    assert.equal(seen.find((s) => s.trigger === 'refresh')?.scope, 'full');
    triggers.stop();
  });

  it('counts the next refresh from a manual full scan instead of repeating it soon after', () => {
    const { triggers, names } = setup({ usersRefreshMinutes: 24 * 60 });
    triggers.start();
    advance(60 * MIN);
    triggers.requestScan('manual');
    advance(120 * MIN);
    assert.deepEqual(names(), ['startup@0', 'manual@60', 'refresh@150']);
    triggers.stop();
  });

  it('applies new intervals from the server, counted from the last scan', () => {
    const { triggers, names } = setup({ usersRefreshMinutes: 24 * 60 });
    triggers.start();
    advance(10 * MIN);
    triggers.updateSettings({ ...DEFAULT_SETTINGS, usersRefreshMinutes: 24 * 60, refreshMinutes: 15 });
    advance(20 * MIN);
    assert.deepEqual(names(), ['startup@0', 'refresh@15', 'refresh@30']);
    triggers.stop();
  });

  it('refuses invalid settings with E_CONFIG and keeps the old ones', () => {
    const { triggers, names } = setup({ usersRefreshMinutes: 24 * 60 });
    triggers.start();
    assert.throws(
      () => triggers.updateSettings({ ...DEFAULT_SETTINGS, refreshMinutes: 0 }),
      (err) => isOutpostError(err) && err.code === 'E_CONFIG' && /refreshMinutes/.test(err.message),
    );
    assert.throws(() => triggers.updateSettings({ ...DEFAULT_SETTINGS, scheduledScanAt: '25:00' }), isOutpostError);
    advance(90 * MIN);
    assert.deepEqual(names(), ['startup@0', 'refresh@90']);
    triggers.stop();
  });

  it('runs the daily scheduled scan at local HH:MM, today and again tomorrow', () => {
    const { triggers, names } = setup({ scheduledScanAt: '09:30', refreshMinutes: 7 * 24 * 60, usersRefreshMinutes: 24 * 60 });
    triggers.start();
    advance(25 * HOUR + 30 * MIN);
    // 08:00 start: 09:30 today is 90 min on, tomorrow's 1530 min on; the users refresh counts from the last full scan.
    assert.deepEqual(names(), ['startup@0', 'schedule@90', 'schedule@1530']);
    triggers.stop();
  });

  it('schedules across midnight', () => {
    mock.timers.setTime(new Date(2025, 5, 10, 23, 0).getTime());
    const { triggers, names } = setup({ scheduledScanAt: '00:15', refreshMinutes: 7 * 24 * 60, usersRefreshMinutes: 24 * 60 });
    triggers.start();
    advance(2 * HOUR);
    assert.deepEqual(names(), ['startup@0', 'schedule@75']);
    triggers.stop();
  });

  it('keeps the schedule at 09:00 local across the spring-forward night (22 h after 10:00)', () => {
    mock.timers.setTime(new Date(2025, 2, 29, 10, 0).getTime());
    const { triggers, names } = setup({ scheduledScanAt: '09:00', refreshMinutes: 7 * 24 * 60, usersRefreshMinutes: 24 * 60 });
    triggers.start();
    advance(22 * HOUR - MIN);
    assert.deepEqual(names(), ['startup@0']);
    advance(MIN);
    assert.deepEqual(names(), ['startup@0', `schedule@${22 * 60}`]);
    assert.equal(new Date().getHours(), 9);
    triggers.stop();
  });

  it('runs a schedule on time after the machine slept through most of the wait', () => {
    // Suspend stops the timers' monotonic clock while the wall clock moves on.
    let slept = 0;
    const clock: Clock = {
      now: () => Date.now() + slept,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    };
    mock.timers.setTime(new Date(2025, 5, 10, 17, 0).getTime());
    const seen: string[] = [];
    const triggers = new Triggers({
      settings: { scheduledScanAt: '09:00', refreshMinutes: 7 * 24 * 60, usersRefreshMinutes: 24 * 60 },
      watchPaths: [],
      logonPaths: [],
      hostnamePaths: [],
      host: new FakeHost(),
      log: silentLogger,
      clock,
      onScan: (req) => void seen.push(`${req.trigger}@${new Date(clock.now()).toTimeString().slice(0, 5)}`),
    });
    triggers.start();
    advance(60 * MIN);
    slept = 14 * HOUR; // lid closed 18:00, opened 08:00
    advance(2 * HOUR);
    assert.deepEqual(seen, ['startup@17:00', 'schedule@09:00']);
    triggers.stop();
  });

  it('turns the schedule on and off from settings', () => {
    const { triggers, names } = setup({ refreshMinutes: 7 * 24 * 60, usersRefreshMinutes: 24 * 60 });
    triggers.start();
    triggers.updateSettings({ refreshMinutes: 7 * 24 * 60, usersRefreshMinutes: 24 * 60, scheduledScanAt: '08:45' });
    advance(60 * MIN);
    triggers.updateSettings({ refreshMinutes: 7 * 24 * 60, usersRefreshMinutes: 24 * 60, scheduledScanAt: null });
    advance(24 * HOUR);
    assert.deepEqual(names(), ['startup@0', 'schedule@45', 'users-refresh@1485']);
    triggers.stop();
  });

  it('reports a hostname change seen at a users tick as one full rename scan', () => {
    const { triggers, host, seen, names } = setup();
    triggers.start();
    advance(10 * MIN);
    host.rename('beta');
    advance(110 * MIN);
    // The rename was a full scan, so the next full refresh counts from it (30 + 90).
    assert.deepEqual(names(), ['startup@0', 'rename@30', 'users-refresh@60', 'users-refresh@90', 'refresh@120']);
    assert.deepEqual(seen[1], { trigger: 'rename', scope: 'full', detail: 'alpha -> beta', at: 30 });
    triggers.stop();
  });

  it('stop() ends every timer: nothing is asked for afterwards', () => {
    const { triggers, names } = setup({ scheduledScanAt: '09:00' });
    triggers.start();
    triggers.stop();
    triggers.requestScan('manual');
    advance(3 * 24 * HOUR);
    assert.deepEqual(names(), ['startup@0']);
  });

  it('keeps triggering after the scan handler throws or rejects', () => {
    let calls = 0;
    const { triggers } = setup(
      { usersRefreshMinutes: 24 * 60 },
      {
        onScan: () => {
          calls += 1;
          if (calls === 1) throw new Error('boom');
          return Promise.reject(new Error('async boom'));
        },
      },
    );
    triggers.start();
    advance(180 * MIN);
    assert.equal(calls, 3);
    triggers.stop();
  });

  it('refuses a debounce that cannot work', () => {
    assert.throws(() => setup({}, { debounceMs: 5000, maxDebounceMs: 1000 }), isOutpostError);
    assert.throws(() => setup({}, { debounceMs: Number.NaN }), isOutpostError);
  });
});
