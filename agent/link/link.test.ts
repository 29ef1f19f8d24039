import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { applyDelta } from '../../shared/delta.js';
import { snapshotDigest } from '../../shared/digest.js';
import type { Snapshot } from '../../shared/inventory.js';
import { LIMITS, type Item } from '../../shared/protocol.js';
import { eventually, harness, sleep, type Harness } from '../../test/support/link-harness.js';

const seqs = (items: Item[]) => items.map((i) => i.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const itemsSent = (h: Harness) => h.server.messages.flatMap((m) => (m.type === 'items' ? m.items : []));

/** The server's copy after applying what it received, as the real server does. */
function serverCopy(items: Item[]): Snapshot | undefined {
  let copy: Snapshot | undefined;
  for (const item of items) {
    if (item.kind === 'inventory.full') copy = item.body.snapshot;
    else if (item.kind === 'inventory.delta') copy = applyDelta(copy!, item.body.delta).snapshot;
  }
  return copy;
}

describe('Link delivery', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('sends items in seq order, never more than a window ahead of the acks, and deletes what is acked', async () => {
    h = await harness({ server: { autoAck: false } });
    h.record(150);
    h.link.start();
    await h.server.waitFor(() => itemsSent(h).length >= LIMITS.sendWindow, 'a full window');
    await sleep(100);
    assert.equal(itemsSent(h).length, LIMITS.sendWindow, 'nothing beyond the window before an ack');
    assert.equal(h.outbox.pendingCount(), 150);

    h.server.ackAll();
    await h.server.waitFor(() => itemsSent(h).length >= 2 * LIMITS.sendWindow, 'the second window');
    await eventually(() => h.outbox.pendingCount() === 150 - LIMITS.sendWindow, 'the first window deleted');
    h.server.ackAll();
    await h.server.waitFor(() => itemsSent(h).length === 150, 'every item');
    h.server.ackAll();
    await eventually(() => h.outbox.pendingCount() === 0, 'every item deleted');

    assert.deepEqual(seqs(h.server.applied()), range(1, 150));
    for (const m of h.server.messages) if (m.type === 'items') assert.ok(m.items.length <= LIMITS.maxBatchItems);
    assert.equal(snapshotDigest(serverCopy(h.server.applied())!), h.outbox.baseline()?.digest);
  });

  it('sends again what was not acknowledged when the connection dropped', async () => {
    h = await harness({ server: { holdBatches: true } });
    h.record(3);
    h.link.start();
    await h.server.waitFor(() => h.server.held.flatMap((b) => b.items).length === 3, 'three items held');
    h.server.held = [];
    h.server.dropConnections();
    await h.server.waitFor(() => h.server.held.flatMap((b) => b.items).length === 3 && h.server.connections === 2, 'the same items again');
    assert.deepEqual(seqs(h.server.held.flatMap((b) => b.items)), [1, 2, 3]);
    h.server.opts.holdBatches = false;
    h.server.applyHeld();
    await eventually(() => h.outbox.pendingCount() === 0, 'acked items deleted');
    assert.deepEqual(seqs(h.server.applied()), [1, 2, 3]);
    assert.equal(h.server.messages.filter((m) => m.type === 'hello').length, 1, 'the reconnect used the stored credentials');
  });

  it('does not send again what the server applied before the connection dropped without an ack', async () => {
    h = await harness({ server: { autoAck: false } });
    h.record(3);
    h.link.start();
    await h.server.waitFor(() => h.server.applied().length === 3, 'three items applied');
    h.server.dropConnections();
    h.server.opts.autoAck = true;
    await h.server.waitFor(() => h.server.authenticatedConnections() === 1 && h.server.connections === 2, 'the reconnect');
    await eventually(() => h.outbox.pendingCount() === 0, 'items the server had deleted locally');
    assert.deepEqual(seqs(itemsSent(h)), [1, 2, 3]);
  });

  it('picks up where it left off after a server restart mid-stream, with what was recorded meanwhile', async () => {
    h = await harness({ server: { autoAck: false } });
    h.record(100);
    h.link.start();
    await h.server.waitFor(() => h.server.applied().length >= LIMITS.sendWindow, 'the first window applied');
    await h.server.stop();
    assert.equal(h.link.connected, false);
    h.record(5);
    h.server.opts.autoAck = true;
    await h.server.start();
    await h.server.waitFor(() => h.server.applied().length === 105, 'everything applied', 10_000);
    await eventually(() => h.outbox.pendingCount() === 0, 'everything deleted');
    assert.deepEqual(seqs(h.server.applied()), range(1, 105));
    assert.equal(snapshotDigest(serverCopy(h.server.applied())!), h.outbox.baseline()?.digest);
    assert.deepEqual(h.connectionChanges, [true, false, true]);
  });

  it('answers a full-snapshot command with a full snapshot of the baseline', async () => {
    h = await harness();
    h.record(2);
    h.link.start();
    await h.server.waitFor(() => h.server.applied().length === 2, 'the first items');
    h.server.send({ type: 'command', command: 'full-snapshot' });
    await h.server.waitFor(() => h.server.applied().length === 3, 'a full snapshot');
    const full = h.server.applied()[2]!;
    assert.equal(full.kind, 'inventory.full');
    assert.equal(full.body.digest, h.outbox.baseline()?.digest);
    assert.equal(h.commands.filter((c) => c.command === 'full-snapshot').length, 0, 'handled by the link itself');
  });

  it('passes the welcome settings and other commands to the agent', async () => {
    h = await harness();
    h.link.start();
    await eventually(() => h.link.connected, 'connected');
    h.server.send({ type: 'command', command: 'scan' });
    await eventually(() => h.commands.length === 2, 'the scan command');
    assert.deepEqual(
      h.commands.map((c) => c.command),
      ['settings', 'scan'],
    );
    assert.equal(h.commands[0]?.settings?.refreshMinutes, 90);
  });
});

