#!/usr/bin/env node
// The web console's bundle as a browser downloads it: every JS and CSS file `npm run build` puts in
// dist/console/assets, raw and gzipped (level 9, as a server or proxy would send it).
// Run after `npm run build`: node bench/bundle.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = new URL('../dist/console/assets/', import.meta.url).pathname;
let files;
try {
  files = readdirSync(dir).filter((f) => /\.(js|css)$/.test(f));
} catch {
  console.error('dist/console/assets is missing: run `npm run build` first');
  process.exit(1);
}
const totals = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 } };
for (const f of files.sort()) {
  const body = readFileSync(join(dir, f));
  const gz = gzipSync(body, { level: 9 }).length;
  const kind = f.endsWith('.js') ? 'js' : 'css';
  totals[kind].raw += body.length;
  totals[kind].gzip += gz;
  console.log(`${f.padEnd(40)} ${(body.length / 1024).toFixed(1).padStart(7)} KB raw ${(gz / 1024).toFixed(1).padStart(6)} KB gzipped`);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(
  `\nconsole bundle: JS ${kb(totals.js.raw)} (${kb(totals.js.gzip)} gzipped) + CSS ${kb(totals.css.raw)} (${kb(totals.css.gzip)} gzipped)`,
);
