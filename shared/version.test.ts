import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { OUTPOST_VERSION } from './version.js';

it('reports the version the package is published under', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(OUTPOST_VERSION, pkg.version);
});
