import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SoftwareSchema, type Software } from '../../../shared/inventory.js';
import { FakeHost } from '../../../test/fakes/host.js';
import { appToSoftware, macosAppsCollector, parseAppsJson, parseAppsXml, signerName } from './macos-apps.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const JSON_TEXT = fixture('macos-system_profiler-SPApplicationsDataType.trimmed.json');
const XML_TEXT = fixture('macos-system_profiler-SPApplicationsDataType.trimmed.xml');
const JSON_CMD = '/usr/sbin/system_profiler -json -detailLevel mini SPApplicationsDataType';
const XML_CMD = '/usr/sbin/system_profiler -xml -detailLevel mini SPApplicationsDataType';

const fromJson = () => parseAppsJson(JSON_TEXT).flatMap((a) => appToSoftware(a) ?? []);
const fromXml = () => parseAppsXml(XML_TEXT).flatMap((a) => appToSoftware(a) ?? []);
const named = (items: Software[], name: string) => items.filter((s) => s.name === name);

describe('system_profiler JSON (macOS 26, German)', () => {
  it('reads version, developer, architecture and date of a Developer ID app', () => {
    assert.deepEqual(named(fromJson(), 'iTerm'), [
      {
        name: 'iTerm',
        version: '3.6.6',
        publisher: 'GEORGE NACHMAN',
        arch: 'universal',
        source: 'macos-app',
        scope: 'machine',
        installDate: '2025-11-18',
      },
    ]);
    assert.equal(named(fromJson(), 'Citrix Workspace')[0]?.publisher, 'Citrix Systems, Inc.');
  });

  it('turns the NFD names of the capture into NFC', () => {
    assert.ok(JSON_TEXT.includes('Bu\u0308cher'), 'the fixture itself is NFD');
    const books = named(fromJson(), 'B\u00fccher');
    assert.equal(books.length, 1);
    assert.equal(books[0]?.publisher, 'Apple Inc.');
  });

  it('gives apps under /Users/<name>/ to that user and the rest to the machine', () => {
    const epa = named(fromJson(), 'CitrixEndpointAnalysis')[0];
    assert.equal(epa?.scope, 'user');
    assert.equal(epa?.user, 'ibering');
    assert.equal(named(fromJson(), 'FortiClient')[0]?.scope, 'machine');
    assert.ok(fromJson().every((s) => (s.scope === 'user') === (s.user !== undefined)));
  });

  it('leaves out folders that are not applications', () => {
    const names = fromJson().map((s) => s.name);
    assert.ok(!names.includes('jquery')); // node_modules/.../jquery.placeholder, not a .app
    assert.ok(!names.includes('https+++ngxtension.netlify')); // a Firefox storage folder named *.app
    assert.ok(!names.includes('Electron')); // .../node_modules/electron/dist/Electron.app
    assert.ok(names.includes('Recursive File Processing Droplet')); // an AppleScript droplet is an app
  });

  it('names no publisher for App Store apps (Apple re-signs them) and never emits empty strings', () => {
    assert.equal(named(fromJson(), 'GarageBand')[0]?.publisher, undefined);
    const youtube = named(fromJson(), 'YouTube')[0]; // a Chrome web-app shim whose version is ""
    assert.ok(youtube && !('version' in youtube));
    for (const s of fromJson()) SoftwareSchema.parse(s);
  });
});

describe('system_profiler XML plist (French, older systems)', () => {
  it('reads the _items of the single section dict', () => {
    const office = named(fromXml(), 'Microsoft OneNote')[0];
    assert.equal(office?.version, '16.84');
    assert.equal(office?.publisher, 'Microsoft Corporation');
    assert.equal(office?.installDate, '2024-04-17');
    assert.equal(named(fromXml(), 'Adobe Help')[0]?.arch, 'x86'); // arch_i32
  });

  it('normalises NFD accents and the NO-BREAK SPACE of "Rosetta 2"', () => {
    const names = fromXml().map((s) => s.name);
    assert.ok(names.includes('\u00c9checs'));
    assert.ok(names.includes('Capture d\u2019\u00e9cran'));
    assert.ok(names.includes('Programme de mise \u00e0 jour Rosetta 2'));
    assert.ok(names.every((n) => n === n.normalize('NFC') && !n.includes('\u00a0')));
  });

  it('skips non-app bundles of unknown origin but keeps unsigned real apps', () => {
    const names = fromXml().map((s) => s.name);
    assert.ok(!names.includes('com.apple.ctcategories')); // ~/Library/HTTPStorages/....service
    assert.ok(!names.includes('com.microsoft.openxml')); // Application Scripts folder named *.app
    assert.ok(names.includes('ApE') && names.includes('XQuartz'));
    assert.equal(named(fromXml(), 'Untitled')[0]?.user, 'admin');
  });
});

describe('signerName', () => {
  it('keeps the developer of a certificate name with or without a team id', () => {
    assert.equal(signerName('Developer ID Application: Simone Lehmann'), 'Simone Lehmann');
    assert.equal(signerName('Developer ID Application: Adobe Inc. (JQ525L2MZD)'), 'Adobe Inc.');
    assert.equal(signerName('Apple Mac OS Application Signing'), undefined);
    assert.equal(signerName(undefined), undefined);
  });
});

describe('macosAppsCollector end to end', () => {
  it('collects from JSON with one item per app key, keeping the newer of two side-by-side copies', async () => {
    const host = new FakeHost('darwin').command(JSON_CMD, JSON_TEXT);
    const items = await macosAppsCollector.collect(host);
    const idle = named(items, 'IDLE 3'); // Homebrew python@3.11 and python@3.12 both ship one
    assert.deepEqual(
      idle.map((s) => s.version),
      ['3.12.5'],
    );
    assert.equal(items.length, fromJson().length - 1);
    assert.equal(host.calls[0]?.options?.timeoutMs !== undefined && host.calls[0].options.timeoutMs >= 120_000, true);
  });

  it('falls back to XML when -json is rejected', async () => {
    const host = new FakeHost('darwin')
      .command(JSON_CMD, { stdout: '', stderr: 'Usage: system_profiler [-listDataTypes]\n', code: 1 })
      .command(XML_CMD, XML_TEXT);
    const items = await macosAppsCollector.collect(host);
    assert.ok(named(items, 'OneDrive').length === 1);
    assert.deepEqual(
      host.calls.map((c) => c.args[0]),
      ['-json', '-xml'],
    );
  });

  it('returns nothing when system_profiler is absent and throws when it prints no list', async () => {
    assert.deepEqual(await macosAppsCollector.collect(new FakeHost('darwin')), []);
    const broken = new FakeHost('darwin').command('/usr/sbin/system_profiler', { stdout: '', stderr: 'killed', code: 9 });
    await assert.rejects(macosAppsCollector.collect(broken), /no application list/);
  });

  it('throws on a truncated XML plist instead of reporting a partial list', async () => {
    const host = new FakeHost('darwin').command(JSON_CMD, { stdout: '', stderr: '', code: 1 }).command(XML_CMD, XML_TEXT.slice(0, 5000));
    await assert.rejects(macosAppsCollector.collect(host), /truncated|holds/);
  });
});
