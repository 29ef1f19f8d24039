import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextDailyAt, parseDailyTime } from './daily.js';

// A zone with DST, whatever the machine's own zone is (Node re-reads TZ when it changes).
process.env.TZ = 'Europe/Berlin';

const HOUR = 3_600_000;
const local = (y: number, mo: number, d: number, h: number, mi = 0): number => new Date(y, mo - 1, d, h, mi).getTime();
const iso = (ms: number): string => new Date(ms).toISOString();

describe('nextDailyAt', () => {
  it('is later today when the time has not come yet', () => {
    assert.equal(iso(nextDailyAt(local(2025, 6, 10, 8), { hour: 9, minute: 30 })), '2025-06-10T07:30:00.000Z');
  });

  it('rolls over midnight, month and year ends', () => {
    assert.equal(iso(nextDailyAt(local(2025, 6, 10, 23), { hour: 0, minute: 15 })), '2025-06-10T22:15:00.000Z');
    assert.equal(iso(nextDailyAt(local(2025, 12, 31, 22), { hour: 6, minute: 0 })), '2026-01-01T05:00:00.000Z');
  });

  it('is tomorrow when now is exactly the scheduled minute, so a scan that just ran is not repeated', () => {
    const at = local(2025, 6, 10, 9, 30);
    assert.equal(nextDailyAt(at, { hour: 9, minute: 30 }) - at, 24 * HOUR);
  });

  it('keeps the wall-clock time across spring forward: 23 hours apart', () => {
    const before = local(2025, 3, 29, 9);
    const next = nextDailyAt(before + 1, { hour: 9, minute: 0 });
    assert.equal(new Date(next).getHours(), 9);
    assert.equal(next - before, 23 * HOUR);
  });

  it('keeps the wall-clock time across fall back: 25 hours apart', () => {
    const before = local(2025, 10, 25, 9);
    const next = nextDailyAt(before + 1, { hour: 9, minute: 0 });
    assert.equal(new Date(next).getHours(), 9);
    assert.equal(next - before, 25 * HOUR);
  });

  it('runs a time that does not exist that day (02:30 on spring forward) once, an hour on, then back at 02:30', () => {
    const day = nextDailyAt(local(2025, 3, 30, 0), { hour: 2, minute: 30 });
    assert.equal(iso(day), '2025-03-30T01:30:00.000Z'); // 03:30 CEST
    assert.equal(iso(nextDailyAt(day, { hour: 2, minute: 30 })), '2025-03-31T00:30:00.000Z'); // 02:30 CEST
  });

  it('runs a time that happens twice (02:30 on fall back) only at its first occurrence', () => {
    const first = nextDailyAt(local(2025, 10, 26, 0), { hour: 2, minute: 30 });
    assert.equal(iso(first), '2025-10-26T00:30:00.000Z'); // 02:30 CEST
    const after = nextDailyAt(first, { hour: 2, minute: 30 });
    assert.equal(iso(after), '2025-10-27T01:30:00.000Z'); // next day, 02:30 CET: the repeat at 01:30Z is skipped
  });
});

describe('parseDailyTime', () => {
  it('takes HH:MM and refuses anything else', () => {
    assert.deepEqual(parseDailyTime('07:05'), { hour: 7, minute: 5 });
    assert.deepEqual(parseDailyTime('23:59'), { hour: 23, minute: 59 });
    for (const bad of ['24:00', '7:05', '07:60', '07:05:00', '', ' 07:05']) assert.equal(parseDailyTime(bad), undefined, bad);
  });
});
