#!/usr/bin/env node
// Runs every *.test.ts under the project with node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [--unit] [path-substring ...]  (filters test files by substring)
//   --unit  leaves out what needs root, the RT server, Chromium or installed packages (npm run test:unit)
// A test that did not run (a missing real component: RT, Chromium, dpkg...) is named at the end
// with its reason, so a green run never hides what it left out; with CI=true it fails the run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const skipDirs = new Set(['node_modules', 'dist', '.git', 'data', 'test-output']);

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) out.push(...findTests(join(dir, entry.name)));
    } else if (entry.name.endsWith('.test.ts')) out.push(join(dir, entry.name));
  }
  return out;
}

// The end-to-end files start real components (PostgreSQL: test/support/postgres.ts, stores.ts); the others named here start a real agent whose
// per-user token files are chowned to test accounts (root only) or run commands as another user.
const REAL_COMPONENTS = [
  /support\/agent-harness/,
  /setpriv/,
  /playwright-core/,
  /support\/(rt|deb|console|outpost|postgres|stores|tray\/browser)\.js/,
];
const isUnit = (file) => !file.endsWith('.e2e.test.ts') && !REAL_COMPONENTS.some((re) => re.test(readFileSync(join(root, file), 'utf8')));

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => a !== '--unit');
const files = findTests(root)
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .filter((f) => !unitOnly || isUnit(f))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const notRunFile = join(mkdtempSync(join(tmpdir(), 'outpost-tests-')), 'not-run.jsonl');
// One PostgreSQL cluster for the whole run (test/support/postgres.ts makes it on first use): stopped here.
const pgRun = `${process.pid}-${Date.now()}`;
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'skip-reporter.mjs')}`,
    `--test-reporter-destination=${notRunFile}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, OUTPOST_TEST_PG_RUN: pgRun, OUTPOST_TEST_PG_RUNNER_PID: String(process.pid) } },
);
stopPostgres(join(tmpdir(), `outpost-pg-run-${pgRun}`));
const notRun = readNotRun(notRunFile);
rmSync(join(notRunFile, '..'), { recursive: true, force: true });
const ci = process.env.CI === 'true';
if (notRun.length > 0) {
  const red = process.stdout.isTTY ? (t) => `\x1b[1;31m${t}\x1b[0m` : (t) => t;
  console.log(red(`\nNOT RUN: ${notRun.length} test(s) or suite(s) did not run, so this run does not cover them:`));
  for (const t of notRun) {
    console.log(
      `  - ${relative(root, t.file) || '?'} > ${t.name}${t.todo ? ' (todo)' : ''}${t.reason ? `\n      why / how to get it: ${t.reason}` : ''}`,
    );
  }
  if (ci) console.log(red('CI=true: every real component must be present, so tests that did not run fail the run.'));
}
process.exit(result.status !== 0 ? (result.status ?? 1) : ci && notRun.length > 0 ? 1 : 0);

function readNotRun(file) {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

function stopPostgres(dir) {
  if (!existsSync(dir)) return;
  const bin = process.env.OUTPOST_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
  const args = ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop'];
  // As the tests started it: the postgres user when running as root.
  if (process.getuid?.() === 0) spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
  else spawnSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
