// The Windows and macOS installers' service set-up, checked as data (they cannot run here): the
// WinSW service definition, the NSIS include's install, upgrade and uninstall paths, and the
// macOS LaunchDaemon/LaunchAgent plists with the agent's wrapper.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { load } from 'js-yaml';
import plist from 'plist';
import { MAC_PREFERENCE_DOMAIN } from '../server/enrolment/files.js';

const root = new URL('../', import.meta.url).pathname;
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const builder = load(read('electron-builder.yml')) as {
  win: { extraResources: { from: string; to: string }[] };
  mac: { extraResources: { from: string; to: string }[] };
  pkg: { scripts: string };
};

/** The body of one `!macro NAME` ... `!macroend`, its lines trimmed, comments dropped. */
function macro(nsh: string, name: string): string[] {
  const m = new RegExp(`^!macro ${name}\\b[^\\n]*\\n([\\s\\S]*?)^!macroend`, 'm').exec(nsh);
  assert.ok(m, `macro ${name}`);
  return m[1]!
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith(';'));
}

/** The lines between `${IfNot} ${isUpdated}` and its `${EndIf}` (nesting counted). */
function notOnUpgrade(lines: string[]): string[] {
  const start = lines.indexOf('${IfNot} ${isUpdated}');
  assert.ok(start >= 0, 'an ${IfNot} ${isUpdated} block');
  let depth = 0;
  for (let i = start; i < lines.length; i++) {
    if (/^\$\{If(Not)?\}/.test(lines[i]!)) depth++;
    if (lines[i] === '${EndIf}' && --depth === 0) return lines.slice(start + 1, i);
  }
  throw new Error('unclosed ${IfNot} ${isUpdated}');
}

describe('Windows: the agent as a WinSW service', () => {
  const xml = new DOMParser().parseFromString(read('tray-ui/packaging/windows/outpost-agent.xml'), 'text/xml');
  const service = xml.documentElement;
  assert.ok(service);
  const text = (tag: string) => service.getElementsByTagName(tag)[0]?.textContent?.trim();

  it('ships the WinSW executable from the node-windows package, named after its definition', () => {
    const res = Object.fromEntries(builder.win.extraResources.map((r) => [r.to, r.from]));
    assert.equal(res['agent/outpost-agent.exe'], 'node_modules/node-windows/bin/winsw/winsw.exe');
    assert.equal(res['agent/outpost-agent.xml'], 'tray-ui/packaging/windows/outpost-agent.xml');
    for (const from of Object.values(res)) assert.ok(existsSync(`${root}${from}`), from);
  });

  it("runs the agent with the app's Node on the installer's settings, restarted on failure, as LocalSystem", () => {
    assert.equal(service.tagName, 'service');
    assert.equal(text('id'), 'OutpostAgent');
    assert.equal(text('executable'), '%BASE%\\..\\..\\Outpost.exe', 'resources\\agent -> the install folder');
    assert.equal(text('arguments'), '"%BASE%\\..\\app\\bin\\outpost.js" agent --config "%ProgramData%\\Outpost\\agent.json"');
    const envs = service.getElementsByTagName('env');
    const env: Record<string, string | null> = {};
    for (let i = 0; i < envs.length; i++) env[envs.item(i)!.getAttribute('name') ?? ''] = envs.item(i)!.getAttribute('value');
    assert.deepEqual(env, { ELECTRON_RUN_AS_NODE: '1', OUTPOST_STATE_DIR: '%ProgramData%\\Outpost' });
    assert.equal(text('startmode'), 'Automatic');
    assert.equal(text('delayedAutoStart'), 'true');
    const failures = Array.from(service.getElementsByTagName('onfailure')).map((e) => e.getAttribute('action'));
    assert.deepEqual(failures, ['restart', 'restart', 'restart'], 'restarted after every failure');
    assert.equal(text('resetfailure'), '1 hour');
    assert.equal(service.getElementsByTagName('serviceaccount').length, 0, 'no account: WinSW registers LocalSystem');
    assert.doesNotMatch(read('tray-ui/packaging/windows/outpost-agent.xml'), /--token\b/, 'no token on the service command line');
  });
});

