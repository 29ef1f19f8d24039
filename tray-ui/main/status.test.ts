import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { StubAgent } from '../../test/support/tray/tray.js';
import { STATUS_INTERVAL_MS, StatusMonitor, statusLine } from './status.js';

describe('status monitor', () => {
  it('asks the agent at start and every 30 s, not more', async (t) => {
    mock.timers.enable({ apis: ['setInterval'] });
    t.after(() => mock.timers.reset());
    const agent = new StubAgent();
    const monitor = new StatusMonitor(agent.call);
    monitor.start();
    t.after(() => monitor.stop());
    await monitor.refresh();
    assert.equal(agent.callsOf('status').length, 1);
    mock.timers.tick(STATUS_INTERVAL_MS - 1);
    assert.equal(agent.callsOf('status').length, 1);
    mock.timers.tick(1);
    await monitor.refresh();
    assert.equal(agent.callsOf('status').length, 2, 'this refresh shared the question the timer asked');
    monitor.stop();
    mock.timers.tick(STATUS_INTERVAL_MS * 3);
    assert.equal(agent.callsOf('status').length, 2);
  });

  it('shares one question between callers who ask at the same time', async () => {
    const agent = new StubAgent();
    const monitor = new StatusMonitor(agent.call);
    const [a, b] = await Promise.all([monitor.refresh(), monitor.refresh()]);
    assert.equal(a, b);
    assert.equal(agent.callsOf('status').length, 1);
  });

  it('tells listeners what changed', async () => {
    const agent = new StubAgent();
    const monitor = new StatusMonitor(agent.call);
    const seen: boolean[] = [];
    monitor.onChange((s) => seen.push(s.reachable));
    await monitor.refresh();
    agent.unreachable = true;
    await monitor.refresh();
    assert.deepEqual(seen, [true, false]);
    assert.equal(statusLine(monitor.current(), { locale: 'en-GB', now: new Date() }), 'Outpost agent is not running');
  });

  it('writes the time in the person’s locale and time zone', () => {
    const state = {
      reachable: true as const,
      status: { ...new StubAgent().status, lastInventoryAt: '2025-03-03T10:42:00Z' },
    };
    const now = new Date('2025-03-03T12:00:00Z');
    assert.equal(statusLine(state, { locale: 'en-GB', now, timeZone: 'Europe/London' }), 'Connected · last inventory 10:42');
    assert.equal(statusLine(state, { locale: 'en-US', now, timeZone: 'America/New_York' }), 'Connected · last inventory 05:42 AM');
    assert.equal(statusLine(state, { locale: 'de-DE', now, timeZone: 'Europe/Berlin' }), 'Connected · last inventory 11:42');
  });
});
