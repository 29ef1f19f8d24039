#!/usr/bin/env node
// Bytes on the wire for one volume crossing a free-space step (issue 18): a real server and agent on
// loopback, a TCP proxy counting the agent's bytes, and a loop-mounted ext4 filesystem made here.
// Each round fills the volume by a bit more than 1 % of its size, asks for a scan through the API
// and counts what the agent sent until the server shows the new percent; a rescan with no change is
// counted too. Needs root (mount -o loop). Run after `npm run build`: node bench/volume-step.mjs [steps=5]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { byteCountingProxy, median, start, waitFor } from './lib/proc.mjs';

const steps = Number(process.argv[2] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-vol-'));
const mount = join(dir, 'vol');
const adminToken = randomBytes(18).toString('base64url');
execFileSync('dd', ['if=/dev/zero', `of=${join(dir, 'vol.img')}`, 'bs=1M', 'count=64', 'status=none']);
execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', join(dir, 'vol.img')]);
mkdirSync(mount);
execFileSync('mount', ['-o', 'loop', join(dir, 'vol.img'), mount]);
const server = start(['server', '--port', '0', '--data', join(dir, 'server')], { OUTPOST_ADMIN_TOKEN: adminToken });
const children = [server.proc];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  try {
    execFileSync('umount', ['-l', mount]);
  } catch {
    // Already unmounted (the bench failed before mounting): nothing to undo.
  }
  rmSync(dir, { recursive: true, force: true });
});

const url = (await waitFor(() => server.output().match(/listening on (http:\/\/\S+)/), 10_000, 'server'))[1];
const api = async (path, init = {}) =>
  (await fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}` } })).json();
const bin = new URL('../bin/outpost.js', import.meta.url).pathname;
const token = execFileSync(process.execPath, [bin, 'token', 'create', '--data', join(dir, 'server')])
  .toString()
  .trim();
const proxy = await byteCountingProxy(Number(new URL(url).port));
const agent = start(['agent', '--server', `http://127.0.0.1:${proxy.port}`, '--state', join(dir, 'agent'), '--token', token]);
children.push(agent.proc);

const device = await waitFor(async () => (await api('/api/devices')).items?.find((d) => d.softwareCount > 0), 120_000, 'first inventory');
const volume = async () => (await api(`/api/devices/${device.id}`)).volumes?.find((v) => v.mount === mount);
await waitFor(volume, 60_000, 'the volume');
await new Promise((r) => setTimeout(r, 2000));

const settle = () => new Promise((r) => setTimeout(r, 1500));
const scanBytes = async (expectPercent) => {
  const before = proxy.counts.up;
  await api(`/api/devices/${device.id}/scan`, { method: 'POST' });
  if (expectPercent === undefined) await new Promise((r) => setTimeout(r, 20_000));
  else await waitFor(async () => (await volume())?.freePercent === expectPercent, 60_000, `${expectPercent} % free`);
  await settle();
  return proxy.counts.up - before;
};

const quiet = await scanBytes(undefined);
const stepBytes = [];
for (let i = 0; i < steps; i++) {
  const fs = statfsSync(mount);
  const target = Math.floor((fs.bavail / fs.blocks) * 100) - 1;
  writeFileSync(join(mount, `fill-${i}`), Buffer.alloc(Math.ceil(fs.blocks * fs.bsize * 0.012)));
  execFileSync('sync');
  const now = statfsSync(mount);
  const percent = Number((BigInt(now.bavail) * 100n) / BigInt(now.blocks));
  if (percent > target) continue;
  stepBytes.push(await scanBytes(percent));
}

console.log('\nOne volume crossing a 1 % free-space step (real server and agent on loopback; bytes counted by a TCP proxy)\n');
console.log(`${'rescan with nothing changed, agent -> server'.padEnd(60)} ${String(quiet).padStart(8)} B`);
console.log(
  `${`one volume one step down, agent -> server (median of ${stepBytes.length})`.padEnd(60)} ${String(median(stepBytes)).padStart(8)} B`,
);
proxy.close();
process.exit(0);
