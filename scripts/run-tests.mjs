#!/usr/bin/env node
// Runs every *.test.ts under the project with node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [--unit] [path-substring ...]  (filters test files by substring)
//   --unit  leaves out what needs root, the RT server, Chromium or installed packages (npm run test:unit)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

// The end-to-end files start real components; the others named here start a real agent whose
// per-user token files are chowned to test accounts (root only) or run commands as another user.
const REAL_COMPONENTS = [/support\/agent-harness/, /setpriv/, /playwright-core/, /support\/(rt|deb|console|outpost|tray\/browser)\.js/];
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
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
