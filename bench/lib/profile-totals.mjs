#!/usr/bin/env node
// Sums the CPU profiles that `bench/fleet.mjs --cpu-prof DIR` leaves (one .cpuprofile a thread of the
// server: the main thread, the store worker, the frame worker): each thread's sampled CPU (idle left
// out, GC and native work in), per device when given the fleet's size, and the functions that took
// most of it. Usage: node bench/lib/profile-totals.mjs DIR [devices] [top=8]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, devicesArg, topArg] = process.argv.slice(2);
if (!dir) throw new Error('usage: profile-totals.mjs DIR [devices] [top]');
const devices = Number(devicesArg ?? 0);
const top = Number(topArg ?? 8);

/** What a thread is, from the functions it ran (a profile's file name tells only its thread id). */
function threadOf(nodes) {
  const urls = nodes.map((n) => n.callFrame.url).join(' ');
  if (urls.includes('frame-worker')) return 'frame worker';
  if (urls.includes('store-worker')) return 'store worker';
  return 'main';
}

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort()) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const name = node.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') return;
    const dt = profile.timeDeltas[i] ?? 0;
    busyUs += dt;
    const where = `${name} ${node.callFrame.url.split('/').slice(-1)[0] ?? ''}`.trim();
    self.set(where, (self.get(where) ?? 0) + dt);
  });
  const ms = busyUs / 1000;
  const per = devices ? `, ${(ms / devices).toFixed(2)} ms a device` : '';
  console.log(`${threadOf(profile.nodes).padEnd(12)} ${file}: ${ms.toFixed(0)} ms of CPU sampled${per}`);
  for (const [where, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`    ${(us / 1000).toFixed(0).padStart(7)} ms  ${where}`);
  }
}
