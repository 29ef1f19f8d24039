// The frame reader gives the same answer for a frame whether it reads it in place or in its worker
// thread: the same refusal codes, the same items screened out past the budget, the same message.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { ERROR_CODES } from '../../shared/errors.js';
import { LIMITS, PROTOCOL_VERSION } from '../../shared/protocol.js';
import { deltaItem, fullItem, machine, pkg } from '../../test/support/server/fixtures.js';
import { FrameReader, type CarriedReading } from './frame-reader.js';
import { isPacked, unpackItem } from './packed-items.js';
import { readAgentFrame, type FrameReading } from './read-frame.js';

/** The reading with its packed bodies unpacked, as the store's batch job sees its items. */
function unpacked(r: CarriedReading): FrameReading {
  if (!r.ok || r.message?.type !== 'items') return r as FrameReading;
  return { ...r, message: { ...r.message, items: r.message.items.map(unpackItem) } };
}

const hints = { installId: 'reader-install-0001', hostname: 'pc', macs: [] };
const v1 = machine({ software: [pkg('bash', '5.1')] });
const v2 = machine({ software: [pkg('bash', '5.2')] });
const flood = (seq: number) => ({
  seq,
  at: '2025-01-02T03:04:05.000Z',
  kind: 'inventory.delta',
  body: {
    trigger: 'refresh',
    baseDigest: 'a'.repeat(64),
    digest: 'b'.repeat(64),
    delta: { software: { added: Array.from({ length: 20_000 }, (_, i) => pkg(`flood-${i}`, '1')) } },
  },
});

/** Frames each path must answer alike, with the code expected (null: accepted). */
const cases: { what: string; frame: string; authenticated: boolean; code: string | null }[] = [
  { what: 'not JSON', frame: '{"type":', authenticated: true, code: 'E_BAD_JSON' },
  { what: 'an unknown type', frame: JSON.stringify({ type: 'steal' }), authenticated: true, code: 'E_UNKNOWN_TYPE' },
  {
    what: 'a bad items message',
    frame: JSON.stringify({ type: 'items', items: [{ seq: 'x' }] }),
    authenticated: true,
    code: 'E_BAD_MESSAGE',
  },
  {
    what: 'a hello of another protocol',
    frame: JSON.stringify({ type: 'hello', protocol: 2, agentVersion: '1', deviceId: 'd1', secret: 's'.repeat(32), hints }),
    authenticated: false,
    code: 'E_PROTOCOL_VERSION',
  },
  {
    what: 'more items than a batch holds',
    frame: JSON.stringify({ type: 'items', items: Array.from({ length: LIMITS.maxBatchItems + 1 }, (_, i) => deltaItem(i + 1, v1, v2)) }),
    authenticated: true,
    code: 'E_BATCH_TOO_LARGE',
  },
  {
    what: 'a valid enrol',
    frame: JSON.stringify({ type: 'enrol', protocol: PROTOCOL_VERSION, agentVersion: '1', token: 't'.repeat(32), hints }),
    authenticated: false,
    code: null,
  },
  {
    what: 'a batch within the budget with items past it',
    frame: JSON.stringify({ type: 'items', items: [fullItem(1, v1), deltaItem(2, v1, v2), flood(3), flood(4)] }),
    authenticated: true,
    code: null,
  },
  {
    what: 'a batch of items all past the budget (~2 MB)',
    frame: JSON.stringify({ type: 'items', items: [flood(5), flood(6)] }),
    authenticated: true,
    code: null,
  },
];

