import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDeskSettings } from './settings.js';
import { catalogIntervalMs, durationMs, nextSlot, slotMs, SchedulesSchema } from './schedules.js';

const base = { kind: 'rt', url: 'http://desk.invalid', user: 'outpost', secret: 'x' };

describe('desk schedules', () => {
  it('defaults to every flow at once, and the catalog and the package catalog daily', () => {
    const s = parseDeskSettings(base).schedules;
    assert.deepEqual(s, {
      assets: 'immediate',
      tickets: 'immediate',
      notes: 'immediate',
      worklogs: 'immediate',
      catalog: '24h',
      packages: '24h',
    });
    assert.deepEqual(
      [slotMs(s, 'asset'), slotMs(s, 'ticket.note'), catalogIntervalMs(s), catalogIntervalMs(s, 'packages')],
      [0, 0, 86_400_000, 86_400_000],
    );
    const custom = SchedulesSchema.parse({ packages: 'on-demand', catalog: '12h' });
    assert.deepEqual([catalogIntervalMs(custom, 'packages'), catalogIntervalMs(custom), slotMs(custom, 'packages')], [null, 43_200_000, 0]);
    assert.throws(() => SchedulesSchema.parse({ packages: '30s' }), /from 1 min to 24 days/);
  });

  it('reads intervals, maps job kinds to their flow, and aligns slots to the interval', () => {
    const s = SchedulesSchema.parse({ assets: '1h', tickets: '30s', worklogs: '15m', catalog: 'on-demand' });
    assert.deepEqual(
      (['asset', 'ticket.create', 'event', 'ticket.close', 'ticket.status', 'ticket.note', 'worklog', 'catalog'] as const).map((k) =>
        slotMs(s, k),
      ),
      [3_600_000, 30_000, 30_000, 30_000, 30_000, 0, 900_000, 0],
    );
    assert.equal(catalogIntervalMs(s), null);
    assert.equal(nextSlot(Date.parse('2026-01-05T10:20:00Z'), 3_600_000), Date.parse('2026-01-05T11:00:00Z'));
    assert.equal(nextSlot(Date.parse('2026-01-05T11:00:00Z'), 3_600_000), Date.parse('2026-01-05T11:00:00Z'));
    assert.deepEqual(['90s', '2d', '1x', ''].map(durationMs), [90_000, 172_800_000, null, null]);
  });

  it('refuses intervals out of range or malformed with E_CONFIG', () => {
    for (const schedules of [
      { assets: '5s' },
      { assets: '2d' },
      { catalog: '30s' },
      { catalog: '30d' },
      { notes: 'hourly' },
      { catalog: 'immediate' },
    ]) {
      assert.throws(
        () => parseDeskSettings({ ...base, schedules }),
        (e: unknown) => (e as { code?: string }).code === 'E_CONFIG',
        JSON.stringify(schedules),
      );
    }
  });
});