describe('Windows: the NSIS include', () => {
  const nsh = read('tray-ui/packaging/windows/installer.nsh');
  const install = macro(nsh, 'customInstall');
  const uninstall = macro(nsh, 'customUnInstall');
  const at = (lines: string[], pattern: RegExp) => {
    const i = lines.findIndex((l) => pattern.test(l));
    assert.ok(i >= 0, String(pattern));
    return i;
  };

  it('takes /SERVER=, /TOKEN_FILE= and /CA_FILE= from a silent install into a root-only agent.json', () => {
    for (const opt of ['/SERVER=', '/TOKEN_FILE=', '/CA_FILE=']) at(install, new RegExp(`\\$\\{GetOptions\\} \\$R0 "${opt}"`));
    const copy = at(install, /CopyFiles \/SILENT "\$R2" "\$\{OUTPOST_DATA\}\\enrol-token"/);
    assert.ok(at(install, /outpostRestrict "\$\{OUTPOST_DATA\}\\enrol-token"/) > copy, 'the token file is locked down once copied');
    at(install, /outpostRestrict "\$\{OUTPOST_DATA\}\\agent\.json"/);
    at(install, /FileWrite \$R5 ', "tokenFile": "\$R4\/enrol-token"'/);
    assert.match(
      macro(nsh, 'outpostRestrict').join('\n'),
      /icacls\.exe "\$\{FILE\}" \/inheritance:r \/grant:r \*S-1-5-18:F \*S-1-5-32-544:F/,
    );
    assert.doesNotMatch(nsh, /--token /, 'the token never goes on a command line');
  });

  it('replaces the old scheduled task with a delayed-start LocalSystem service restarted on failure, and a tray at every logon', () => {
    const removeTask = at(install, /schtasks\.exe \/Delete \/F \/TN "Outpost Agent"/);
    const register = at(install, /"\$\{OUTPOST_WINSW\}" install/);
    const config = at(install, /sc\.exe config \$\{OUTPOST_SERVICE\} start= delayed-auto obj= LocalSystem/);
    at(install, /sc\.exe failure \$\{OUTPOST_SERVICE\} reset= 3600 actions= restart\/10000\/restart\/30000\/restart\/60000/);
    const start = at(install, /"\$\{OUTPOST_WINSW\}" start/);
    assert.ok(removeTask < register && register < config && config < start);
    at(install, /WriteRegStr HKLM "\$\{OUTPOST_RUN_KEY\}" "Outpost" '"\$INSTDIR\\Outpost\.exe"'/);
    assert.match(nsh, /!define OUTPOST_RUN_KEY "Software\\Microsoft\\Windows\\CurrentVersion\\Run"/);
    assert.match(nsh, /!define OUTPOST_SERVICE "OutpostAgent"/);
    assert.doesNotMatch(nsh, /schtasks(\.exe)? \/Create/);
  });

  it('on an upgrade: stops the service before files are replaced, keeps the settings without /SERVER=, re-registers', () => {
    assert.deepEqual(
      macro(nsh, 'customCheckAppRunning').filter((l) => l.startsWith('nsExec')),
      ["nsExec::Exec 'sc.exe stop ${OUTPOST_SERVICE}'", "nsExec::Exec 'taskkill.exe /F /IM Outpost.exe'"],
    );
    // agent.json is only written inside the /SERVER= branch: an upgrade without it keeps the file.
    const ifServer = at(install, /^\$\{IfNot\} \$\{Errors\}$/);
    const write = at(install, /FileOpen \$R5 "\$\{OUTPOST_DATA\}\\agent\.json" w/);
    const elseBranch = at(install, /^\$\{ElseIfNot\} \$\{FileExists\} "\$\{OUTPOST_DATA\}\\agent\.json"$/);
    assert.ok(ifServer < write && write < elseBranch);
    // The old uninstaller runs first on an upgrade: it removes the service but nothing of the data.
    const kept = notOnUpgrade(uninstall);
    for (const removal of uninstall.filter((l) => /^(Delete|RMDir|DeleteRegValue)/.test(l)))
      assert.ok(kept.includes(removal), `${removal} only when not upgrading`);
    assert.ok(at(uninstall, /"\$\{OUTPOST_WINSW\}" stop/) < at(uninstall, /"\$\{OUTPOST_WINSW\}" uninstall/));
  });

  it('on uninstall: removes the service, the logon entry and the token, and the state only with --delete-app-data', () => {
    const kept = notOnUpgrade(uninstall);
    assert.ok(kept.includes('DeleteRegValue HKLM "${OUTPOST_RUN_KEY}" "Outpost"'));
    assert.ok(kept.includes('Delete "${OUTPOST_DATA}\\enrol-token"'));
    const flag = kept.indexOf('${GetOptions} $R0 "--delete-app-data" $R1');
    const purge = kept.indexOf('RMDir /r "${OUTPOST_DATA}"');
    assert.ok(flag >= 0 && purge > flag && kept[purge - 1] === '${IfNot} ${Errors}');
  });
});

