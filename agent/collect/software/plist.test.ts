import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { asDict, parsePlist, PlistError } from './plist.js';

const receipt = readFileSync(new URL('./fixtures/macos-var-db-receipts.MRTConfigData.plist.xml', import.meta.url), 'utf8');
const wrap = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n${body}\n</plist>\n`;

describe('parsePlist', () => {
  it('reads a recorded receipt file: strings, a date and an array', () => {
    const dict = asDict(parsePlist(receipt));
    assert.equal(dict?.PackageIdentifier, 'com.apple.pkg.MRTConfigData_10_15.16U4211');
    assert.equal(dict?.PackageVersion, '1.93.1.1657754914');
    assert.equal(dict?.InstallDate, '2023-07-13T02:16:17Z');
    assert.deepEqual(dict?.PackageGroups, ['com.apple.FindSystemFiles.pkg-group']);
  });

  it('decodes entities, numbers, booleans and empty elements', () => {
    const value = parsePlist(
      wrap(
        '<dict><key>a&amp;b</key><string>&lt;x&gt; &#233;&#x2019;</string><key>n</key><integer>-3</integer>' +
          '<key>r</key><real>6.5</real><key>t</key><true/><key>e</key><string/><key>d</key><dict/></dict>',
      ),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(value)), { 'a&b': '<x> \u00e9\u2019', n: -3, r: 6.5, t: true, e: '', d: {} });
  });

  it('keeps a "__proto__" key as plain data', () => {
    const dict = asDict(parsePlist(wrap('<dict><key>__proto__</key><string>x</string></dict>')));
    assert.equal(dict?.['__proto__'], 'x');
    assert.equal(Object.getPrototypeOf(dict), null);
  });

  it('rejects malformed and truncated documents with PlistError', () => {
    for (const bad of [
      wrap('<dict><key>a</key></dict>'), // key without value
      wrap('<dict><string>x</string></dict>'), // value without key
      wrap('<array><string>x</array>'), // unclosed leaf
      wrap('<dict><key>a</key><integer>1x</integer></dict>'),
      wrap('<array><widget/></array>'),
      receipt.slice(0, receipt.indexOf('</dict>')),
      '',
    ]) {
      assert.throws(() => parsePlist(bad), PlistError, bad);
    }
  });

  it('refuses absurd nesting instead of exhausting the stack', () => {
    assert.throws(() => parsePlist(wrap('<array>'.repeat(100) + '</array>'.repeat(100))), /deeply/);
  });
});
