// Runs a command under GNU time and reports what the whole process tree cost: wall time, CPU
// (user + system, children included) and peak resident memory, plus what it printed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const GNU_TIME = '/usr/bin/time';
const FORMAT = 'OUTPOST_BENCH %e %U %S %M';

/** One run: { wallS, cpuS, rssMB, stdout } ; throws when the command fails. */
export function timedRun(file, args, { env, maxBuffer = 256 * 1024 * 1024 } = {}) {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is needed (apt-get install time)`);
  const r = spawnSync(GNU_TIME, ['-f', FORMAT, file, ...args], { env: { ...process.env, ...env }, maxBuffer });
  const stderr = r.stderr.toString();
  const line = stderr.split('\n').find((l) => l.startsWith('OUTPOST_BENCH '));
  if (r.status !== 0 || !line) throw new Error(`${file} ${args.join(' ')} failed (${r.status}): ${stderr.slice(-500)}`);
  const [wallS, user, sys, rssKB] = line.split(' ').slice(1).map(Number);
  return { wallS, cpuS: user + sys, rssMB: rssKB / 1024, stdout: r.stdout };
}

/** `runs` measured runs after `warmups` unmeasured ones; each figure is the median of its runs. */
export function medianRuns(run, { runs = 5, warmups = 1 } = {}) {
  for (let i = 0; i < warmups; i++) run();
  const results = Array.from({ length: runs }, () => run());
  const med = (key) => median(results.map((r) => r[key]));
  return { wallS: med('wallS'), cpuS: med('cpuS'), rssMB: med('rssMB'), last: results.at(-1), runs };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
