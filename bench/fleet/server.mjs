// The server under test for bench/fleet.mjs: a real `outpost server` process (optionally under
// --cpu-prof), with a file-descriptor limit raised for its share of the fleet, read through /proc.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const BIN = new URL('../../bin/outpost.js', import.meta.url).pathname;
const LOOP_STATS = new URL('./loop-stats.mjs', import.meta.url).pathname;

/** A shell command that raises the open-file limit first when `fds` is above the current one. */
export function withFdLimit(fds, argv) {
  const quoted = argv.map((a) => `'${String(a).replace(/'/g, `'\\''`)}'`).join(' ');
  return ['sh', ['-c', `ulimit -n ${fds} 2>/dev/null || ulimit -n $(ulimit -Hn); exec ${quoted}`]];
}

export async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

export class ServerProcess {
  constructor({ port, dataDir, adminToken, fds, store, cpuProfDir }) {
    Object.assign(this, { port, dataDir, adminToken, fds, store, cpuProfDir });
  }

  async start() {
    const nodeFlags = ['--import', LOOP_STATS, ...(this.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', this.cpuProfDir] : [])];
    this.loopFile = join(this.dataDir, '..', `loop-${this.port}.json`);
    // FLEET_MEMORY_LOG=file: the server appends process.memoryUsage() to it every second (memory-log.mjs).
    if (process.env.FLEET_MEMORY_LOG) nodeFlags.push('--import', new URL('./memory-log.mjs', import.meta.url).href);
    const args = ['server', '--host', '127.0.0.1', '--port', String(this.port), '--data', this.dataDir];
    if (this.store) args.push('--store', this.store);
    const [cmd, argv] = withFdLimit(this.fds, [process.execPath, ...nodeFlags, BIN, ...args]);
    this.proc = spawn(cmd, argv, {
      env: {
        ...process.env,
        OUTPOST_ADMIN_TOKEN: this.adminToken,
        OUTPOST_LOG_LEVEL: process.env.FLEET_SERVER_LOG_LEVEL ?? 'warn',
        OUTPOST_BENCH_LOOP_FILE: this.loopFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.output = '';
    // FLEET_SERVER_LOG=file keeps the server's whole log (with FLEET_SERVER_LOG_LEVEL=info: who dropped whom).
    const logFile = process.env.FLEET_SERVER_LOG ? createWriteStream(process.env.FLEET_SERVER_LOG, { flags: 'a' }) : null;
    const take = (d) => {
      logFile?.write(d);
      this.output += d;
      if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
    };
    this.proc.stdout.on('data', take);
    this.proc.stderr.on('data', take);
    this.exited = new Promise((r) => this.proc.once('exit', r));
    const deadline = Date.now() + 60_000;
    while (!/listening on/.test(this.output)) {
      if (this.proc.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not start:\n${this.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  /** The server's event-loop delay since the last call (or its start): bench/fleet/loop-stats.mjs. */
  async loopStats() {
    rmSync(this.loopFile, { force: true });
    this.proc.kill('SIGUSR2');
    const deadline = Date.now() + 10_000;
    while (!existsSync(this.loopFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    try {
      return JSON.parse(readFileSync(this.loopFile, 'utf8'));
    } catch {
      return null; // written while read, or the loop held past the deadline
    }
  }

  /** SIGTERM: the server closes every agent with 1001 and exits. */
  async stop() {
    this.proc.kill('SIGTERM');
    await this.exited;
  }

  kill() {
    if (this.proc && this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }

  /** The server process's open-file limit: each agent connection takes one descriptor. */
  openFileLimit() {
    const limits = readFileSync(`/proc/${this.proc.pid}/limits`, 'utf8');
    return Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? Infinity);
  }

  /** CPU seconds (user + system) and RSS of the server process. */
  sample() {
    const status = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
    const rssMB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    const stat = readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { cpuS: (Number(stat[11]) + Number(stat[12])) / 100, rssMB };
  }

  /** Bytes of the data directory (the SQLite database and its WAL). */
  dataBytes() {
    return readdirSync(this.dataDir).reduce((n, f) => n + statSync(join(this.dataDir, f)).size, 0);
  }

  async api(path, init = {}) {
    const res = await fetch(`${this.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json', ...init.headers },
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  }
}
