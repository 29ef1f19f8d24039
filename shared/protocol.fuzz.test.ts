// Property tests of the protocol decoder with random and malformed frames: parseFrame never throws,
// and every refusal carries a stable code from errors.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ERROR_CODES } from './errors.js';
import { AgentMessages, PROTOCOL_VERSION, ServerMessages, parseFrame } from './protocol.js';

const hints = { installId: 'fuzz-install-0001', hostname: 'pc', macs: [] };
const validFrames = [
  { type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: '1', deviceId: 'd1', secret: 's'.repeat(32), hints },
  { type: 'enrol', protocol: PROTOCOL_VERSION, agentVersion: '1', token: 't'.repeat(32), hints },
  {
    type: 'items',
    items: [
      {
        seq: 1,
        at: '2025-01-02T03:04:05.000Z',
        kind: 'inventory.delta',
        body: {
          trigger: 'software-change',
          baseDigest: 'a'.repeat(64),
          digest: 'b'.repeat(64),
          delta: { software: { added: [{ name: 'x', source: 'dpkg', scope: 'machine' }], removed: ['k'] } },
        },
      },
    ],
  },
];

/** A valid frame with one value somewhere inside replaced by a random JSON value. */
const mutated = fc.tuple(fc.constantFrom(...validFrames), fc.jsonValue(), fc.nat()).map(([frame, value, at]) => {
  const copy = JSON.parse(JSON.stringify(frame)) as unknown;
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        slots.push({ parent: v, key: i });
        walk(x);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        slots.push({ parent: v as Record<string, unknown>, key: k });
        walk(x);
      }
    }
  };
  walk(copy);
  const slot = slots[at % slots.length]!;
  (slot.parent as Record<string | number, unknown>)[slot.key] = value;
  return JSON.stringify(copy);
});

const garbage = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record({
      type: fc.oneof(fc.constantFrom('hello', 'enrol', 'items', '__proto__', 'constructor', 'toString'), fc.string()),
      rest: fc.jsonValue(),
    })
    .map((r) => JSON.stringify({ ...(r.rest as object), type: r.type })),
  mutated,
  mutated.map((s) => s.slice(0, Math.floor(s.length / 2))),
);

function check(map: typeof AgentMessages | typeof ServerMessages, raw: string): void {
  const result = parseFrame(map, raw);
  if (!result.ok) {
    assert.ok(Object.hasOwn(ERROR_CODES, result.code), `unknown code ${result.code}`);
    assert.equal(typeof result.message, 'string');
  }
}

describe('protocol decoder properties', () => {
  it('never throws on random or malformed agent frames, and refuses each with a known code', () => {
    fc.assert(
      fc.property(garbage, (raw) => check(AgentMessages, raw)),
      { numRuns: 25_000 },
    );
  });

  it('never throws on random server frames either (the agent decodes with the same code)', () => {
    fc.assert(
      fc.property(garbage, (raw) => check(ServerMessages, raw)),
      { numRuns: 10_000 },
    );
  });

  it('still accepts the valid frames the mutations start from', () => {
    for (const frame of validFrames) assert.equal(parseFrame(AgentMessages, JSON.stringify(frame)).ok, true, frame.type);
  });
});
