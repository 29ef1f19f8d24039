// What a restarted server tells the first agents back: a reconnect window sized for its whole fleet
// (the devices seen lately), not for the handful connected so far, so that at the next restart those
// first agents do not all come back at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { hintsFor, machine } from '../../test/support/server/fixtures.js';
import { TestAgent } from '../../test/support/server/test-agent.js';
import { join } from 'node:path';
import { rateFile } from './reconnect-rate-file.js';
import { PRIOR_RATE, STORM_SHARE } from './reconnect-window.js';

const FLEET = 250;

describe('the reconnect window after a restart', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('is sized for every device seen lately, from the first agent back', async () => {
    const token = await h.server.createEnrolmentToken();
    const devices: { deviceId: string; secret: string }[] = [];
    let next = 0;
    const lane = async () => {
      while (next < FLEET) {
        const i = next++;
        const agent = await TestAgent.connect(h.wsUrl);
        devices[i] = await agent.enrol(
          token,
          hintsFor(machine({ hostname: `pc-${i}`, serial: `SER-${i}` }), `install-${String(i).padStart(4, '0')}`),
        );
        await agent.close();
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));

    await h.restart();
    const first = devices[0]!;
    const agent = await TestAgent.connect(h.wsUrl);
    const welcome = await agent.hello(
      first.deviceId,
      first.secret,
      hintsFor(machine({ hostname: 'pc-0', serial: 'SER-0' }), 'install-0000'),
    );
    await agent.close();
    // One agent connected, no storm measured since the restart: the fleet at the rate the process
    // measured before it (kept in its data directory), else the assumed one; a fleet of one: 1 s.
    const rate = rateFile(join(h.dataDir, 'reconnect-rate.json')).read() ?? PRIOR_RATE;
    assert.equal(welcome.reconnectSpreadSeconds, Math.ceil(FLEET / (rate * STORM_SHARE)));
    assert.ok(welcome.reconnectSpreadSeconds > 1);
  });
});
