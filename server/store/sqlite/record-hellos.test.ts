// Several hellos recorded in one write (a reconnect storm's turn, ingest/hello-batch.ts): each as
// recordHello records it, and one that fails undoes nothing of the others.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HelloRecord } from '../store.js';
import { freshStore, type StoreUnderTest } from '../../../test/support/stores.js';

const hello = (hostname: string, at: number): HelloRecord => ({
  hints: { installId: 'inst', hostname, macs: ['00:11:22:33:44:55'] },
  agentVersion: '2.0',
  at,
});

describe('SQLite: several hellos in one write', () => {
  let t: StoreUnderTest;
  before(async () => {
    t = await freshStore('sqlite');
    for (const id of ['a', 'b', 'c']) await t.addDevice(id);
  });
  after(() => t.dispose());

  const rows = () =>
    t.sql<{ id: string; hostname: string; agent_version: string | null; last_seen: number }>(
      'SELECT id, hostname, agent_version, last_seen FROM devices ORDER BY id',
    );

  it('records each like a hello of its own, answers null for an unknown device, and keeps the others when one fails', async () => {
    const broken = { hints: { installId: 'inst', hostname: 'x', macs: null }, agentVersion: '2.0', at: 1 } as unknown as HelloRecord;
    const outcomes = await t.store.recordHellos!([
      { deviceId: 'a', hello: hello('pc-a2', 5_000) },
      { deviceId: 'gone', hello: hello('pc-gone', 5_000) },
      { deviceId: 'b', hello: broken },
      { deviceId: 'c', hello: hello('pc-c2', 6_000) },
    ]);
    const alone = await t.store.recordHello('a', hello('pc-a2', 5_000));
    assert.deepEqual(outcomes[0], { runtime: alone });
    assert.deepEqual(outcomes[1], { runtime: null });
    assert.ok(outcomes[2] && 'error' in outcomes[2], 'the broken hello failed');
    assert.deepEqual(outcomes[3], { runtime: alone });
    assert.deepEqual(await rows(), [
      { id: 'a', hostname: 'pc-a2', agent_version: '2.0', last_seen: 5_000 },
      { id: 'b', hostname: 'pc-b', agent_version: null, last_seen: 0 },
      { id: 'c', hostname: 'pc-c2', agent_version: '2.0', last_seen: 6_000 },
    ]);
    const macs = await t.sql<{ device_id: string }>('SELECT device_id FROM device_macs ORDER BY device_id');
    assert.deepEqual(
      macs.map((m) => m.device_id),
      ['a', 'c'],
    );
  });
});
