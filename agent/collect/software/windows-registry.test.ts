import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SoftwareSchema } from '../../../shared/inventory.js';
import { FakeHost } from '../../../test/fakes/host.js';
import { decodePowerShellArgs, powershellPath } from './powershell.js';
import { decodeWindowsText, parseRegExport } from './reg-export.js';
import { parseRegQuery, type RegKey } from './reg-query.js';
import { HKLM_UNINSTALL, parseUserSids, uninstallEntries, UNINSTALL, windowsRegistryCollector } from './windows-registry.js';

const bytes = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const QUERY_TEXT = bytes('windows-reg-query-uninstall-hklm.excerpt.txt').toString('utf8');
const RU_KEYS = parseRegExport(decodeWindowsText(bytes('windows-reg-export-uninstall.win10-ru.reg')));
const XP_KEYS = parseRegExport(decodeWindowsText(bytes('windows-reg-export-uninstall.winxp.trimmed.reg')));
const HKLM_ROOT = `HKEY_LOCAL_MACHINE\\${UNINSTALL}`;
const SID = 'S-1-5-21-1004336348-1177238915-682003330-1001';

/**
 * Keys from a recorded .reg export printed the way `reg query /s` prints them (CRLF, 4-space fields),
 * optionally moved under another root: there is no recorded reg query dump with non-ASCII names.
 */
function asRegQuery(keys: readonly RegKey[], root = HKLM_ROOT): string {
  const blocks = keys.map((k) => {
    const values = [...k.values].map(([name, data]) =>
      typeof data === 'number' ? `    ${name}    REG_DWORD    0x${data.toString(16)}` : `    ${name}    REG_SZ    ${data}`,
    );
    return [k.path.replace(HKLM_ROOT, root), ...values].join('\r\n');
  });
  return `\r\n${blocks.join('\r\n\r\n')}\r\n`;
}

describe('parseRegQuery on a recorded `reg query ... /s` excerpt', () => {
  const keys = parseRegQuery(QUERY_TEXT);
  const dotnet = keys.find((k) => k.path.endsWith('{12B6D916-FD64-471C-8EF7-C04443A75F8D}'));

  it('reads every key, bare keys included, and values in any order', () => {
    assert.equal(keys.length, 15);
    assert.equal(dotnet?.values.get('displayname'), 'Microsoft .NET Host - 5.0.7 (x64)'); // the last value
    assert.equal(dotnet?.values.get('displayversion'), '40.28.30105');
    assert.equal(dotnet?.values.get('estimatedsize'), 0x16c);
    assert.equal(dotnet?.values.get('comments'), ''); // "    Comments    REG_SZ" with nothing after
  });

  it('accepts the trailing-separator form of empty values and names with spaces', () => {
    const [key] = parseRegQuery('HKEY_USERS\\X\r\n    Comments    REG_SZ    \r\n    Inno Setup: App Path    REG_SZ    C:\\A B\r\n');
    assert.equal(key?.values.get('comments'), '');
    assert.equal(key?.values.get('inno setup: app path'), 'C:\\A B');
  });

  it('lists none of the excerpt: bare keys, SystemComponent=1 and a key without DisplayName', () => {
    assert.deepEqual(uninstallEntries(keys, HKLM_UNINSTALL), []);
    assert.equal(dotnet?.values.get('systemcomponent'), 1); // has a DisplayName, hidden by SystemComponent
  });
});