describe('macOS: LaunchDaemon for the agent, LaunchAgent for the tray', () => {
  const scripts = builder.pkg.scripts;
  const daemon = plist.parse(read(`${scripts}/org.outpost.agent.plist`)) as Record<string, unknown>;
  const tray = plist.parse(read(`${scripts}/org.outpost.tray.plist`)) as Record<string, unknown>;
  const postinstall = read(`${scripts}/postinstall`);
  const wrapper = read('tray-ui/packaging/mac/outpost-agent');

  it('keeps the agent running from boot through its wrapper inside the app', () => {
    assert.equal(daemon.Label, 'org.outpost.agent');
    assert.equal(daemon.RunAtLoad, true);
    assert.equal(daemon.KeepAlive, true);
    assert.deepEqual(daemon.ProgramArguments, ['/Applications/Outpost.app/Contents/Resources/agent/outpost-agent']);
    assert.ok(builder.mac.extraResources.some((r) => r.from === 'tray-ui/packaging/mac/outpost-agent' && r.to === 'agent/outpost-agent'));
  });

  it('starts the tray at every desktop log-on, and lets a user quit it', () => {
    assert.equal(tray.Label, 'org.outpost.tray');
    assert.equal(tray.RunAtLoad, true);
    assert.equal(tray.KeepAlive, false);
    assert.equal(tray.LimitLoadToSessionType, 'Aqua');
    assert.deepEqual(tray.ProgramArguments, ['/Applications/Outpost.app/Contents/MacOS/Outpost']);
  });

  it('postinstall installs both plists where launchd reads them and loads the daemon', () => {
    assert.match(postinstall, /install -m 0644 -o root -g wheel "\$here\/org\.outpost\.agent\.plist" "\$DAEMON"/);
    assert.match(postinstall, /DAEMON=\/Library\/LaunchDaemons\/org\.outpost\.agent\.plist/);
    assert.match(postinstall, /AGENT=\/Library\/LaunchAgents\/org\.outpost\.tray\.plist/);
    assert.ok(
      postinstall.indexOf('launchctl bootout system/org.outpost.agent') < postinstall.indexOf('launchctl bootstrap system "$DAEMON"'),
      'an upgrade reloads the daemon',
    );
    for (const script of [`${scripts}/postinstall`, 'tray-ui/packaging/mac/outpost-agent', 'tray-ui/packaging/mac/uninstall.sh'])
      execFileSync('sh', ['-n', `${root}${script}`]);
  });

  it("reads the MDM profile's managed preferences first, else agent.json, as `outpost package` writes them", () => {
    assert.ok(
      wrapper.includes(`MANAGED="/Library/Managed Preferences/${MAC_PREFERENCE_DOMAIN}.plist"`),
      'the profile domain and the wrapper agree',
    );
    assert.match(wrapper, /CONFIG="\$DIR\/agent\.json"/);
    assert.match(wrapper, /plutil -convert json -o "\$DIR\/managed\.json" "\$MANAGED"/);
    assert.match(
      wrapper,
      /exec "\$APP\/Contents\/MacOS\/Outpost" "\$APP\/Contents\/Resources\/app\/bin\/outpost\.js" agent --config "\$CONFIG"/,
    );
  });
});
