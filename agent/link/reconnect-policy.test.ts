import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLOSE_CODES } from '../../shared/protocol.js';
import { BACKOFF_BASE_MS } from './backoff.js';
import { GOING_AWAY_MIN_ATTEMPT } from './link-options.js';
import {
  RESTART_MAX_WIDENING,
  RESTART_MIN_SPREAD_MS,
  RESTART_RETRY_JITTER,
  RESTART_WINDOW_MS,
  ReconnectPolicy,
  attemptFailure,
} from './reconnect-policy.js';

const REFUSED = 1006;

/** A policy on a clock the test moves, drawing `random` (a list is used in turn, then its last value). */
function policy(random: number | number[] = 0.5) {
  let now = 1_000_000;
  const draws = Array.isArray(random) ? [...random] : [random];
  const p = new ReconnectPolicy(
    () => (draws.length > 1 ? draws.shift()! : draws[0]!),
    () => now,
  );
  return { p, advance: (ms: number) => (now += ms) };
}

/** Waits out each delay and has the attempt refused, `times` times; returns the delays. */
function refusedAttempts(p: ReconnectPolicy, advance: (ms: number) => void, times: number): number[] {
  const delays: number[] = [];
  for (let i = 0; i < times; i++) {
    const d = p.next();
    delays.push(d);
    advance(d);
    p.closed(REFUSED, 0);
  }
  return delays;
}

describe('ReconnectPolicy', () => {
  it('after a clean close keeps retrying a refused server once a window, instead of doubling the wait', () => {
    const { p, advance } = policy(0.5);
    p.spreadOver(10_000);
    p.closed(CLOSE_CODES.goingAway, 30_000);
    const delays = refusedAttempts(p, advance, 6);
    // First at a random place in the window, then one window less jitter each time.
    assert.deepEqual(delays, [5_000, 9_000, 9_000, 9_000, 9_000, 9_000]);
    assert.ok(p.restarting);
  });

  it('never waits longer than the window, whatever the draw, and spreads a fleet evenly over it', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 2000; i++) {
      const { p, advance } = policy([i / 2000, 0.999999, 0]);
      p.spreadOver(20_000);
      p.closed(CLOSE_CODES.goingAway, 1_000);
      const [first, ...rest] = refusedAttempts(p, advance, 3);
      buckets[Math.floor(first! / 2_000)]!++;
      for (const d of rest) assert.ok(d >= 20_000 * (1 - RESTART_RETRY_JITTER) && d <= 20_000, `retry after ${d} ms`);
    }
    assert.deepEqual(buckets, new Array<number>(10).fill(200));
  });

  it('retries every couple of seconds when the server announced a narrow window or none', () => {
    const { p, advance } = policy(0);
    p.closed(CLOSE_CODES.goingAway, 5_000);
    assert.deepEqual(refusedAttempts(p, advance, 3), [0, RESTART_MIN_SPREAD_MS, RESTART_MIN_SPREAD_MS]);
  });

  it('backs off as before once the restart window passed without a welcome', () => {
    const { p, advance } = policy(0.5);
    p.spreadOver(10_000);
    p.closed(CLOSE_CODES.goingAway, 5_000);
    refusedAttempts(p, advance, 2);
    advance(RESTART_WINDOW_MS);
    assert.equal(p.restarting, false);
    const ceiling = (n: number) => Math.max(BACKOFF_BASE_MS * 2 ** n, 10_000);
    assert.deepEqual(refusedAttempts(p, advance, 3), [
      ceiling(GOING_AWAY_MIN_ATTEMPT) / 2,
      ceiling(GOING_AWAY_MIN_ATTEMPT + 1) / 2,
      ceiling(GOING_AWAY_MIN_ATTEMPT + 2) / 2,
    ]);
  });

  it('ends the restart pacing when the server answers: a welcome, or a refusal of its own', () => {
    const { p, advance } = policy(0.5);
    p.closed(CLOSE_CODES.goingAway, 5_000);
    refusedAttempts(p, advance, 1);
    p.closed(CLOSE_CODES.auth, 0); // the server is up and rejected the credentials
    assert.equal(p.restarting, false);
    assert.equal(p.next(), Math.floor(0.5 * BACKOFF_BASE_MS * 2 ** GOING_AWAY_MIN_ATTEMPT));

    const again = policy(0.5);
    again.p.closed(CLOSE_CODES.goingAway, 5_000);
    refusedAttempts(again.p, again.advance, 1);
    again.p.closed(REFUSED, 30_000); // welcomed, then the network dropped it
    assert.equal(again.p.restarting, false);
  });

  it('does not start the pacing for a connection that was cut rather than closed', () => {
    const { p, advance } = policy(0.5);
    p.closed(REFUSED, 5_000);
    assert.equal(p.restarting, false);
    assert.deepEqual(refusedAttempts(p, advance, 3), [500, 1_000, 2_000]);
  });

  it('keeps its place when a server still shutting down closes a new attempt with going away too', () => {
    const { p, advance } = policy(0.5);
    p.spreadOver(10_000);
    p.closed(CLOSE_CODES.goingAway, 5_000);
    assert.equal(p.next(), 5_000);
    advance(5_000);
    p.closed(CLOSE_CODES.goingAway, 0);
    assert.equal(p.next(), 9_000, 'a retry one window later, not a new first place');
  });
});

describe('ReconnectPolicy with a saturated server', () => {
  it('widens its window when a restarted server is up but does not take it, up to a limit', () => {
    const { p, advance } = policy(0.5);
    p.spreadOver(2_000);
    p.closed(CLOSE_CODES.goingAway, 5_000);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const d = p.next();
      delays.push(d);
      advance(d);
      p.closed(REFUSED, 0, 'saturated');
    }
    assert.deepEqual(delays, [1_000, 3_600, 7_200, 14_400, 14_400, 14_400]);
    assert.equal(RESTART_MAX_WIDENING, 8);
  });

  it('keeps its window while the attempts are only refused, and starts from the announced one after the next clean close', () => {
    const { p, advance } = policy(0.5);
    p.spreadOver(10_000);
    p.closed(CLOSE_CODES.goingAway, 5_000);
    advance(p.next());
    p.closed(REFUSED, 0, 'saturated');
    advance(p.next());
    p.closed(REFUSED, 0);
    assert.equal(p.next(), 18_000, 'refused: the widened window stays');
    p.closed(CLOSE_CODES.goingAway, 30_000); // welcomed, then another restart
    assert.equal(p.next(), 5_000);
  });

  it('tells a saturated server from the client error', () => {
    assert.equal(attemptFailure('Opening handshake has timed out'), 'saturated');
    assert.equal(attemptFailure('Unexpected server response: 503'), 'saturated');
    assert.equal(attemptFailure('Unexpected server response: 429'), 'saturated');
    assert.equal(attemptFailure('connect ECONNREFUSED 127.0.0.1:1'), undefined);
    assert.equal(attemptFailure(undefined), undefined);
  });
});