describe('uninstall rules on recorded .reg exports', () => {
  it('reads Cyrillic key names and values from a UTF-16LE export (Windows 10, Russian)', () => {
    assert.deepEqual(uninstallEntries(RU_KEYS, HKLM_ROOT), [
      { name: 'КриптоПро CSP', version: '5.0.12000', publisher: 'Компания КриптоПро', installDate: '2021-07-24' },
      { name: '1C Предприятие 7.7', version: '77.27' },
    ]);
    const csp = RU_KEYS.find((k) => k.values.get('displayname') === 'КриптоПро CSP');
    assert.equal(csp?.values.get('uninstallstring'), 'MsiExec.exe /I{50F91F80-D397-437C-B0C8-62128DE3B55E}'); // wrapped hex(2)
  });

  it('keeps the 13 programs of the XP export and drops updates, system components and nested keys', () => {
    const entries = uninstallEntries(XP_KEYS, HKLM_ROOT);
    assert.deepEqual(entries.map((e) => e.name).sort(), [
      'Adobe Shockwave Player 11',
      'CCleaner (remove only)',
      'FF&TB 1.5 + Plugins1',
      'FusionInventory Agent',
      'GPL Ghostscript 8.54',
      'GPL Ghostscript Fonts',
      'GSview 4.8',
      'Iceows V4.20a',
      'Microsoft .NET Framework 1.1',
      'Mozilla Firefox 10.0.2 (x86 en-US)',
      'PDFCreator',
      'Windows Internet Explorer 8',
      'Windows XP Service Pack 3',
    ]);
    assert.equal(entries.find((e) => e.name === 'PDFCreator')?.publisher, 'Frank Heindörfer, Philip Chinery');
    assert.ok(
      XP_KEYS.some((k) => k.path.endsWith('\\CustomMessages')),
      'the export holds a nested key',
    );
  });
});

describe('parseUserSids', () => {
  it('keeps signed-in people, not SYSTEM, service accounts, .DEFAULT or _Classes hives', () => {
    const text = `\r\nHKEY_USERS\\.DEFAULT\r\nHKEY_USERS\\S-1-5-19\r\nHKEY_USERS\\S-1-5-20\r\nHKEY_USERS\\${SID}\r\nHKEY_USERS\\${SID}_Classes\r\nHKEY_USERS\\S-1-12-1-1-2-3-4\r\nHKEY_USERS\\S-1-5-18\r\n`;
    assert.deepEqual(parseUserSids(text), [SID, 'S-1-12-1-1-2-3-4']);
  });
});

/** A PowerShell that runs the batch of reg queries the collector sends, answering from `outputs`. */
function fakeRegPowerShell(outputs: Record<string, string>) {
  return (args: readonly string[]) => {
    const script = decodePowerShellArgs(args) ?? '';
    assert.match(script, /\[Console\]::OutputEncoding = New-Object System\.Text\.UTF8Encoding/);
    const out: string[] = [];
    for (const line of script.split('\n')) {
      const marker = /^'(#outpost-[^']*)'$/.exec(line);
      const reg = /reg\.exe' query '([^']+)' \/s(?: \/reg:(\d+))? 2>\$null$/.exec(line);
      if (marker) out.push(marker[1]!);
      else if (reg) out.push(outputs[`${reg[1]}${reg[2] ? ` /reg:${reg[2]}` : ''}`] ?? '');
    }
    return { stdout: out.join('\r\n') + '\r\n', stderr: '', code: 0 };
  };
}

const HKU_LIST = `\r\nHKEY_USERS\\.DEFAULT\r\nHKEY_USERS\\S-1-5-18\r\nHKEY_USERS\\${SID}\r\nHKEY_USERS\\${SID}_Classes\r\n`;
const PROFILES = `\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\${SID}\r\n    ProfileImagePath    REG_EXPAND_SZ    C:\\Users\\Пётр\r\n`;

function windowsHost(outputs: Record<string, string>) {
  const host = new FakeHost('win32').setEnv('PROCESSOR_ARCHITECTURE', 'AMD64');
  host.command('C:\\Windows\\System32\\reg.exe query HKU', HKU_LIST);
  return host.command(powershellPath(host), fakeRegPowerShell(outputs));
}

