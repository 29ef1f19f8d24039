// In a reconnect storm the server takes agents' upgrades and hellos a bounded number per turn of its
// event loop (turn-pacer.ts), so a console request is answered while connections still wait their
// turn, and every one of those connections is then taken in: none refused, none timed out. The
// loop's turns are run by hand here, so what waits is certain and nothing is timed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { hintsFor, machine } from '../../test/support/server/fixtures.js';
import { TestAgent } from '../../test/support/server/test-agent.js';
import { TurnPacer } from './turn-pacer.js';

const PER_TURN = 2;
const AGENTS = 6;

describe('connections in a storm, a bounded number a turn of the loop', () => {
  let h: Harness;
  const turns: (() => void)[] = [];
  /** Runs the loop's pending pacer turns, as setImmediate would. */
  const runTurns = () => {
    for (const callback of turns.splice(0)) callback();
  };
  let pump: NodeJS.Timeout | undefined;
  const pumping = (on: boolean) => {
    clearInterval(pump);
    pump = on ? setInterval(runTurns, 1) : undefined;
  };
  const devices: { deviceId: string; secret: string; i: number }[] = [];
  const hints = (i: number) => hintsFor(machine({ hostname: `pc-${i}`, serial: `SER-${i}` }), `install-000${i}`);

  before(async () => {
    h = await startHarness({ connectionTurns: new TurnPacer(PER_TURN, (callback) => turns.push(callback)) });
    pumping(true);
    const token = await h.server.createEnrolmentToken();
    for (let i = 0; i < AGENTS; i++) {
      const agent = await TestAgent.connect(h.wsUrl);
      devices.push({ ...(await agent.enrol(token, hints(i))), i });
      await agent.close();
    }
  });
  after(async () => {
    pumping(false);
    await h.close();
  });

  it('answers the API while upgrades wait for their turn, then welcomes every agent', async () => {
    pumping(false);
    runTurns(); // a fresh turn: nothing started in it yet
    runTurns();
    const opened = devices.map(() => TestAgent.connect(h.wsUrl));
    let open = 0;
    for (const p of opened) void p.then(() => open++);
    // The first turn's places go to the first upgrades to arrive; the rest wait for the next turns.
    await Promise.race(opened);
    const list = await h.api<{ total: number }>('/api/devices?limit=50');
    assert.equal(list.status, 200);
    assert.equal(list.body.total, AGENTS);
    assert.ok(open <= PER_TURN, `at most ${PER_TURN} upgrades answered before the loop's next turn, ${open} were`);
    pumping(true);
    const agents = await Promise.all(
      opened.map(async (connecting, k) => {
        const agent = await connecting;
        const { deviceId, secret, i } = devices[k]!;
        const welcome = await agent.hello(deviceId, secret, hints(i));
        assert.equal(welcome.deviceId, deviceId);
        return agent;
      }),
    );
    for (const agent of agents) await agent.close();
  });
});
