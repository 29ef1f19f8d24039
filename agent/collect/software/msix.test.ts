import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SoftwareSchema } from '../../../shared/inventory.js';
import { FakeHost } from '../../../test/fakes/host.js';
import { msixCollector, MSIX_SCRIPT, packageToSoftware, parseFormatList, publisherFromDn } from './msix.js';
import { decodePowerShellArgs, powershellPath } from './powershell.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const APPSDK = fixture('windows-get-appxpackage-text.windowsappsdk.txt');
const STORE = fixture('windows-get-appxpackage-text.windowsstore.txt');
/** Real consoles end lines with CRLF; the published copies are LF. */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

describe('parseFormatList on recorded Get-AppxPackage output', () => {
  it('splits records on blank lines and keeps empty values', () => {
    const records = parseFormatList(APPSDK);
    assert.equal(records.length, 6);
    assert.equal(records[0]?.ResourceId, '');
    assert.equal(records[0]?.IsFramework, 'True');
    assert.deepEqual(parseFormatList(crlf(APPSDK)), records);
  });

  it('joins values PowerShell wrapped onto indented lines', () => {
    const main = parseFormatList(APPSDK)[2];
    assert.equal(
      main?.InstallLocation,
      'C:\\Program Files\\WindowsApps\\MicrosoftCorporationII.WindowsAppRuntime.Main.1.0_0.318.928.0_x64__8wekyb3d8bbwe',
    );
    const deps = parseFormatList(STORE)[0]?.Dependencies ?? '';
    assert.ok(deps.startsWith('{Microsoft.NET.Native.Framework.2.2_') && deps.endsWith('...}'));
    assert.equal(parseFormatList(STORE)[0]?.SignatureKind, 'Store'); // the line after the wrapped value
  });
});

describe('packageToSoftware', () => {
  it('drops frameworks and keeps apps with name, version, arch and publisher CN', () => {
    const items = parseFormatList(APPSDK).flatMap((p) => packageToSoftware(p) ?? []);
    assert.deepEqual(
      items.map((s) => `${s.name} ${s.arch}`),
      [
        'MicrosoftCorporationII.WindowsAppRuntime.Main.1.0 x64',
        'Microsoft.WindowsAppRuntime.Singleton x64',
        'Microsoft.WinAppRuntime.DDLM.0.318.928.0-x6 x64',
        'Microsoft.WinAppRuntime.DDLM.0.318.928.0-x8 x86',
      ],
    );
    assert.deepEqual(packageToSoftware(parseFormatList(STORE)[0]!), {
      name: 'Microsoft.WindowsStore',
      version: '22405.1401.9.0',
      publisher: 'Microsoft Corporation',
      arch: 'x64',
      source: 'msix',
      scope: 'machine',
    });
  });

  it('drops resource packages and parts of Windows (SignatureKind System)', () => {
    const store = parseFormatList(STORE)[0]!;
    assert.equal(packageToSoftware({ ...store, IsResourcePackage: 'True' }), undefined);
    assert.equal(packageToSoftware({ ...store, SignatureKind: 'System' }), undefined);
  });
});

describe('publisherFromDn', () => {
  it('reads the CN, quoted or not, and ignores store-assigned GUID names', () => {
    assert.equal(publisherFromDn('CN=Microsoft Corporation, O=Microsoft Corporation, C=US'), 'Microsoft Corporation');
    assert.equal(publisherFromDn('CN="Foo, Inc.", O=Foo'), 'Foo, Inc.');
    assert.equal(publisherFromDn('O=Acme, CN=Acme Apps'), 'Acme Apps');
    assert.equal(publisherFromDn('CN=453637B3-4E12-4CDF-B0D3-2A3C863BF6EF'), undefined);
    assert.equal(publisherFromDn(''), undefined);
  });
});

describe('msixCollector end to end', () => {
  const host = (outcome: Parameters<FakeHost['command']>[1]) => {
    const h = new FakeHost('win32');
    return h.command(powershellPath(h), outcome);
  };

  it('runs Get-AppxPackage -AllUsers in list format and reports the apps once per machine', async () => {
    const h = host({ stdout: crlf(`\n${APPSDK}\n\n${STORE}\n\n`), stderr: '', code: 0 });
    const items = await msixCollector.collect(h);
    assert.equal(items.length, 5);
    for (const s of items) SoftwareSchema.parse(s);
    assert.ok(items.every((s) => s.scope === 'machine' && s.user === undefined));
    assert.equal(decodePowerShellArgs(h.calls[0]!.args)?.includes(MSIX_SCRIPT), true);
    assert.match(MSIX_SCRIPT, /Get-AppxPackage -AllUsers/);
  });

  it('returns nothing without PowerShell or the Appx module, and throws on a failed run', async () => {
    assert.deepEqual(await msixCollector.collect(new FakeHost('win32')), []);
    assert.deepEqual(await msixCollector.collect(host({ stdout: '', stderr: '', code: 3 })), []);
    await assert.rejects(msixCollector.collect(host({ stdout: '', stderr: 'Access is denied.', code: 4 })), /Access is denied/);
  });
});
