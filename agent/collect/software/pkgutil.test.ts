import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FakeHost } from '../../../test/fakes/host.js';
import { isThirdPartyPackage, parsePkgIds, parseReceipt, pkgutilCollector, RECEIPTS_DIR } from './pkgutil.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const PKGS = fixture('macos-pkgutil-pkgs.txt');
const RECEIPT = fixture('macos-var-db-receipts.MRTConfigData.plist.xml');
const RECEIPT_ID = 'com.apple.pkg.MRTConfigData_10_15.16U4211';

/** The recorded receipt with its identifier and version swapped, to stand for a third-party package. */
const receiptFor = (id: string, version: string) => RECEIPT.replace(RECEIPT_ID, id).replace('1.93.1.1657754914', version);

describe('parsePkgIds on recorded `pkgutil --pkgs`', () => {
  it('reads every id and skips the trailing blank line', () => {
    const ids = parsePkgIds(PKGS);
    assert.equal(ids.length, 132);
    assert.equal(ids.at(-1), 'com.microsoft.package.Microsoft_PowerPoint.appv');
    assert.ok(ids.every((id) => id.trim() === id && id !== ''));
  });

  it('keeps the 65 third-party receipts and drops Apple system and App Store receipts', () => {
    const kept = parsePkgIds(PKGS).filter(isThirdPartyPackage);
    assert.equal(kept.length, 65);
    assert.ok(kept.includes('com.tinyspeck.slackmacgap') && kept.includes('org.golang.go'));
    assert.ok(!kept.some((id) => id.startsWith('com.apple.')));
  });

  it('refuses ids that could leave the receipts folder', () => {
    assert.deepEqual(parsePkgIds('../../etc/passwd\n/abs\nok.id\n.hidden\na..b\n'), ['ok.id']);
  });
});

describe('parseReceipt', () => {
  it('takes PackageVersion and the day of InstallDate from a recorded receipt', () => {
    assert.deepEqual(parseReceipt(RECEIPT), { version: '1.93.1.1657754914', installDate: '2023-07-13' });
  });
});

describe('pkgutilCollector end to end', () => {
  const host = () =>
    new FakeHost('darwin')
      .command('/usr/sbin/pkgutil --pkgs', PKGS)
      .file(`${RECEIPTS_DIR}/${RECEIPT_ID}.plist`, RECEIPT)
      .file(`${RECEIPTS_DIR}/org.golang.go.plist`, receiptFor('org.golang.go', '1.22.5'))
      .file(`${RECEIPTS_DIR}/com.tinyspeck.slackmacgap.plist`, 'bplist00\u00d4\u0001\u0002')
      .command(
        `/usr/bin/plutil -convert xml1 -o - ${RECEIPTS_DIR}/com.tinyspeck.slackmacgap.plist`,
        receiptFor('com.tinyspeck.slackmacgap', '4.41.105'),
      )
      .file(`${RECEIPTS_DIR}/org.virtualbox.pkg.virtualbox.plist`, RECEIPT.slice(0, 200));

  it('reads XML receipts directly and converts binary ones with plutil', async () => {
    const h = host();
    const items = await pkgutilCollector.collect(h);
    assert.equal(items.length, 65);
    assert.deepEqual(
      items.find((s) => s.name === 'org.golang.go'),
      {
        name: 'org.golang.go',
        version: '1.22.5',
        installDate: '2023-07-13',
        source: 'pkgutil',
        scope: 'machine',
      },
    );
    assert.equal(items.find((s) => s.name === 'com.tinyspeck.slackmacgap')?.version, '4.41.105');
    assert.equal(h.calls.filter((c) => c.file === '/usr/bin/plutil').length, 1, 'one plutil, for the binary receipt only');
    assert.ok(!items.some((s) => s.name === RECEIPT_ID));
  });

  it('keeps a package whose receipt is missing or malformed, without a version', async () => {
    const items = await pkgutilCollector.collect(host());
    assert.deepEqual(
      items.find((s) => s.name === 'org.virtualbox.pkg.virtualbox'),
      {
        name: 'org.virtualbox.pkg.virtualbox',
        source: 'pkgutil',
        scope: 'machine',
      },
    );
    assert.ok(items.some((s) => s.name === 'com.microsoft.teams2' && s.version === undefined));
  });

  it('returns nothing without pkgutil and throws when it fails silently', async () => {
    assert.deepEqual(await pkgutilCollector.collect(new FakeHost('darwin')), []);
    const failing = new FakeHost('darwin').command('/usr/sbin/pkgutil --pkgs', { stdout: '', stderr: 'boom', code: 1 });
    await assert.rejects(pkgutilCollector.collect(failing), /exited 1/);
  });
});
