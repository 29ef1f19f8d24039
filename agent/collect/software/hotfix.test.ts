import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SoftwareSchema } from '../../../shared/inventory.js';
import { FakeHost } from '../../../test/fakes/host.js';
import { HOTFIX_SCRIPT, hotfixCollector, parseWmicList, parseWmicTable, qfeToSoftware } from './hotfix.js';
import { decodePowerShellArgs, powershellPath } from './powershell.js';
import { decodeWindowsText } from './reg-export.js';

const bytes = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const WIN10 = decodeWindowsText(bytes('windows-wmic-qfe.win10-1809.txt'));
const WIN7 = decodeWindowsText(bytes('windows-wmic-qfe.win7sp1.trimmed.txt'));
const WIN2012_RU = decodeWindowsText(bytes('windows-wmic-qfe.win2012r2-ru.txt'));
const XP_LIST = decodeWindowsText(bytes('windows-wmic-qfe-format-list.winxp-fr.wmi'));
const WMIC_CMD = 'C:\\Windows\\System32\\wbem\\WMIC.exe qfe get Description,HotFixID,InstalledOn,ServicePackInEffect';

const toItems = (records: Record<string, string>[]) => records.flatMap((r) => qfeToSoftware(r) ?? []);

describe('parseWmicTable on recorded `wmic qfe` output', () => {
  it('slices columns by the header, whatever columns this Windows prints (Windows 10, no Caption)', () => {
    const rows = parseWmicTable(WIN10);
    assert.equal(rows.length, 9);
    assert.deepEqual(
      { ...rows[2] },
      {
        Description: 'Security Update',
        FixComments: '',
        HotFixID: 'KB4465477',
        InstallDate: '',
        InstalledBy: 'NT AUTHORITY\\SYSTEM',
        InstalledOn: '10/22/2018',
        Name: '',
        ServicePackInEffect: '',
        Status: '',
      },
    );
  });

  it('reads Windows 7 rows with Caption and CSName, including Hotfix rows', () => {
    const items = toItems(parseWmicTable(WIN7));
    assert.equal(items.length, 67);
    assert.deepEqual(
      items.find((s) => s.name === 'KB976902'),
      {
        name: 'KB976902',
        source: 'hotfix',
        scope: 'machine',
        installDate: '2010-11-21',
      },
    );
    assert.ok(parseWmicTable(WIN7).some((r) => r.Description === 'Hotfix'));
  });

  it('keeps columns aligned after a Cyrillic value and reads a last row without newline (2012 R2, Russian)', () => {
    const rows = parseWmicTable(WIN2012_RU);
    assert.equal(rows.length, 7);
    assert.equal(rows[0]?.InstalledBy, 'TEST_dc\\Администратор');
    assert.equal(rows[0]?.InstalledOn, '3/18/2014');
    assert.equal(rows[0]?.ServicePackInEffect, '');
    assert.deepEqual(
      toItems(rows).map((s) => s.installDate),
      ['2014-03-18', '2014-03-18', '2014-03-18', '2014-03-18', '2014-03-18', '2014-03-18', '2020-04-17'],
    );
  });

  it('keeps a double space inside an ASCII value (only non-ASCII rows are re-aligned)', () => {
    const [row] = parseWmicTable('Description     HotFixID  \r\nA  B            KB1       \r\n');
    assert.deepEqual({ ...row }, { Description: 'A  B', HotFixID: 'KB1' });
  });

  it('still reads the table when UTF-16 output is taken for UTF-8', () => {
    const misread = bytes('windows-wmic-qfe.win10-1809.txt').toString('utf8');
    assert.deepEqual(parseWmicTable(misread), parseWmicTable(WIN10));
  });
});

describe('parseWmicList on a recorded /format:list capture (Windows XP, French)', () => {
  it('finds the KB of "File 1" rows in ServicePackInEffect and keeps named fixes', () => {
    const records = parseWmicList(XP_LIST);
    assert.equal(records.length, 16);
    const items = toItems(records);
    assert.deepEqual(
      items.slice(0, 2).map((s) => s.name),
      ['KB2079403', 'KB2115168'],
    );
    assert.deepEqual(items.find((s) => s.name === 'KB980195')?.installDate, '2011-01-15');
    assert.deepEqual(
      items.find((s) => s.name === 'XpsEPSC'),
      { name: 'XpsEPSC', source: 'hotfix', scope: 'machine' },
    );
    assert.equal(items.length, 16);
  });
});

describe('qfeToSoftware', () => {
  it('drops ids that name nothing and dates it cannot read without guessing', () => {
    assert.equal(qfeToSoftware({ HotFixID: 'File 1', ServicePackInEffect: 'SP3' }), undefined);
    assert.equal(qfeToSoftware({ HotFixID: '' }), undefined);
    assert.equal(qfeToSoftware({ HotFixID: 'kb123', InstalledOn: '18.03.2014' })?.installDate, undefined);
    assert.equal(qfeToSoftware({ HotFixID: 'kb123' })?.name, 'KB123');
    assert.equal(qfeToSoftware({ HotFixID: 'KB1', InstalledOn: '01cc345d28528000' })?.installDate, '2011-06-27');
  });
});

describe('hotfixCollector end to end', () => {
  it('reads wmic qfe when wmic exists', async () => {
    const host = new FakeHost('win32').command(WMIC_CMD, WIN2012_RU);
    const items = await hotfixCollector.collect(host);
    assert.deepEqual(
      items.map((s) => s.name),
      ['KB2919355', 'KB2919442', 'KB2937220', 'KB2938772', 'KB2939471', 'KB2949621', 'KB2999226'],
    );
    for (const s of items) SoftwareSchema.parse(s);
  });

  it('asks Get-HotFix when wmic is absent (Windows 11) or hangs', async () => {
    for (const wmic of [undefined, { error: 'ETIMEDOUT' as const }]) {
      const host = new FakeHost('win32');
      if (wmic) host.command(WMIC_CMD, wmic);
      host.command(powershellPath(host), (args) => {
        assert.equal(decodePowerShellArgs(args)?.endsWith(HOTFIX_SCRIPT), true);
        return { stdout: XP_LIST, stderr: '', code: 0 };
      });
      assert.equal((await hotfixCollector.collect(host)).length, 16);
    }
  });

  it('returns nothing when neither tool exists and throws when Get-HotFix fails', async () => {
    assert.deepEqual(await hotfixCollector.collect(new FakeHost('win32')), []);
    const host = new FakeHost('win32');
    host.command(powershellPath(host), { stdout: '', stderr: 'RPC server unavailable', code: 4 });
    await assert.rejects(hotfixCollector.collect(host), /RPC server unavailable/);
  });
});
