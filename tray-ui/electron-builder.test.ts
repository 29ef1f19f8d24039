// electron-builder.yml against electron-builder's own JSON schema (the one it validates with at
// build time, shipped in app-builder-lib), plus what the schema cannot say: the targets we
// promise, the agent inside, files that exist, and no secrets in the file.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { load } from 'js-yaml';

const root = new URL('../', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const text = readFileSync(`${root}electron-builder.yml`, 'utf8');

interface TargetEntry {
  target: string;
}
interface Config {
  appId: string;
  productName: string;
  files: string[];
  extraMetadata: { main: string };
  icon: string;
  win: { target: TargetEntry[]; extraResources: { from: string; to: string }[] };
  nsis: { include: string; perMachine: boolean };
  mac: { target: TargetEntry[]; notarize: boolean; hardenedRuntime: boolean };
  pkg: { scripts: string };
  linux: { target: string[]; extraResources: { from: string; to: string }[] };
  deb: { afterInstall: string; afterRemove: string; depends: string[] };
  rpm: { afterInstall: string; afterRemove: string };
}

function config(): Config {
  return load(text) as Config;
}

function errorsOf(value: unknown): string {
  validate(value);
  return JSON.stringify(validate.errors, null, 1);
}

describe('electron-builder.yml', () => {
  it("is valid by electron-builder's schema", () => {
    assert.equal(validate(config()), true, errorsOf(config()));
  });

  it('the schema check can fail: unknown keys, misspelt options and wrong types are rejected', () => {
    const cases: [string, (c: Record<string, unknown> & Config) => void][] = [
      ['an unknown top-level key', (c) => (c.productNmae = 'Outpost')],
      ['a misspelt mac option', (c) => ((c.mac as unknown as Record<string, unknown>).notarise = true)],
      ['a target macOS does not have', (c) => ((c.mac as unknown as Record<string, unknown>).target = ['dmg', 'exe'])],
      ['a wrong type', (c) => ((c as Record<string, unknown>).asar = 'yes')],
    ];
    for (const [what, spoil] of cases) {
      const c = config() as Record<string, unknown> & Config;
      spoil(c);
      assert.equal(validate(c), false, what);
    }
  });

  it('names the app and builds nsis, dmg, pkg, deb, rpm and AppImage', () => {
    const c = config();
    assert.equal(c.appId, 'org.outpost.tray');
    assert.equal(c.productName, 'Outpost');
    assert.deepEqual(
      c.win.target.map((t) => t.target),
      ['nsis'],
    );
    assert.deepEqual(c.mac.target.map((t) => t.target).sort(), ['dmg', 'pkg']);
    assert.deepEqual([...c.linux.target].sort(), ['AppImage', 'deb', 'rpm']);
  });

  it('takes signing and notarisation from the environment, never from the file', () => {
    const c = config() as unknown as Record<string, Record<string, unknown>>;
    for (const section of [c, c.win, c.mac, c.linux]) {
      for (const key of ['cscLink', 'cscKeyPassword', 'identity', 'certificatePassword', 'certificateFile']) {
        assert.equal(section?.[key], undefined, key);
      }
    }
    assert.equal(config().mac.notarize, true, 'notarisation on, credentials from APPLE_ID & co');
    assert.equal(config().mac.hardenedRuntime, true);
    assert.doesNotMatch(text, /^\s*(?!#)[^#\n]*(password|secret|apple_?id|team_?id)\s*:/im, 'no credential-looking key');
  });

  it('ships the tray and the agent, with the service set-up for every platform', () => {
    const c = config();
    assert.equal(c.extraMetadata.main, 'dist/tray/main.mjs');
    for (const part of ['bin/**', 'dist/agent/**', 'dist/cli/**', 'dist/shared/**', 'dist/tray/**'])
      assert.ok(c.files.includes(part), `${part} inside the app`);
    assert.equal(
      c.files.filter((f) => !f.startsWith('!')).some((f) => /^dist\/(\*\*|server|console|test)/.test(f)),
      false,
      'no server, console or test code on endpoints',
    );
    for (const left of ['!dist/**/*.test.js', '!dist/**/test-support/**', '!dist/cli/commands/{server,token,admin,start,package}.js'])
      assert.ok(c.files.includes(left), left);
    assert.ok(readFileSync(`${root}tray-ui/build.mjs`, 'utf8').includes("join(out, 'main.mjs')"), 'the build writes the main named above');
    assert.equal(c.nsis.perMachine, true, 'the agent is a machine-wide service');
    const referenced = [
      c.icon,
      c.nsis.include,
      c.pkg.scripts,
      `${c.pkg.scripts}/postinstall`,
      c.deb.afterInstall,
      c.deb.afterRemove,
      c.rpm.afterInstall,
      ...c.win.extraResources.map((r) => r.from),
      ...c.linux.extraResources.map((r) => r.from),
    ];
    for (const path of referenced) assert.ok(existsSync(`${root}${path}`), `${path} exists`);
    assert.match(readFileSync(`${root}${c.nsis.include}`, 'utf8'), /"\$\{OUTPOST_WINSW\}" install/);
    assert.match(readFileSync(`${root}${c.deb.afterInstall}`, 'utf8'), /\/etc\/xdg\/autostart\/outpost-tray\.desktop/);
    assert.ok(c.deb.depends.includes('outpost-agent'), "a desktop's agent service comes from the outpost-agent package");
    assert.match(readFileSync(`${root}${c.pkg.scripts}/postinstall`, 'utf8'), /launchctl bootstrap system/);
  });
});
