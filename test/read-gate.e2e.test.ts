// The read gate over real sockets: with room for less than one snapshot, a fleet that sends its
// first inventory all at once is read a few sockets at a time, and every snapshot is still applied
// and acked once on the connection that sent it (what waits, waits in TCP; nobody is dropped).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullItem, hintsFor, machine } from './support/server/fixtures.js';
import { startHarness } from './support/server/harness.js';
import { TestAgent } from './support/server/test-agent.js';

const DEVICES = 12;

function snapshotOf(i: number) {
  const snap = machine({ hostname: `gate-${i}`, serial: `SN-gate-${i}` });
  const software = Array.from({ length: 400 }, (_, n) => ({
    name: `package-${i}-${n}`,
    version: `${n}.0.${i}`,
    source: 'dpkg' as const,
    scope: 'machine' as const,
  }));
  return { ...snap, software };
}

describe('read gate', () => {
  it('applies and acks every snapshot of a fleet sending at once though only one fits at a time', async () => {
    const h = await startHarness({ heldFrameBytes: 16 * 1024 });
    const agents: TestAgent[] = [];
    try {
      const token = await h.server.createEnrolmentToken();
      const snaps = Array.from({ length: DEVICES }, (_, i) => snapshotOf(i));
      for (const [i, snap] of snaps.entries()) {
        const agent = await TestAgent.connect(h.wsUrl);
        await agent.enrol(token, hintsFor(snap, `inst-gate-${i}`));
        agents.push(agent);
      }
      const closes: number[] = [];
      for (const agent of agents) agent.ws.on('close', (code) => closes.push(code));
      agents.forEach((agent, i) => agent.sendItems([fullItem(1, snaps[i]!)]));
      const acks = await Promise.all(agents.map((agent) => agent.next('ack', 30_000)));
      assert.deepEqual(
        acks.map((a) => a.seq),
        agents.map(() => 1),
      );
      assert.deepEqual(closes, [], 'nobody was dropped');
      const { body } = await h.api<{ items: { hostname: string }[] }>('/api/devices');
      assert.equal(body.items.filter((d) => d.hostname.startsWith('gate-')).length, DEVICES);
      // Still read afterwards: a second batch of each is acked too.
      agents.forEach((agent, i) => agent.sendItems([fullItem(2, snaps[i]!, 'schedule')]));
      for (const agent of agents) assert.equal((await agent.next('ack', 30_000)).seq, 2);
    } finally {
      await Promise.all(agents.map((a) => a.close()));
      await h.close();
    }
  });
});
