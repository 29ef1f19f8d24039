import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { printable, printableBlock } from './printable.js';

describe('printable text from the server', () => {
  it('escapes terminal escape sequences, carriage returns, bells and bidi overrides', () => {
    assert.equal(printable('Printer\x1b]0;pwned\x07 \x1b[2J'), 'Printer\\x1b]0;pwned\\x07 \\x1b[2J');
    assert.equal(printable('a\r\nb\tc'), 'a\\x0d\\x0ab\\x09c');
    assert.equal(printable('8-bit CSI \u009b31m'), '8-bit CSI \\x9b31m');
    assert.equal(printable('file\u202Egnp.exe'), 'file\\u202egnp.exe');
    assert.equal(printableBlock('line 1\nline\t2\rhidden\x1b[A'), 'line 1\nline\t2\\x0dhidden\\x1b[A');
    assert.equal(printable('Résumé ☕ 😀'), 'Résumé ☕ 😀', 'ordinary text is untouched');
  });

  it('never lets a control character through, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        // eslint-disable-next-line no-control-regex -- looking for control characters
        assert.doesNotMatch(printable(s), /[\u0000-\u001f\u007f-\u009f]/);
        // eslint-disable-next-line no-control-regex -- looking for control characters
        assert.doesNotMatch(printableBlock(s), /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      }),
      { numRuns: 20_000 },
    );
  });
});
