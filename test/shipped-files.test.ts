// What the endpoint installer packs holds no test code: the files tsc emits into dist/, filtered by
// electron-builder.yml's `files` globs, plus the tray's bundled sources, are checked for test files,
// fakes and harnesses, and for imports of test/ or of test-only packages. Works from the sources, so
// it needs no build; the `files` globs are applied in order as electron-builder does (a later `!`
// pattern removes what an earlier one added).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, matchesGlob, relative } from 'node:path';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import ts from 'typescript';

const root = new URL('../', import.meta.url).pathname;

/** Source files (relative to the root) whose compiled output lands in dist/. */
function compiledSources(): string[] {
  const read = ts.readConfigFile(join(root, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root);
  return parsed.fileNames.map((f) => relative(root, f)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
}

function shippedBy(globs: readonly string[], path: string): boolean {
  let shipped = false;
  for (const glob of globs) {
    if (glob.startsWith('!')) {
      if (matchesGlob(path, glob.slice(1))) shipped = false;
    } else if (matchesGlob(path, glob)) shipped = true;
  }
  return shipped;
}

function walk(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const globs = (load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as { files: string[] }).files;
const distOf = (source: string) => `dist/${source.replace(/\.ts$/, '.js')}`;
const shippedCompiled = compiledSources().filter((s) => shippedBy(globs, distOf(s)));
// The tray's main process and preload are bundled by tray-ui/build.mjs into dist/tray, which ships whole.
const trayBundled = [...walk('tray-ui/main'), ...walk('tray-ui/preload')].filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
const shipped = [...shippedCompiled, ...trayBundled];

const TEST_NAME =
  /(^|\/)(test|test-support|fakes?)\/|\.test\.ts$|(^|[/-])(fake|harness|contract-server|contract-routes|contract-state)[.-]/;
const TEST_PACKAGES = ['node:test', 'node:assert', 'node:assert/strict', 'fast-check', 'playwright-core', 'tsx', 'ajv', 'js-yaml'];
const SPECIFIER = /(?:from\s*|import\s*\(\s*)['"]([^'"]+)['"]/g;

describe('files shipped to endpoints', () => {
  it('include the agent, the CLI and the tray (the check looks at the real list)', () => {
    for (const f of ['dist/agent/agent.js', 'dist/cli/main.js']) assert.ok(shippedBy(globs, f), `${f} is not shipped`);
    assert.ok(shippedCompiled.includes('agent/agent.ts'));
    assert.ok(trayBundled.includes('tray-ui/main/main.ts'));
    assert.ok(!shippedBy(globs, 'dist/agent/agent.test.js'), 'a compiled test file would ship');
  });

  it('contain no test files, fakes or harnesses', () => {
    assert.deepEqual(
      shipped.filter((f) => TEST_NAME.test(f)),
      [],
    );
    // A helper that says so in its opening comment ("Test helper: ...") belongs under test/ too.
    const selfDeclared = shipped.filter((f) =>
      /test helper|for tests only/i.test(readFileSync(join(root, f), 'utf8').split('\n').slice(0, 3).join(' ')),
    );
    assert.deepEqual(selfDeclared, []);
  });

  it('import nothing from test/ and no test-only package', () => {
    const offenders: string[] = [];
    for (const file of shipped) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const [, spec] of text.matchAll(SPECIFIER)) {
        if (spec === undefined) continue;
        const target = spec.startsWith('.') ? relative(root, join(root, file, '..', spec)) : spec;
        if (target.startsWith('test/') || TEST_PACKAGES.includes(target)) offenders.push(`${file} -> ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
