#!/usr/bin/env node
// Copies the agent's non-TypeScript files that ship with it (the Windows PowerShell scripts) into
// dist/, beside the compiled modules that find them through import.meta.url.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dirs = ['agent/triggers/windows', 'agent/collect/windows'];
for (const dir of dirs) {
  mkdirSync(join(root, 'dist', dir), { recursive: true });
  for (const name of readdirSync(join(root, dir))) {
    if (name.endsWith('.ps1')) copyFileSync(join(root, dir, name), join(root, 'dist', dir, name));
  }
}