describe('Link recovery', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('sends a full snapshot when the server reports that its copy diverged', async () => {
    h = await harness();
    h.record(2);
    h.link.start();
    await h.server.waitFor(() => h.server.applied().length === 2, 'the first items');
    h.server.send({ type: 'error', code: 'E_DIGEST_MISMATCH', message: 'digest mismatch', fatal: false, seq: 2 });
    await h.server.waitFor(() => h.server.applied().length === 3, 'a full snapshot');
    assert.equal(h.server.applied()[2]?.kind, 'inventory.full');
  });

  it('reconnects when its outbox fails under it, and delivers once the outbox is back', async () => {
    h = await harness();
    h.link.start();
    await eventually(() => h.link.connected, 'connected');
    const peek = h.outbox.peek.bind(h.outbox);
    let failures = 1;
    h.outbox.peek = (after, limit) => {
      if (failures-- > 0) throw new Error('SQLITE_IOERR: disk I/O error');
      return peek(after, limit);
    };
    h.record(1);
    await h.server.waitFor(() => h.server.applied().length === 1, 'the item');
    assert.equal(h.server.connections, 2);
    assert.ok(h.log.entries.some((e) => e.level === 'error' && /SQLITE_IOERR/.test(String(e.fields.err))));
  });
});

describe('Link after lost state', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('renumbers its items above the seq the server has when its own outbox was lost, so none is skipped', async () => {
    h = await harness();
    h.server.devices.set('dev-1', { deviceId: 'dev-1', secret: 'restored-secret-0123', lastSeq: 500, applied: [], tickets: new Map() });
    h.credentials.save({ deviceId: 'dev-1', secret: 'restored-secret-0123', serverUrl: h.server.url });
    h.record(3);
    h.link.start();
    await eventually(() => h.link.connected && h.outbox.pendingCount() === 0, 'everything delivered');
    const applied = h.server.applied();
    assert.ok(applied.length >= 1 && applied.every((i) => i.seq > 500), `applied seqs ${seqs(applied).join(',')}`);
    assert.equal(applied.at(-1)?.kind, 'inventory.full', 'the server gets a whole snapshot, whatever it had before');
    const last = applied.at(-1);
    assert.equal(last?.kind === 'inventory.full' ? last.body.digest : undefined, h.outbox.baseline()?.digest);
  });
});
