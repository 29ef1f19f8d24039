#!/usr/bin/env node
// The agent at rest: a real server and a real agent on loopback; once the first inventory has
// arrived and the exchange has settled, samples the agent's RSS and CPU once a second.
// Run after `npm run build`: node bench/agent-idle.mjs [seconds=20] [node flags for the agent...]
//   e.g. node bench/agent-idle.mjs 20 --max-semi-space-size=1 --optimize-for-size
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, median, procStat, start, waitFor } from './lib/proc.mjs';

const seconds = Number(process.argv[2] ?? 20);
const nodeFlags = process.argv.slice(3);
const TARGET_MB = 60;
const dir = mkdtempSync(join(tmpdir(), 'outpost-idle-'));
const adminToken = randomBytes(18).toString('base64url');
const server = start(['server', '--port', '0', '--data', join(dir, 'server')], { OUTPOST_ADMIN_TOKEN: adminToken });
const children = [server.proc];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const url = (await waitFor(() => server.output().match(/listening on (http:\/\/\S+)/), 20_000, 'server'))[1];
const api = async (path) => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } })).json();
const token = execFileSync(process.execPath, [BIN, 'token', 'create', '--data', join(dir, 'server')])
  .toString()
  .trim();
const agent = start(['agent', '--server', url, '--state', join(dir, 'agent'), '--token', token], {}, nodeFlags);
children.push(agent.proc);

await waitFor(async () => (await api('/api/devices')).items?.some((d) => d.softwareCount > 0), 60_000, 'first inventory');
await new Promise((r) => setTimeout(r, 5000)); // the first exchange settles, the collectors' buffers are freed

const first = procStat(agent.proc.pid);
const rss = [];
const anon = [];
for (let i = 0; i < seconds; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  const stat = procStat(agent.proc.pid);
  rss.push(stat.rssMB);
  anon.push(stat.anonMB);
}
const last = procStat(agent.proc.pid);
const cpu = ((last.cpuSeconds - first.cpuSeconds) / seconds) * 100;
// For scale: an empty Node process of the same binary, which no code of ours can go below.
const bare =
  Number(execFileSync(process.execPath, [...nodeFlags, '-e', 'setTimeout(() => console.log(process.memoryUsage().rss), 500)']).toString()) /
  1048576;

console.log(
  `\nAgent at idle (real server and agent on loopback, ${seconds} s after the first inventory settled${nodeFlags.length ? `; node ${nodeFlags.join(' ')}` : ''})\n`,
);
console.log(
  `${'agent idle RSS, median'.padEnd(40)} ${median(rss).toFixed(1).padStart(8)} MB   <= ${TARGET_MB} MB ${median(rss) <= TARGET_MB ? 'met' : 'NOT met'}`,
);
console.log(
  `${'agent idle RSS, highest'.padEnd(40)} ${Math.max(...rss)
    .toFixed(1)
    .padStart(8)} MB`,
);
console.log(`${'  of which anonymous (heaps), median'.padEnd(40)} ${median(anon).toFixed(1).padStart(8)} MB`);
console.log(`${'agent idle CPU'.padEnd(40)} ${cpu.toFixed(2).padStart(8)} %    ~0`);
console.log(`${'an empty node process, for scale'.padEnd(40)} ${bare.toFixed(1).padStart(8)} MB`);
process.exit(0);
