#!/usr/bin/env node
// Builds the tray app into dist/tray/: main.mjs (Electron's main process), preload.cjs (one
// CommonJS file, as sandboxed preloads must be), renderer/ (the pages, their scripts and styles)
// and assets/ (tray icons). npm packages stay external to main.mjs: they ship beside it.
// Usage: node tray-ui/build.mjs
import { build } from 'esbuild';
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'tray-ui');
const out = join(root, 'dist', 'tray');
const pages = ['ticket', 'tickets', 'software', 'session', 'status'];

await rm(out, { recursive: true, force: true });
await Promise.all([
  build({
    entryPoints: [join(src, 'main', 'main.ts')],
    outfile: join(out, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  }),
  build({
    entryPoints: [join(src, 'preload', 'preload.ts')],
    outfile: join(out, 'preload.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome120',
    external: ['electron'],
    logLevel: 'warning',
  }),
  build({
    entryPoints: pages.map((p) => join(src, 'renderer', `${p}.ts`)),
    outdir: join(out, 'renderer'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  }),
]);

const rendererFiles = (await readdir(join(src, 'renderer'))).filter((f) => /\.(html|css|svg)$/.test(f));
await mkdir(join(out, 'renderer'), { recursive: true });
await Promise.all(rendererFiles.map((f) => cp(join(src, 'renderer', f), join(out, 'renderer', f))));
await cp(join(src, 'assets'), join(out, 'assets'), { recursive: true, filter: (f) => !f.endsWith('.mjs') });
console.log(`tray app built into ${out}`);
