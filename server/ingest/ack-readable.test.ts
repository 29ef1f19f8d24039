// What the server acknowledges is already readable: an agent deletes an acked item, so the API must
// show its change from the moment the ack leaves. With SQLite the batch commits in the store worker
// and the API reads on the main thread's own read-only connection (worker-store.ts); an ack sent
// before the commit, or a reader left on an older WAL snapshot, would show here as a missing change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { snapshotDigest } from '../../shared/digest.js';
import type { Snapshot } from '../../shared/inventory.js';
import { deltaItem, fullItem, hintsFor, machine, pkg } from '../../test/support/server/fixtures.js';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { TestAgent } from '../../test/support/server/test-agent.js';

interface ChangesBody {
  items: { seq: number; section: string; added: { name: string }[] }[];
}

describe('an acknowledged batch', () => {
  let h: Harness;
  let agent: TestAgent;
  before(async () => {
    h = await startHarness();
    agent = await TestAgent.connect(h.wsUrl);
  });
  after(async () => {
    await agent.close();
    await h.close();
  });

  it('is in the device, its software and its history as soon as the ack arrives, batch after batch', async () => {
    const at = (n: number): Snapshot =>
      machine({ hostname: 'ws-acked', serial: 'ACKED-1', software: Array.from({ length: n }, (_, i) => pkg(`pkg-${i}`, '1.0')) });
    const { deviceId } = await agent.enrol(await h.server.createEnrolmentToken(), hintsFor(at(1), 'inst-acked'));
    agent.sendItems([fullItem(1, at(1))]);
    assert.equal((await agent.next('ack')).seq, 1);

    for (let seq = 2; seq <= 25; seq++) {
      agent.sendItems([deltaItem(seq, at(seq - 1), at(seq))]);
      assert.equal((await agent.next('ack')).seq, seq);
      // No waiting: the reads go out the moment the ack is in.
      const [device, software, changes] = await Promise.all([
        h.api<{ digest: string }>(`/api/devices/${deviceId}`),
        h.api<{ items: { name: string }[] }>(`/api/devices/${deviceId}/software`),
        h.api<ChangesBody>(`/api/devices/${deviceId}/changes?limit=1`),
      ]);
      assert.equal(device.body.digest, snapshotDigest(at(seq)), `digest after seq ${seq}`);
      assert.equal(software.body.items.length, seq, `software after seq ${seq}`);
      assert.deepEqual(
        changes.body.items.map((c) => [c.seq, c.section, c.added.map((s) => s.name)]),
        [[seq, 'software', [`pkg-${seq - 1}`]]],
        `history after seq ${seq}`,
      );
    }
  });
});
