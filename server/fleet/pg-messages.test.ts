import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeLiveEvents, MAX_PAYLOAD_BYTES, parseFleetMessage, type FleetLiveEvent } from './pg-messages.js';

const event = (i: number, pad = ''): FleetLiveEvent => ({
  name: 'presence',
  data: { deviceId: `d${i}${pad}`, online: true, at: '2026-01-01T00:00:00.000Z' },
});

describe('fleet live events on the channel', () => {
  it('packs events into payloads under the NOTIFY limit, in order, and reads them back', () => {
    const events = Array.from({ length: 400 }, (_, i) => event(i));
    const { payloads, dropped } = encodeLiveEvents('p1', events);
    assert.equal(dropped, 0);
    assert.ok(payloads.length > 1 && payloads.length < 20, `${payloads.length} payloads`);
    const back: FleetLiveEvent[] = [];
    for (const p of payloads) {
      assert.ok(Buffer.byteLength(p) <= MAX_PAYLOAD_BYTES);
      const m = parseFleetMessage(p);
      assert.equal(m?.k, 'lives');
      if (m?.k === 'lives') back.push(...m.events);
      assert.equal(m?.from, 'p1');
    }
    assert.deepEqual(back, events);
  });

  it('leaves out an event too large for any payload and keeps the others', () => {
    const { payloads, dropped } = encodeLiveEvents('p1', [event(1), event(2, 'x'.repeat(MAX_PAYLOAD_BYTES)), event(3)]);
    assert.equal(dropped, 1);
    assert.equal(payloads.length, 1);
    const m = parseFleetMessage(payloads[0]!);
    assert.deepEqual(m?.k === 'lives' && m.events.map((e) => e.data.deviceId), ['d1', 'd3']);
  });

  it("still reads a single event (an older process's payload) and refuses malformed lists", () => {
    const single = parseFleetMessage(JSON.stringify({ k: 'live', from: 'old', name: 'ticket', data: { ticketId: 1 } }));
    assert.equal(single?.k, 'live');
    assert.equal(parseFleetMessage(JSON.stringify({ k: 'lives', from: 'p', events: [] })), null);
    assert.equal(parseFleetMessage(JSON.stringify({ k: 'lives', from: 'p', events: [{ name: 'nope', data: {} }] })), null);
  });
});