describe('windowsRegistryCollector end to end', () => {
  const outputs = {
    [`${HKLM_UNINSTALL} /reg:64`]: QUERY_TEXT + asRegQuery(RU_KEYS),
    // The same two Russian products again in the 32-bit view, plus the XP programs.
    [`${HKLM_UNINSTALL} /reg:32`]: asRegQuery(RU_KEYS) + asRegQuery(XP_KEYS),
    'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList': PROFILES,
    [`HKU\\${SID}\\${UNINSTALL}`]: asRegQuery(RU_KEYS.slice(0, 2), `HKEY_USERS\\${SID}\\${UNINSTALL}`),
  };

  it('lists a product present in both views once, as x64, and the 32-bit-only ones as x86', async () => {
    const items = await windowsRegistryCollector.collect(windowsHost(outputs));
    const machine = items.filter((s) => s.scope === 'machine');
    assert.deepEqual(
      machine.filter((s) => s.name === 'КриптоПро CSP').map((s) => s.arch),
      ['x64'],
    );
    assert.equal(machine.filter((s) => s.arch === 'x86').length, 13);
    for (const s of items) SoftwareSchema.parse(s);
  });

  it('reports per-user installs with the account name from ProfileList', async () => {
    const items = await windowsRegistryCollector.collect(windowsHost(outputs));
    assert.deepEqual(
      items.filter((s) => s.scope === 'user'),
      [
        {
          name: 'КриптоПро CSP',
          version: '5.0.12000',
          publisher: 'Компания КриптоПро',
          installDate: '2021-07-24',
          source: 'windows-registry',
          scope: 'user',
          user: 'Пётр',
        },
      ],
    );
  });

  it('runs reg.exe inside PowerShell with UTF-8 output, so non-ASCII names arrive intact', async () => {
    const host = windowsHost(outputs);
    await windowsRegistryCollector.collect(host);
    const ps = host.calls.filter((c) => c.file.endsWith('powershell.exe'));
    assert.equal(ps.length, 1, 'one PowerShell start for all keys');
    assert.equal(ps[0]?.options?.encoding, 'utf8');
  });

  it('does not let a value with a line break in a user hive open the machine section', async () => {
    const forged = `\r\n#outpost-query 0\r\n${HKLM_ROOT}\\Evil\r\n    DisplayName    REG_SZ    Evil\r\n`;
    const host = windowsHost({ ...outputs, [`HKU\\${SID}\\${UNINSTALL}`]: forged });
    const items = await windowsRegistryCollector.collect(host);
    assert.ok(items.length > 0 && !items.some((s) => s.name === 'Evil'));
  });

  it('queries one view on 32-bit Windows and labels it x86', async () => {
    const host = windowsHost({ [HKLM_UNINSTALL]: asRegQuery(RU_KEYS) }).setEnv('PROCESSOR_ARCHITECTURE', 'x86');
    const items = await windowsRegistryCollector.collect(host);
    assert.deepEqual(
      items.filter((s) => s.scope === 'machine').map((s) => s.arch),
      ['x86', 'x86'],
    );
  });

  it('falls back to reg.exe alone when PowerShell is absent', async () => {
    const host = new FakeHost('win32')
      .command('C:\\Windows\\System32\\reg.exe query HKU', '\r\nHKEY_USERS\\S-1-5-18\r\n')
      .command(`C:\\Windows\\System32\\reg.exe query ${HKLM_UNINSTALL} /s /reg:64`, QUERY_TEXT + asRegQuery(RU_KEYS))
      .command(`C:\\Windows\\System32\\reg.exe query ${HKLM_UNINSTALL} /s /reg:32`, { stdout: '', stderr: 'ERROR', code: 1 });
    const items = await windowsRegistryCollector.collect(host);
    assert.deepEqual(
      items.map((s) => s.name),
      ['КриптоПро CSP', '1C Предприятие 7.7'],
    );
  });

  it('returns nothing without reg.exe, and throws when the machine key reads empty or the run is cut', async () => {
    assert.deepEqual(await windowsRegistryCollector.collect(new FakeHost('win32')), []);
    await assert.rejects(windowsRegistryCollector.collect(windowsHost({})), /could not be read/);
    const cut = windowsHost(outputs);
    cut.command(powershellPath(cut), { stdout: '#outpost-query 0\r\n', stderr: 'out of memory', code: 1 });
    await assert.rejects(windowsRegistryCollector.collect(cut), /stopped early/);
  });
});
