import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptySnapshot } from '../../shared/delta.js';
import { AgentMessages, LIMITS, parseFrame, type Item } from '../../shared/protocol.js';
import { nextBatch } from './batch.js';

const digest = 'ab'.repeat(32);
const delta = (seq: number, name = `pkg-${seq}`): Item => ({
  seq,
  at: '2025-01-01T00:00:00.000Z',
  kind: 'inventory.delta',
  body: { trigger: 'refresh', baseDigest: digest, digest, delta: { software: { added: [{ name, source: 'dpkg', scope: 'machine' }] } } },
});

describe('nextBatch', () => {
  it('packs items in order into one frame the server accepts, up to the item limit', () => {
    const items = Array.from({ length: 10 }, (_, i) => delta(i + 1));
    const batch = nextBatch(items, 4);
    assert.ok(batch.kind === 'frame');
    assert.deepEqual(batch.seqs, [1, 2, 3, 4]);
    const parsed = parseFrame(AgentMessages, batch.frame);
    assert.ok(parsed.ok && parsed.message.type === 'items');
    assert.deepEqual(parsed.message.items, items.slice(0, 4));
  });

  it('stops before the byte cap, but always sends the first item', () => {
    const big = delta(1, 'x'.repeat(1000));
    const items = [big, delta(2), delta(3)];
    const one = nextBatch(items, 256, 500);
    assert.ok(one.kind === 'frame');
    assert.deepEqual(one.seqs, [1]);
    const two = nextBatch(items.slice(1), 256, 2 * Buffer.byteLength(JSON.stringify(delta(2))) + 40);
    assert.ok(two.kind === 'frame');
    assert.deepEqual(two.seqs, [2, 3]);
  });

  it('reports an item no frame could carry', () => {
    const huge: Item = {
      seq: 7,
      at: '2025-01-01T00:00:00.000Z',
      kind: 'inventory.full',
      body: { trigger: 'startup', digest, snapshot: { ...emptySnapshot('h'.repeat(LIMITS.maxFrameBytes)) } },
    };
    const batch = nextBatch([huge, delta(8)]);
    assert.equal(batch.kind, 'too-large');
    assert.ok(batch.kind === 'too-large' && batch.item.seq === 7 && batch.bytes > LIMITS.maxFrameBytes);
  });
});
