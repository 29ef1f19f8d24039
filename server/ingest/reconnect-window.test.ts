import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import {
  MAX_RECONNECT_SPREAD_S,
  MIN_SAMPLE_WELCOMES,
  HALF_LIFE_WELCOMES,
  PRIOR_RATE,
  RECENT_FLEET_DAYS,
  ReconnectWindow,
  type RememberedRate,
  STORM_SHARE,
} from './reconnect-window.js';

const DAY_MS = 24 * 3_600_000;

/** A window over a fake event loop whose busy milliseconds the test advances with the clock. */
function windowWith(opts: { fleet?: (since: number) => Promise<number>; remembered?: RememberedRate } = {}) {
  let busyMs = 0;
  const window = new ReconnectWindow({
    loopBusyMs: () => busyMs,
    now: () => Date.now(),
    ...(opts.fleet ? { devicesSeenSince: opts.fleet } : {}),
    ...(opts.remembered ? { remembered: opts.remembered } : {}),
  });
  /** One second passes in which `welcomes` connections were welcomed with the loop busy `busy` ms of it. */
  const second = (welcomes: number, busy: number) => {
    for (let i = 0; i < welcomes; i++) window.welcomed();
    busyMs += busy;
    mock.timers.tick(1_000);
  };
  return { window, second };
}

const spreadAt = (rate: number, fleet: number) => Math.ceil(fleet / (rate * STORM_SHARE));

describe('the reconnect window a server announces', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000 * DAY_MS }));
  afterEach(() => mock.timers.reset());

  it('uses the prior rate until it has measured one, and grows with the connections held', () => {
    const { window } = windowWith();
    window.start();
    assert.equal(window.spreadSeconds(0), 0);
    assert.equal(window.spreadSeconds(10_000), spreadAt(PRIOR_RATE, 10_000));
    window.stop();
  });

  it('takes the welcomes per second of a busy loop it measured in a storm', () => {
    const { window, second } = windowWith();
    window.start();
    // A storm on a loaded box: the loop is busy all second and welcomes 120.
    second(120, 1_000);
    assert.equal(window.spreadSeconds(10_000), spreadAt(120, 10_000), 'the first sample replaces the prior');
    // Next: 100 welcomes in half a second of work (the rest of the second idle): 200 a busy second.
    second(100, 500);
    const kept = 0.5 ** (100 / HALF_LIFE_WELCOMES);
    const recent = (120 * kept + 100) / (1 * kept + 0.5);
    assert.ok(recent > 120 && recent < 200);
    assert.equal(window.spreadSeconds(10_000), spreadAt(recent, 10_000));
    window.stop();
  });

  it("keeps what a storm's peak measured through its tail of stragglers, so the next storm is not told to spread wider", () => {
    const { window, second } = windowWith();
    window.start();
    // 10,000 agents back in a 12-second peak at 800 a busy second...
    for (let i = 0; i < 12; i++) second(800, 1_000);
    const afterPeak = window.spreadSeconds(10_000);
    assert.equal(afterPeak, spreadAt(800, 10_000));
    // ...then 20 seconds of 30 stragglers each, the loop's usual 100 ms of other work beside them.
    for (let i = 0; i < 20; i++) second(30, 100 + 30 * (1_000 / 800));
    // Smoothing each second's own rate (~217 a busy second here) would tell the next storm ~66 s.
    assert.ok(window.spreadSeconds(10_000) <= afterPeak * 1.5, `told ${window.spreadSeconds(10_000)} s after ${afterPeak} s`);
    window.stop();
  });

  it("starts again from the rate it measured before a restart, not the prior, so a storm's first agents are told the measured window", () => {
    let kept: number | undefined;
    const remembered: RememberedRate = { read: () => kept, write: (rate) => void (kept = rate) };
    const first = windowWith({ remembered });
    first.window.start();
    for (let i = 0; i < 5; i++) first.second(900, 1_000);
    first.window.stop();
    assert.equal(Math.round(kept!), 900, 'written down at stop');
    const second = windowWith({ remembered });
    second.window.start();
    assert.equal(second.window.spreadSeconds(10_000), spreadAt(kept!, 10_000), 'before any sample of its own');
    kept = undefined;
    second.window.stop();
    assert.equal(kept, undefined, 'nothing measured: nothing rewritten');
  });

  it('ignores seconds with too few welcomes to say anything (their busy time is other work)', () => {
    const { window, second } = windowWith();
    window.start();
    second(MIN_SAMPLE_WELCOMES - 1, 1_000);
    second(0, 1_000);
    assert.equal(window.spreadSeconds(10_000), spreadAt(PRIOR_RATE, 10_000));
    window.stop();
  });

  it('counts the devices seen in the last days, so the first agents back after a restart are told the whole fleet', async () => {
    const asked: number[] = [];
    let answer: Promise<number> = Promise.resolve(8_000);
    const { window } = windowWith({
      fleet: (since) => {
        asked.push(since);
        return answer;
      },
    });
    window.start();
    await Promise.resolve();
    await Promise.resolve();
    assert.deepEqual(asked, [Date.now() - RECENT_FLEET_DAYS * DAY_MS]);
    assert.equal(window.spreadSeconds(5), spreadAt(PRIOR_RATE, 8_000), 'the fleet, not the 5 held');
    assert.equal(window.spreadSeconds(9_000), spreadAt(PRIOR_RATE, 9_000), 'more held than seen: the held');
    // The count is read again later; a failed read keeps the last.
    answer = Promise.reject(new Error('database busy'));
    mock.timers.tick(10 * 60_000);
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(asked.length, 2);
    assert.equal(window.spreadSeconds(5), spreadAt(PRIOR_RATE, 8_000));
    window.stop();
  });

  it('never asks for more than the cap, however large the fleet or slow the server', () => {
    const { window, second } = windowWith();
    window.start();
    second(MIN_SAMPLE_WELCOMES, 1_000);
    assert.equal(window.spreadSeconds(1_000_000), MAX_RECONNECT_SPREAD_S);
    window.stop();
  });
});
