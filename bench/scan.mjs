#!/usr/bin/env node
// `outpost scan --json` as a whole process: wall time, CPU (user + system, children included), peak
// RSS, output size, gzipped size and package count; beside it FusionInventory and OCS Inventory
// when their Debian packages are installed, with Outpost's figures as ratios of theirs. Like for
// like: each tool's raw output, gzipped the same way (Outpost's JSON as printed, their XML as
// written); what Outpost really sends on the wire is measured by bench/stream.mjs.
// Run after `npm run build`: node bench/scan.mjs [runs=5]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { medianRuns, timedRun } from './lib/timed-run.mjs';

const RUNS = Number(process.argv[2] ?? 5);
const BIN = new URL('../bin/outpost.js', import.meta.url).pathname;
const TARGET = { wallS: 0.8, cpuS: 0.6, rssMB: 60, gzipKB: 20 };

const kb = (bytes) => bytes / 1024;
const xmlCount = (xml, tag) => xml.split(`<${tag}>`).length - 1;

function outpost() {
  const m = medianRuns(() => timedRun(process.execPath, [BIN, 'scan', '--json']), { runs: RUNS });
  const out = m.last.stdout;
  const { snapshot } = JSON.parse(out.toString());
  return { name: 'Outpost scan --json', ...m, outKB: kb(out.length), gzipKB: kb(gzipSync(out).length), packages: snapshot.software.length };
}

function fusionInventory() {
  if (!onPath('fusioninventory-inventory')) return undefined;
  const m = medianRuns(() => timedRun('fusioninventory-inventory', []), { runs: RUNS });
  const xml = m.last.stdout;
  return {
    name: `FusionInventory ${version('fusioninventory-agent')}`,
    ...m,
    outKB: kb(xml.length),
    gzipKB: kb(gzipSync(xml).length),
    packages: xmlCount(xml.toString(), 'SOFTWARES'),
  };
}

function ocsInventory() {
  if (!onPath('ocsinventory-agent')) return undefined;
  let xml = Buffer.alloc(0);
  const m = medianRuns(
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-ocs-'));
      try {
        const r = timedRun('ocsinventory-agent', [`--local=${dir}`]);
        const file = readdirSync(dir).find((f) => f.endsWith('.ocs'));
        if (file) xml = readFileSync(join(dir, file));
        return r;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    { runs: RUNS },
  );
  return {
    name: `OCS Inventory ${version('ocsinventory-agent')}`,
    ...m,
    outKB: kb(xml.length),
    gzipKB: kb(gzipSync(xml).length),
    packages: xmlCount(xml.toString(), 'SOFTWARES'),
  };
}

function dpkgInstalled() {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}\n'])
      .toString()
      .split('\n')
      .filter((l) => /^.i/.test(l)).length;
  } catch {
    return 'no';
  }
}

function onPath(tool) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function version(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg]).toString().replace(/^\d+:/, '').split(/[-+]/)[0];
  } catch {
    return '';
  }
}

function table(rows) {
  const head = ['', 'wall s', 'CPU s', 'peak RSS MB', 'raw output KB', 'raw output gzipped KB', 'software items'];
  const cells = rows.map((r) => [
    r.name,
    r.wallS.toFixed(2),
    r.cpuS.toFixed(2),
    r.rssMB.toFixed(1),
    r.outKB.toFixed(0),
    r.gzipKB.toFixed(1),
    String(r.packages),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 ? '-' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|`,
    ...cells.map(line),
  ].join('\n');
}

const ours = outpost();
const others = [fusionInventory(), ocsInventory()].filter(Boolean);
console.log(`scan benchmark: median of ${RUNS} runs after 1 warm-up, ${process.platform} ${process.arch}, node ${process.versions.node}`);
console.log(
  `this machine: ${dpkgInstalled()} dpkg packages installed; load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
console.log(table([ours, ...others]));
console.log('\nOutpost as a fraction of the others (lower is better):');
for (const o of others) {
  const ratio = (k) => (ours[k] / o[k]).toFixed(2);
  console.log(`  vs ${o.name}: wall ${ratio('wallS')}, CPU ${ratio('cpuS')}, RSS ${ratio('rssMB')}, gzip ${ratio('gzipKB')}`);
}
if (others.length === 0) console.log('  (fusioninventory-agent and ocsinventory-agent are not installed)');
const check = (ok) => (ok ? 'ok' : 'OVER');
console.log(
  `\ntargets: wall <= ${TARGET.wallS} s ${check(ours.wallS <= TARGET.wallS)}, CPU <= ${TARGET.cpuS} s ${check(ours.cpuS <= TARGET.cpuS)}, ` +
    `RSS <= ${TARGET.rssMB} MB ${check(ours.rssMB <= TARGET.rssMB)}, snapshot gzipped <= ${TARGET.gzipKB} KB ${check(ours.gzipKB <= TARGET.gzipKB)}`,
);
