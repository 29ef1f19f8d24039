import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, osName, platformName, rangeText, relativeTime, scheduleText } from './format.js';

describe('rangeText', () => {
  it('reads like a pager: first, last and total with thousands separators', () => {
    assert.equal(rangeText(0, 50, 9812), '1–50 of 9,812');
    assert.equal(rangeText(9800, 12, 9812), '9,801–9,812 of 9,812');
  });
  it('says 0 of N when the page is empty', () => {
    assert.equal(rangeText(0, 0, 0), '0 of 0');
  });
});

describe('formatBytes', () => {
  it('uses the units people see on their machines', () => {
    assert.equal(formatBytes(16 * 1024 ** 3), '16 GB');
    assert.equal(formatBytes(512 * 1024 ** 3), '512 GB');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(900), '900 bytes');
    assert.equal(formatBytes(undefined), '—');
  });
});

describe('relativeTime', () => {
  const now = Date.parse('2025-03-10T12:00:00Z');
  it('counts minutes, hours and days back from now', () => {
    assert.equal(relativeTime('2025-03-10T11:59:40Z', now), 'just now');
    assert.equal(relativeTime('2025-03-10T11:55:00Z', now), '5 min ago');
    assert.equal(relativeTime('2025-03-10T09:00:00Z', now), '3 h ago');
    assert.equal(relativeTime('2025-03-09T11:00:00Z', now), '1 day ago');
    assert.equal(relativeTime('2025-03-06T12:00:00Z', now), '4 days ago');
  });
  it('gives a date for anything older than a month', () => {
    assert.match(relativeTime('2024-12-01T12:00:00Z', now), /^2024-12-0[12]$/);
  });
});

describe('osName', () => {
  it('prefers the distribution and release, falls back to the platform', () => {
    assert.equal(osName({ platform: 'linux', distro: 'Debian GNU/Linux', release: '12' }), 'Debian GNU/Linux 12');
    assert.equal(osName({ platform: 'win32' }), 'Windows');
    assert.equal(osName(null), '—');
  });

  it('names the platforms the devices filter offers', () => {
    assert.deepEqual(['linux', 'darwin', 'windows', 'other', 'plan9'].map(platformName), ['Linux', 'macOS', 'Windows', 'Other', 'plan9']);
  });
});

describe('scheduleText', () => {
  it('says how often the catalog runs in words, and on request only', () => {
    assert.equal(scheduleText('24h'), 'Every 24 h');
    assert.equal(scheduleText('1d'), 'Every 1 day');
    assert.equal(scheduleText('7d'), 'Every 7 days');
    assert.equal(scheduleText('30m'), 'Every 30 min');
    assert.equal(scheduleText('on-demand'), 'Only on request');
  });
});
