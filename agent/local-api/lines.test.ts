import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineReader } from './lines.js';

function read(chunks: Buffer[], maxBytes = 1024): { lines: string[]; overflows: number } {
  const lines: string[] = [];
  let overflows = 0;
  const reader = lineReader(
    maxBytes,
    (l) => lines.push(l),
    () => overflows++,
  );
  for (const c of chunks) reader.push(c);
  return { lines, overflows };
}

describe('local API line framing', () => {
  it('splits lines wherever the chunks break, including inside a multi-byte character', () => {
    const text = Buffer.from('{"a":"naïve ☕"}\n{"b":2}\n\n{"c":"😀"}\n');
    for (let size = 1; size <= text.length; size++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.subarray(i, i + size));
      assert.deepEqual(read(chunks).lines, ['{"a":"naïve ☕"}', '{"b":2}', '{"c":"😀"}'], `chunks of ${size}`);
    }
  });

  it('keeps a partial line until its newline arrives', () => {
    const lines: string[] = [];
    const reader = lineReader(
      1024,
      (l) => lines.push(l),
      () => assert.fail('no overflow'),
    );
    reader.push(Buffer.from('{"a":'));
    assert.deepEqual(lines, []);
    reader.push(Buffer.from('1}\n{"b"'));
    assert.deepEqual(lines, ['{"a":1}']);
  });

  it('counts the limit in bytes, per line, and stops reading after an overflow', () => {
    assert.deepEqual(read([Buffer.from(`${'x'.repeat(10)}\n${'y'.repeat(10)}\n`)], 10), {
      lines: ['x'.repeat(10), 'y'.repeat(10)],
      overflows: 0,
    });
    // 6 characters, 12 bytes.
    assert.deepEqual(read([Buffer.from('éééééé\n')], 10), { lines: [], overflows: 1 });
    assert.deepEqual(read([Buffer.from('x'.repeat(11)), Buffer.from('\n{"after":1}\n')], 10), { lines: [], overflows: 1 });
  });

  it('reads a 48 MB line in 64 KB chunks in linear time', () => {
    const size = 48 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const lines: string[] = [];
    const reader = lineReader(
      size + 1,
      (l) => lines.push(l),
      () => assert.fail('no overflow'),
    );
    const started = performance.now();
    for (let n = 0; n < size / chunk.length; n++) reader.push(chunk);
    reader.push(Buffer.from('\n'));
    const ms = performance.now() - started;
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.length, size);
    // Joining once takes well under a second; re-scanning a growing buffer per chunk takes minutes.
    assert.ok(ms < 3_000, `took ${Math.round(ms)} ms`);
  });
});