describe('the frame reader', () => {
  const worker = new FrameReader({ workerFrameBytes: 0 });
  after(() => worker.stop());

  for (const c of cases) {
    it(`answers ${c.what} in its worker as in place`, async () => {
      const inWorker = unpacked(await worker.read(Buffer.from(c.frame), c.authenticated));
      const inPlace = readAgentFrame(c.frame, c.authenticated);
      assert.deepEqual(inWorker, inPlace);
      assert.equal(inWorker.ok ? null : inWorker.code, c.code);
    });
  }

  it('screens items past the budget out in the worker and hands back only what is left', async () => {
    const frame = JSON.stringify({ type: 'items', items: [deltaItem(2, v1, v2), flood(3), flood(4)] });
    const read = await worker.read(Buffer.from(frame), true);
    assert.ok(read.ok && read.message?.type === 'items');
    assert.deepEqual(read.overBudget, [{ seq: 3 }, { seq: 4 }]);
    assert.deepEqual(
      read.message.items.map((i) => i.seq),
      [2],
    );
    const emptied = await worker.read(Buffer.from(JSON.stringify({ type: 'items', items: [flood(7)] })), true);
    assert.deepEqual(emptied, { ok: true, message: null, overBudget: [{ seq: 7 }] });
  });

  it('reads a slice of a larger buffer as just that slice', async () => {
    const frame = JSON.stringify({ type: 'items', items: [deltaItem(2, v1, v2)] });
    const pool = Buffer.from(`garbage${frame}garbage`);
    const read = await worker.read(pool.subarray(7, 7 + frame.length), true);
    assert.deepEqual(unpacked(read), readAgentFrame(frame, true));
  });

  it('answers any frame, valid or not, in its worker as in place, with a stable code when refused', async () => {
    const frames = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record({ type: fc.constantFrom('items', 'hello', 'enrol'), items: fc.array(fc.jsonValue(), { maxLength: 4 }) })
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(frames, fc.boolean(), async (frame, authenticated) => {
        const inWorker = unpacked(await worker.read(Buffer.from(frame), authenticated));
        assert.deepEqual(inWorker, readAgentFrame(frame, authenticated));
        if (!inWorker.ok) assert.ok(Object.hasOwn(ERROR_CODES, inWorker.code));
      }),
      { numRuns: 2_000 },
    );
  });

  it("reads a device's full snapshot in the worker and a hello or a one-package delta in place, by default", async () => {
    const reader = new FrameReader();
    after(() => reader.stop());
    const laptop = machine({ software: Array.from({ length: 650 }, (_, i) => pkg(`package-${i}`, `1.${i}`)) });
    const snapshot = JSON.stringify({ type: 'items', items: [fullItem(1, laptop)] });
    const small = [
      JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: '1', deviceId: 'd1', secret: 's'.repeat(32), hints }),
      JSON.stringify({ type: 'items', items: [deltaItem(2, v1, v2)] }),
    ];
    for (const frame of small) assert.deepEqual(await reader.read(Buffer.from(frame), true), readAgentFrame(frame, true));
    assert.equal(reader.readInWorker, 0);
    const read = await reader.read(Buffer.from(snapshot), true);
    assert.equal(reader.readInWorker, 1, `a snapshot of ${snapshot.length} bytes is read off the event loop`);
    assert.deepEqual(unpacked(read), readAgentFrame(snapshot, true));
    assert.ok(read.ok && read.message?.type === 'items');
  });

  it("hands a snapshot's body back packed, for the store's job to unpack, and every other item as read", async () => {
    const frame = JSON.stringify({ type: 'items', items: [fullItem(1, v1), deltaItem(2, v1, v2)] });
    const read = await worker.read(Buffer.from(frame), true);
    assert.ok(read.ok && read.message?.type === 'items');
    const [full, delta] = read.message.items;
    assert.ok(full && isPacked(full), 'the event loop holds the snapshot as bytes, not objects');
    assert.ok(delta && !isPacked(delta));
    const inPlace = readAgentFrame(frame, true);
    assert.ok(inPlace.ok && inPlace.message?.type === 'items');
    assert.deepEqual(unpackItem(full), inPlace.message.items[0]);
    assert.deepEqual(delta, inPlace.message.items[1]);
    assert.ok(!inPlace.message.items.some(isPacked), 'a frame read in place is not packed');
  });

  it('reads small frames in place, and every frame once stopped; a frame in the worker when it stops fails', async () => {
    const reader = new FrameReader({ workerFrameBytes: 1024 });
    const big = JSON.stringify({ type: 'items', items: [flood(3)] });
    const inFlight = reader.read(Buffer.from(big), true);
    await reader.stop();
    await assert.rejects(inFlight, /frame (reader stopped|worker exited)/);
    assert.deepEqual(unpacked(await reader.read(Buffer.from(big), true)), readAgentFrame(big, true));
  });
});
