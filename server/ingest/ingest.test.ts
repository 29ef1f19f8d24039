import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { snapshotDigest } from '../../shared/digest.js';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { deltaItem, fullItem, hintsFor, machine, pkg } from '../../test/support/server/fixtures.js';
import { TestAgent } from '../../test/support/server/test-agent.js';

interface ChangesBody {
  items: { seq: number; section: string; trigger: string; added: unknown[]; removed: unknown[] }[];
}
interface DeviceBody {
  digest: string;
  online: boolean;
  os: { hostname: string };
}
interface SoftwareBody {
  items: { name: string; version?: string }[];
}

describe('agent ingest', () => {
  let h: Harness;
  let token: string;
  const agents: TestAgent[] = [];
  const connect = async () => {
    const a = await TestAgent.connect(h.wsUrl);
    agents.push(a);
    return a;
  };

  before(async () => {
    h = await startHarness();
    token = await h.server.createEnrolmentToken();
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await h.close();
  });

  it('enrols, takes a full snapshot and a delta, acks each and serves the result', async () => {
    const v1 = machine({ hostname: 'ws-happy', serial: 'HAPPY-1', software: [pkg('bash', '5.2')] });
    const v2 = machine({ hostname: 'ws-happy', serial: 'HAPPY-1', software: [pkg('bash', '5.2'), pkg('htop', '3.2')] });
    const agent = await connect();
    const { deviceId, secret } = await agent.enrol(token, hintsFor(v1, 'inst-happy'));
    assert.equal((await agent.next('command')).command, 'full-snapshot');
    assert.equal(secret.length, 43);

    agent.sendItems([fullItem(1, v1)]);
    assert.equal((await agent.next('ack')).seq, 1);
    agent.sendItems([deltaItem(2, v1, v2)]);
    assert.equal((await agent.next('ack')).seq, 2);

    const device = await h.api<DeviceBody>(`/api/devices/${deviceId}`);
    assert.equal(device.body.digest, snapshotDigest(v2));
    assert.equal(device.body.online, true);
    const software = await h.api<SoftwareBody>(`/api/devices/${deviceId}/software`);
    assert.deepEqual(
      software.body.items.map((s) => s.name),
      ['bash', 'htop'],
    );
    const changes = await h.api<ChangesBody>(`/api/devices/${deviceId}/changes`);
    assert.deepEqual(changes.body.items[0], {
      ...changes.body.items[0],
      seq: 2,
      section: 'software',
      trigger: 'software-change',
      added: [pkg('htop', '3.2')],
    });

    // The agent reconnects with its credentials and learns what the server has.
    await agent.close();
    const again = await connect();
    const welcome = await again.hello(deviceId, secret, hintsFor(v2, 'inst-happy'));
    assert.equal(welcome.lastSeq, 2);
    assert.equal(welcome.settings.refreshMinutes, 90);
  });

  it("takes a laptop's full snapshot read off the event loop, its body passed to the store packed, and serves all of it", async () => {
    // ~650 packages make a frame past the frame worker's threshold (frame-reader.ts): the event loop
    // holds its body as bytes (packed-items.ts) and the store's batch job unpacks it.
    const software = Array.from({ length: 650 }, (_, i) => pkg(`package-${String(i).padStart(3, '0')}`, `1.${i}`));
    const laptop = machine({ hostname: 'ws-laptop', serial: 'LAPTOP-1', software });
    const agent = await connect();
    const { deviceId } = await agent.enrol(token, hintsFor(laptop, 'inst-laptop'));
    assert.equal((await agent.next('command')).command, 'full-snapshot');
    const frame = JSON.stringify({ type: 'items', items: [fullItem(1, laptop)] });
    assert.ok(frame.length >= 32 * 1024, `${frame.length} bytes`);
    agent.sendItems([fullItem(1, laptop)]);
    assert.equal((await agent.next('ack')).seq, 1);
    const device = await h.api<DeviceBody>(`/api/devices/${deviceId}`);
    assert.equal(device.body.digest, snapshotDigest(laptop));
    const listed = await h.api<SoftwareBody & { total?: number }>(`/api/devices/${deviceId}/software?limit=1000`);
    assert.equal(listed.body.total ?? listed.body.items.length, 650);
    assert.equal(listed.body.items.find((s) => s.name === 'package-649')?.version, '1.649');
  });

  it('skips a redelivered seq in the same batch that applies the new ones, recording nothing twice', async () => {
    const v1 = machine({ hostname: 'ws-replay', serial: 'REPLAY-1', software: [pkg('a', '1')] });
    const v2 = machine({ hostname: 'ws-replay', serial: 'REPLAY-1', software: [pkg('a', '1'), pkg('b', '1')] });
    const v3 = machine({ hostname: 'ws-replay', serial: 'REPLAY-1', software: [pkg('a', '1'), pkg('b', '1'), pkg('c', '1')] });
    const agent = await connect();
    const { deviceId } = await agent.enrol(token, hintsFor(v1, 'inst-replay'));
    agent.sendItems([fullItem(1, v1), deltaItem(2, v1, v2)]);
    assert.equal((await agent.next('ack')).seq, 2);

    // The ack was lost; the agent sends 1..3 again.
    agent.sendItems([fullItem(1, v1), deltaItem(2, v1, v2), deltaItem(3, v2, v3)]);
    const replayed = await agent.next('error');
    assert.equal(replayed.code, 'E_SEQ_REPLAYED');
    assert.equal(replayed.fatal, false);
    assert.equal((await agent.next('ack')).seq, 3);

    const changes = await h.api<ChangesBody>(`/api/devices/${deviceId}/changes`);
    // Each applied once: the deltas' software changes; the first inventory records none (it would
    // copy the whole list into the history).
    const software = changes.body.items.filter((c) => c.section === 'software');
    assert.deepEqual(
      software.map((c) => c.seq),
      [3, 2],
    );
    assert.ok(changes.body.items.some((c) => c.seq === 1 && c.section === 'hardware'));
    assert.equal((await h.api<DeviceBody>(`/api/devices/${deviceId}`)).body.digest, snapshotDigest(v3));
  });

  it('asks for a full snapshot when a delta does not match, then recovers', async () => {
    const v1 = machine({ hostname: 'ws-drift', serial: 'DRIFT-1', software: [pkg('a', '1')] });
    const v2 = machine({ hostname: 'ws-drift', serial: 'DRIFT-1', software: [pkg('a', '2')] });
    const elsewhere = machine({ hostname: 'ws-drift', serial: 'DRIFT-1', software: [pkg('z', '9')] });
    const agent = await connect();
    const { deviceId } = await agent.enrol(token, hintsFor(v1, 'inst-drift'));
    await agent.next('command');

    agent.sendItems([deltaItem(1, v1, v2)]);
    assert.equal((await agent.next('error')).code, 'E_NO_BASELINE');
    assert.equal((await agent.next('ack')).seq, 1);
    assert.equal((await agent.next('command')).command, 'full-snapshot');

    agent.sendItems([fullItem(2, v1, 'resync'), deltaItem(3, elsewhere, v2), deltaItem(4, elsewhere, v2)]);
    const mismatch = await agent.next('error');
    assert.deepEqual([mismatch.code, mismatch.seq], ['E_DIGEST_MISMATCH', 3]);
    assert.equal((await agent.next('ack')).seq, 4);
    assert.equal((await agent.next('command')).command, 'full-snapshot');
    assert.equal(agent.pending().filter((m) => m.type === 'command').length, 0, 'one command per batch');
    assert.equal((await h.api<DeviceBody>(`/api/devices/${deviceId}`)).body.digest, snapshotDigest(v1));

    agent.sendItems([fullItem(5, v2, 'resync')]);
    assert.equal((await agent.next('ack')).seq, 5);
    assert.equal((await h.api<DeviceBody>(`/api/devices/${deviceId}`)).body.digest, snapshotDigest(v2));
  });

  it('keeps the last applied seq across a server restart, so redelivery stays harmless', async () => {
    const v1 = machine({ hostname: 'ws-restart', serial: 'RESTART-1', software: [pkg('a', '1')] });
    const v2 = machine({ hostname: 'ws-restart', serial: 'RESTART-1', software: [pkg('b', '1')] });
    const agent = await connect();
    const { deviceId, secret } = await agent.enrol(token, hintsFor(v1, 'inst-restart'));
    agent.sendItems([fullItem(1, v1), deltaItem(2, v1, v2)]);
    await agent.next('ack');

    await h.restart();
    assert.equal((await agent.closed).code, 1001);

    const back = await connect();
    const welcome = await back.hello(deviceId, secret, hintsFor(v2, 'inst-restart'));
    assert.equal(welcome.lastSeq, 2);
    assert.equal(
      back.pending().some((m) => m.type === 'command'),
      false,
      'no resync needed',
    );
    back.sendItems([deltaItem(2, v1, v2)]);
    assert.equal((await back.next('error')).code, 'E_SEQ_REPLAYED');
    assert.equal((await back.next('ack')).seq, 2);
    const changes = await h.api<ChangesBody>(`/api/devices/${deviceId}/changes`);
    assert.equal(changes.body.items.filter((c) => c.seq === 2).length, 1);
  });
});
