// Property-based fuzzing of the local API's line framing and request reading: whatever bytes a
// local account sends, nothing throws, every line becomes one answer, and every refusal carries a
// stable code from shared/errors.ts. Tens of thousands of inputs, a few seconds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ERROR_CODES } from '../../shared/errors.js';
import { LocalApi } from '../../shared/local-api.js';
import type { Caller } from './callers.js';
import { lineReader } from './lines.js';
import { readCall, readEnvelope } from './requests.js';

const TOKEN = 'alice-token-0123456789';
const authenticate = (auth: string | undefined): Caller | undefined => (auth === TOKEN ? { account: 'alice', admin: false } : undefined);
const METHODS = Object.keys(LocalApi);

/** Reads a line as the server does; returns the refusal code, or null when it reaches a handler. */
function outcome(line: string): string | null {
  const envelope = readEnvelope(line, authenticate);
  if (!envelope.ok) return envelope.response.ok ? 'ok?' : envelope.response.error.code;
  const call = readCall(envelope.id, envelope.method, envelope.params);
  return call.ok ? null : call.response.ok ? 'ok?' : call.response.error.code;
}

const json = fc.jsonValue({ maxDepth: 4 });
/** Requests shaped like real ones, with every part liable to be wrong. */
const request = fc.record(
  {
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 70 }), json),
    method: fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 70 }), json),
    params: fc.oneof(
      json,
      fc.dictionary(
        fc.constantFrom(
          'subject',
          'description',
          'ref',
          'text',
          'ticketId',
          'technician',
          'start',
          'end',
          'attachments',
          'priority',
          '__proto__',
        ),
        json,
      ),
    ),
    auth: fc.oneof(fc.constant(TOKEN), fc.string({ maxLength: 300 }), json),
  },
  { requiredKeys: [] },
);

describe('local API requests, fuzzed', () => {
  it('refuses any text with a stable code and never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          json.map((v) => JSON.stringify(v)),
        ),
        (line) => {
          const code = outcome(line);
          if (code !== null) assert.ok(code in ERROR_CODES, code);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('judges request-shaped lines: only a valid token reaches the method, every refusal has a stable code', () => {
    fc.assert(
      fc.property(request, (r) => {
        const code = outcome(JSON.stringify(r));
        if (code !== null) assert.ok(code in ERROR_CODES, code);
        if (r.auth !== TOKEN && code !== 'E_BAD_REQUEST')
          assert.ok(code === 'E_NOT_LOGGED_ON' || code === 'E_BAD_JSON', `no token but ${code}`);
      }),
      { numRuns: 20_000 },
    );
  });

  it('splits any byte stream into the same lines however it is chunked, and stops at the limit', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2_000 }),
        fc.array(fc.nat(2_000), { maxLength: 8 }),
        fc.integer({ min: 1, max: 600 }),
        (bytes, cuts, max) => {
          const read = (chunks: Buffer[]) => {
            const lines: string[] = [];
            let overflow = 0;
            const reader = lineReader(
              max,
              (l) => lines.push(l),
              () => overflow++,
            );
            for (const c of chunks) reader.push(c);
            return { lines, overflow };
          };
          const buf = Buffer.from(bytes);
          const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...points].map((p, i, all) => buf.subarray(p, all[i + 1] ?? buf.length));
          const whole = read([buf]);
          assert.deepEqual(read(chunks), whole);
          assert.ok(whole.overflow <= 1);
          for (const l of whole.lines) assert.ok(Buffer.byteLength(l) <= max * 3, 'no line longer than the limit (decoded)');
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
