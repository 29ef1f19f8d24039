// Helpers for benchmarks: real Outpost processes, a byte-counting TCP proxy, /proc sampling.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BIN = new URL('../../bin/outpost.js', import.meta.url).pathname;

export function start(args, env = {}, nodeFlags = []) {
  const proc = spawn(process.execPath, [...nodeFlags, BIN, ...args], {
    env: { ...process.env, OUTPOST_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  return { proc, output: () => out };
}

export async function waitFor(probe, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP proxy that counts the bytes each way: what really crosses the wire, framing and deflate
 * included. The same proxy the fault tests use (test/support/tcp-proxy.ts), built by `npm run build`. */
export async function byteCountingProxy(targetPort) {
  const { startTcpProxy } = await import('../../dist/test/support/tcp-proxy.js');
  const proxy = await startTcpProxy(targetPort);
  return { port: proxy.port, counts: proxy.counts, close: () => void proxy.close() };
}

/** Resident set size and CPU ticks of a process, from /proc. */
export function procStat(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // Anonymous pages are the process's own (heaps, stacks); file pages are mostly the node binary's
  // code, which the kernel shares between processes and may drop and re-read under memory pressure.
  const anonKb = Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  return { rssMB: rssKb / 1024, anonMB: anonKb / 1024, cpuSeconds: ticks / 100 };
}

export function buildDeb(dir, name, version) {
  const root = join(dir, `${name}-root`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  writeFileSync(
    join(root, 'DEBIAN', 'control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: Outpost Bench <bench@outpost.invalid>\nDescription: benchmark package\n`,
  );
  const deb = join(dir, `${name}.deb`);
  execFileSync('dpkg-deb', ['--build', '--root-owner-group', root, deb], { stdio: 'ignore' });
  return deb;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
