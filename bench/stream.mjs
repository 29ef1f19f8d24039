#!/usr/bin/env node
// Inventory stream figures with real processes on loopback: bytes on the wire for the first full
// snapshot and for one package install, dpkg finished -> visible in the API, and the agent at idle.
// Needs root (dpkg -i). Run after `npm run build`: node bench/stream.mjs [installs=10]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDeb, byteCountingProxy, median, procStat, start, waitFor } from './lib/proc.mjs';

const installs = Number(process.argv[2] ?? 10);
const DPKG_LOCK = '/tmp/outpost-tests-dpkg.lock';
const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-'));
const adminToken = randomBytes(18).toString('base64url');
const server = start(['server', '--port', '0', '--data', join(dir, 'server')], { OUTPOST_ADMIN_TOKEN: adminToken });
const children = [server.proc];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const url = (await waitFor(() => server.output().match(/listening on (http:\/\/\S+)/), 10_000, 'server'))[1];
const api = async (path) => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } })).json();
const token = execFileSync(process.execPath, [
  new URL('../bin/outpost.js', import.meta.url).pathname,
  'token',
  'create',
  '--data',
  join(dir, 'server'),
])
  .toString()
  .trim();
const proxy = await byteCountingProxy(Number(new URL(url).port));
const agent = start(['agent', '--server', `http://127.0.0.1:${proxy.port}`, '--state', join(dir, 'agent'), '--token', token]);
children.push(agent.proc);

const device = await waitFor(async () => (await api('/api/devices')).items?.find((d) => d.softwareCount > 0), 30_000, 'first inventory');
const packages = device.softwareCount;
await new Promise((r) => setTimeout(r, 1500)); // let the first exchange settle
const fullUp = proxy.counts.up;

const latencies = [];
const installBytes = [];
for (let i = 0; i < installs; i++) {
  // The tests' package prefix and dpkg lock: a test comparing the dpkg database leaves these out.
  const name = `outpost-e2e-bench-${randomBytes(3).toString('hex')}`;
  const deb = buildDeb(dir, name, '1.0');
  const before = proxy.counts.up;
  execFileSync('flock', [DPKG_LOCK, 'dpkg', '-i', deb], { stdio: 'ignore' });
  const t0 = performance.now();
  await waitFor(async () => (await api(`/api/devices/${device.id}/software?q=${name}`)).items?.some((s) => s.name === name), 10_000, name);
  latencies.push(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 300)); // let the ack and any trailing frame finish
  installBytes.push(proxy.counts.up - before);
  execFileSync('flock', [DPKG_LOCK, 'dpkg', '--purge', name], { stdio: 'ignore' });
  await waitFor(
    async () => !(await api(`/api/devices/${device.id}/software?q=${name}`)).items?.some((s) => s.name === name),
    10_000,
    `${name} removed`,
  );
}

await new Promise((r) => setTimeout(r, 3000));
const idle0 = procStat(agent.proc.pid);
const idleSeconds = 20;
await new Promise((r) => setTimeout(r, idleSeconds * 1000));
const idle1 = procStat(agent.proc.pid);

const rows = [
  ['software items in the snapshot (this machine)', packages, ''],
  ['full snapshot on the wire, agent -> server (deflate, framing incl.)', `${(fullUp / 1024).toFixed(1)} KB`, '<= 20 KB'],
  ['one package install, bytes on the wire (median)', `${median(installBytes)} B`, '<= 400 B'],
  [`dpkg finished -> visible in the API (median of ${installs})`, `${(median(latencies) / 1000).toFixed(2)} s`, '<= 2 s'],
  ['agent idle RSS', `${idle1.rssMB.toFixed(0)} MB`, '<= 60 MB'],
  [`agent idle CPU over ${idleSeconds} s`, `${(((idle1.cpuSeconds - idle0.cpuSeconds) / idleSeconds) * 100).toFixed(2)} %`, '~0'],
];
console.log('\nInventory stream (real server and agent on loopback; bytes counted by a TCP proxy)\n');
for (const [what, value, target] of rows) console.log(`${what.padEnd(70)} ${String(value).padStart(10)}   ${target}`);
proxy.close();
process.exit(0);
