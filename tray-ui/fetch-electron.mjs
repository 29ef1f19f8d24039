#!/usr/bin/env node
// Fetches Electron's binary for `npm run tray` and `npm run dist:tray`. `npm ci` does not run
// electron's own download script (package.json `allowScripts` denies it, and electron is an
// optional dependency), so that the server, the agent and the tests install on machines that reach
// only the package registry. On a machine that can download it, this fetches the binary once.
// Usage: node tray-ui/fetch-electron.mjs
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let installScript;
try {
  installScript = join(dirname(require.resolve('electron/package.json')), 'install.js');
} catch {
  console.error('outpost: the electron package is not installed; run `npm install electron` first');
  process.exit(1);
}
if (!existsSync(installScript)) {
  console.error(`outpost: ${installScript} is missing; reinstall the electron package`);
  process.exit(1);
}
// electron's install.js returns at once when the binary is already there.
const result = spawnSync(process.execPath, [installScript], { stdio: 'inherit' });
if (result.status !== 0) {
  console.error('outpost: could not fetch the Electron binary (the tray needs it; the server and agent do not)');
}
process.exit(result.status ?? 1);
