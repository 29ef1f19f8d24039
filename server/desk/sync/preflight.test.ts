import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { DeskPreflightJson } from '../../../shared/http-api.js';
import { FakeDesk } from '../../../test/fakes/desk-connector.js';
import { RecordingLogger } from '../../../test/fakes/recording-logger.js';
import { DeskPreflight } from './preflight.js';

const MISSING_FIELD = {
  check: 'fields',
  severity: 'degraded' as const,
  message: "Custom field 'Outpost Device ID' is missing on catalog 'General assets': run rt-setup-database-5 ...",
};

describe('desk preflight as the engine runs it', () => {
  let desk: FakeDesk;
  let log: RecordingLogger;
  let results: DeskPreflightJson[];
  let preflight: DeskPreflight;
  const checks = () => desk.calls.filter((c) => c === 'checkHealth' || c === 'preflight').length;
  const tick = async (ms: number) => {
    mock.timers.tick(ms);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    desk = new FakeDesk();
    log = new RecordingLogger();
    results = [];
    preflight = new DeskPreflight({
      desk,
      log,
      now: () => Date.parse('2026-01-05T10:00:00Z'),
      random: () => 1,
      backoff: { baseMs: 1_000, capMs: 8_000 },
      onResult: (r) => results.push(r),
    });
  });
  afterEach(async () => {
    await preflight.stop();
    mock.timers.reset();
  });

  it('says an unusable desk in one log line, keeps trying with backoff, and says when it can be used again', async () => {
    desk.down = true;
    preflight.start();
    await tick(0);
    assert.equal(results.at(-1)?.usable, false);
    assert.match(results.at(-1)!.problems[0]!.message, /^E_DESK_UNREACHABLE: the desk does not answer as configured/);
    assert.equal(results.at(-1)!.problems[0]!.severity, 'blocking');
    const tries = [];
    for (const step of [1_000, 2_000, 4_000, 8_000, 8_000]) {
      const before = checks();
      await tick(step - 1);
      tries.push(checks() - before);
      await tick(1);
      tries.push(checks() - before);
    }
    assert.deepEqual(tries, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 'each retry after its backoff, capped');
    assert.equal(log.entries.filter((e) => e.level === 'error').length, 1, 'one line, not one per retry');
    assert.match(log.entries[0]!.msg ?? '', /cannot be used; inventory continues/);

    desk.down = false;
    await tick(8_000);
    assert.deepEqual([preflight.last?.usable, preflight.last?.problems], [true, []]);
    assert.match(log.entries.at(-1)?.msg ?? '', /setup is complete/);
    const after = checks();
    await tick(60_000);
    assert.equal(checks(), after, 'a usable desk is not checked again on its own');
  });

  it('reports a degraded setup once as a warning and does not retry it on its own', async () => {
    desk.reportSetup([MISSING_FIELD]);
    preflight.start();
    await tick(0);
    assert.deepEqual(results.at(-1), { at: '2026-01-05T10:00:00.000Z', usable: true, problems: [MISSING_FIELD] });
    await preflight.run();
    assert.equal(log.entries.filter((e) => e.level === 'warn').length, 1);
    assert.match(log.entries[0]!.msg ?? '', /works with 1 setup problem\(s\).*Outpost Device ID/);
    const before = checks();
    await tick(60_000);
    assert.equal(checks(), before);
  });

  it('checks again on demand, one check for callers that ask at the same time', async () => {
    desk.reportSetup([]);
    const [a, b] = await Promise.all([preflight.run(), preflight.run()]);
    assert.equal(a, b);
    assert.equal(checks(), 1);
    desk.reportSetup([MISSING_FIELD]);
    assert.deepEqual((await preflight.run()).problems, [MISSING_FIELD]);
  });
});
